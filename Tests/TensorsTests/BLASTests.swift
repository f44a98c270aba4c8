import Tensors
import Testing

@Suite struct BLASTests {
  static let avx512: Set<String> = [
    "sse3", "avx", "avx2", "fma", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl",
  ]

  @Test func fallbackKernelsAreUpgradedToWhatTheCPUHas() {
    #expect(BLAS.betterCoreType(current: "Prescott", cpuFlags: Self.avx512) == "SkylakeX")
    #expect(
      BLAS.betterCoreType(current: "Prescott", cpuFlags: ["sse3", "avx", "avx2", "fma"])
        == "Haswell")
    // AVX-512 without VL (Knights Landing style) is not SkylakeX.
    #expect(
      BLAS.betterCoreType(current: "Nehalem", cpuFlags: Self.avx512.subtracting(["avx512vl"]))
        == "Haswell")
    #expect(BLAS.betterCoreType(current: "Prescott", cpuFlags: ["sse3", "avx"]) == nil)
    #expect(BLAS.betterCoreType(current: "Prescott", cpuFlags: []) == nil)
  }

  @Test func ownChoicesStand() {
    for core in ["SkylakeX", "Haswell", "Zen", "Cooperlake"] {
      #expect(BLAS.betterCoreType(current: core, cpuFlags: Self.avx512) == nil)
    }
  }

  @Test func threadsCanBeSetAndRead() {
    let before = BLAS.threads
    BLAS.setThreads(1)
    #expect(BLAS.threads == 1)
    BLAS.setThreads(before)
    #expect(BLAS.threads == before)
    #expect(BLAS.configuration.hasPrefix("OpenBLAS"))
    #expect(!BLAS.coreName.isEmpty)
  }
}

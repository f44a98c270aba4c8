internal import COpenBLAS
import Foundation

/// The BLAS library itself: its build and how many threads its products use.
public enum BLAS {
  /// How many threads OpenBLAS runs a product on (`openblas_get_num_threads`).
  public static var threads: Int { Int(openblas_get_num_threads()) }

  /// Sets the threads OpenBLAS runs each product on (`openblas_set_num_threads`), from then on
  /// for the whole process. Precondition: `count ≥ 1`.
  public static func setThreads(_ count: Int) {
    precondition(count >= 1, "BLAS needs at least one thread, got \(count)")
    openblas_set_num_threads(Int32(clamping: count))
  }

  /// OpenBLAS's build line (`openblas_get_config`), e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH …".
  public static var configuration: String { String(cString: openblas_get_config()) }

  /// The kernel family OpenBLAS chose for this CPU (`openblas_get_corename`), e.g. "SkylakeX".
  public static var coreName: String { String(cString: openblas_get_corename()) }
}

extension BLAS {
  /// Kernel families OpenBLAS falls back to on a CPU its build does not recognise (no AVX2).
  static let fallbackCores: Set<String> = [
    "Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Atom", "Sandybridge",
  ]

  /// The kernel family to ask OpenBLAS for (`OPENBLAS_CORETYPE`) when it chose a fallback
  /// family although the CPU has wider vectors: `SkylakeX` with AVX-512 (F, CD, BW, DQ, VL),
  /// `Haswell` with AVX2 and FMA; `nil` when OpenBLAS's own choice stands.
  public static func betterCoreType(current: String, cpuFlags: Set<String>) -> String? {
    guard fallbackCores.contains(current) else { return nil }
    if cpuFlags.isSuperset(of: ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]) {
      return "SkylakeX"
    }
    if cpuFlags.isSuperset(of: ["avx2", "fma"]) { return "Haswell" }
    return nil
  }

  /// The `flags` of the first CPU in /proc/cpuinfo; empty where there is no such file.
  public static func cpuFlags() -> Set<String> {
    guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
      let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
      let colon = line.firstIndex(of: ":")
    else { return [] }
    return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
  }
}

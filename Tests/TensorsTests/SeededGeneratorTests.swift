import Foundation
import Tensors
import Testing

/// Pinned values come from an independent Python implementation of the published algorithms,
/// run once:
///
///     M = 2**64 - 1
///     def splitmix(s):               # SplitMix64 (Steele, Lea, Flood)
///         s = (s + 0x9E3779B97F4A7C15) & M; z = s
///         z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
///         z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
///         return s, z ^ (z >> 31)
///     # state = 4 successive splitmix outputs from the seed
///     # xoshiro256** next(): r = rotl(s1 * 5, 7) * 9; t = s1 << 17; s2 ^= s0; s3 ^= s1;
///     #   s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 45)
///     # derived(name): h = FNV-1a-64(utf8 name) (offset 0xcbf29ce484222325, prime 0x100000001b3);
///     #   new seed = second value of splitmix(seed ^ h)
///     # uniform = (next >> 11) * 2**-53
///     # normal = sqrt(-2 ln(1 - u1)) * cos(2 pi u2)
@Suite struct SeededGeneratorTests {
  @Test func pinnedStreamForSeed42() {
    var generator = SeededGenerator(seed: 42)
    let expected: [UInt64] = [
      1_546_998_764_402_558_742, 6_990_951_692_964_543_102,
      12_544_586_762_248_559_009, 17_057_574_109_182_124_193,
    ]
    #expect((0..<4).map { _ in generator.next() } == expected)
  }

  @Test func pinnedDerivedStreams() {
    let generator = SeededGenerator(seed: 42)
    var initStream = generator.derived("init")
    #expect(initStream.seed == 510_894_644_924_895_366)
    #expect(initStream.next() == 2_246_920_318_559_093_695)
    #expect(initStream.next() == 14_774_869_192_824_163_371)
    #expect(generator.derived("shuffle").seed == 10_000_225_485_979_118_302)
  }

  @Test func pinnedUniformAndNormal() {
    var generator = SeededGenerator(seed: 42)
    #expect(generator.uniform() == 0.08386297105988216)
    #expect(generator.uniform() == 0.3789802506626686)
    var normals = SeededGenerator(seed: 42)
    #expect(abs(normals.normal() - -0.303263064678738) < 1e-14)
    #expect(abs(normals.normal() - 1.3438117634372806) < 1e-14)
  }

  @Test func sameSeedSameStreamDifferentSeedDifferentStream() {
    var a = SeededGenerator(seed: 123)
    var b = SeededGenerator(seed: 123)
    var c = SeededGenerator(seed: 124)
    let streamA = (0..<100).map { _ in a.next() }
    #expect(streamA == (0..<100).map { _ in b.next() })
    #expect(streamA != (0..<100).map { _ in c.next() })
    #expect(a == b)
  }

  @Test func derivedStreamsDifferAndDoNotAdvance() {
    var generator = SeededGenerator(seed: 9)
    _ = generator.next()
    let before = generator
    var first = generator.derived("init")
    var second = generator.derived("shuffle")
    #expect(generator == before)
    let a = (0..<20).map { _ in first.next() }
    let b = (0..<20).map { _ in second.next() }
    #expect(a != b)
    // Derivation depends on the seed only, not on how far the parent advanced.
    var again = SeededGenerator(seed: 9).derived("init")
    #expect((0..<20).map { _ in again.next() } == a)
    // And is not the parent's own stream.
    var parent = SeededGenerator(seed: 9)
    #expect((0..<20).map { _ in parent.next() } != a)
  }

  @Test func codableRoundTripKeepsPosition() throws {
    var generator = SeededGenerator(seed: 5)
    _ = generator.next()
    let data = try JSONEncoder().encode(generator)
    var decoded = try JSONDecoder().decode(SeededGenerator.self, from: data)
    #expect(decoded == generator)
    #expect(decoded.next() == generator.next())
  }

  @Test func integerBelowStaysInRangeAndIsRoughlyUniform() {
    var generator = SeededGenerator(seed: 1)
    let bound = 7
    let draws = 70_000
    var counts = [Int](repeating: 0, count: bound)
    for _ in 0..<draws {
      let value = generator.integer(below: bound)
      #expect(value >= 0 && value < bound)
      counts[value] += 1
    }
    // Each count is Binomial(70000, 1/7): mean 10000, sd ≈ 92.6; allow 5 sd.
    for count in counts { #expect(abs(count - 10_000) < 463, "counts \(counts)") }
    #expect(generator.integer(below: 1) == 0)
  }

  @Test func integerBelowHandlesHugeBounds() {
    var generator = SeededGenerator(seed: 3)
    for _ in 0..<1000 {
      let value = generator.integer(below: Int.max)
      #expect(value >= 0 && value < Int.max)
    }
  }

  @Test func uniformInRange() {
    var generator = SeededGenerator(seed: 4)
    var sum = 0.0
    for _ in 0..<10_000 {
      let value = generator.uniform(in: -2...3)
      #expect(value >= -2 && value < 3)
      sum += value
    }
    // Mean 0.5, sd of the mean 5/√12/100 ≈ 0.0144; allow 5 sd.
    #expect(abs(sum / 10_000 - 0.5) < 0.072)
  }

  @Test func shuffleIsADeterministicPermutation() {
    var generator = SeededGenerator(seed: 8)
    var array = Array(0..<50)
    generator.shuffle(&array)
    #expect(array.sorted() == Array(0..<50))
    #expect(array != Array(0..<50))
    var replay = SeededGenerator(seed: 8)
    var again = Array(0..<50)
    replay.shuffle(&again)
    #expect(again == array)
    var single = [1]
    generator.shuffle(&single)
    #expect(single == [1])
  }

  @Test func normalHasRoughlyUnitMoments() {
    var generator = SeededGenerator(seed: 2)
    let count = 100_000
    var sum = 0.0
    var squares = 0.0
    for _ in 0..<count {
      let value = generator.normal()
      sum += value
      squares += value * value
    }
    let mean = sum / Double(count)
    let variance = squares / Double(count) - mean * mean
    // sd of the mean ≈ 0.0032, of the variance ≈ √2/√n ≈ 0.0045; allow about 5 sd.
    #expect(abs(mean) < 0.016)
    #expect(abs(variance - 1) < 0.023)
  }
}

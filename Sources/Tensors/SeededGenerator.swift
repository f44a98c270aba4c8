import Foundation

/// Portable seeded generator (xoshiro256** seeded through SplitMix64): the same seed gives the
/// same stream on every machine and Swift version.
///
/// Every derived quantity (`uniform`, `normal`, `integer(below:)`, `shuffle`) is computed here
/// from `next()` with a fixed algorithm; stdlib's `random(in:using:)` is never used for anything
/// that determines results, because its algorithm is not guaranteed stable.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Codable, Equatable {
  /// The seed this generator was created from (kept so `derived(_:)` does not depend on how far
  /// the stream has advanced).
  public let seed: UInt64
  private var state: (UInt64, UInt64, UInt64, UInt64)

  /// A generator whose xoshiro256** state is four successive SplitMix64 outputs from `seed`.
  public init(seed: UInt64) {
    self.seed = seed
    var mixer = seed
    state = (
      Self.splitMix64(&mixer), Self.splitMix64(&mixer),
      Self.splitMix64(&mixer), Self.splitMix64(&mixer)
    )
  }

  /// An independent stream for one purpose ("init", "shuffle", "data", "dropout"), derived from
  /// this generator's seed and the purpose name; does not advance `self`.
  ///
  /// The new seed is the first SplitMix64 output for the state `seed ^ fnv1a64(purpose)`, where
  /// `fnv1a64` is 64-bit FNV-1a over the name's UTF-8 bytes.
  public func derived(_ purpose: String) -> SeededGenerator {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in purpose.utf8 {
      hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
    }
    var mixer = seed ^ hash
    return SeededGenerator(seed: Self.splitMix64(&mixer))
  }

  /// The next 64 random bits (xoshiro256**).
  public mutating func next() -> UInt64 {
    let result = rotateLeft(state.1 &* 5, 7) &* 9
    let shifted = state.1 << 17
    state.2 ^= state.0
    state.3 ^= state.1
    state.1 ^= state.2
    state.0 ^= state.3
    state.2 ^= shifted
    state.3 = rotateLeft(state.3, 45)
    return result
  }

  /// A uniform draw from [0, 1): the top 53 bits of `next()` times 2⁻⁵³.
  public mutating func uniform() -> Double {
    Double(next() >> 11) * 0x1.0p-53
  }

  /// `lowerBound + (upperBound − lowerBound) · uniform()`.
  public mutating func uniform(in range: ClosedRange<Double>) -> Double {
    range.lowerBound + (range.upperBound - range.lowerBound) * uniform()
  }

  /// A standard normal draw (Box–Muller, cosine branch): `√(−2 ln u₁) · cos(2π u₂)` with
  /// `u₁ = 1 − uniform()` in (0, 1] and `u₂ = uniform()`. Uses two draws of `next()`.
  public mutating func normal() -> Double {
    let u1 = 1 - uniform()
    let u2 = uniform()
    return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
  }

  /// A uniform integer in `0 ..< bound`, without bias (Lemire's multiply-and-reject).
  /// Precondition: `bound > 0`.
  public mutating func integer(below bound: Int) -> Int {
    precondition(bound > 0, "integer(below:) needs a positive bound, got \(bound)")
    let range = UInt64(bound)
    var product = next().multipliedFullWidth(by: range)
    if product.low < range {
      let threshold = (0 &- range) % range
      while product.low < threshold {
        product = next().multipliedFullWidth(by: range)
      }
    }
    return Int(product.high)
  }

  /// Fisher–Yates: for i from the last index down to 1, swap element i with element
  /// `integer(below: i + 1)`.
  public mutating func shuffle<T>(_ array: inout [T]) {
    guard array.count > 1 else { return }
    for index in stride(from: array.count - 1, to: 0, by: -1) {
      array.swapAt(index, integer(below: index + 1))
    }
  }

  // MARK: Codable and Equatable (tuples conform to neither)

  private enum CodingKeys: String, CodingKey {
    case seed, state
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    seed = try container.decode(UInt64.self, forKey: .seed)
    let words = try container.decode([UInt64].self, forKey: .state)
    guard words.count == 4 else {
      throw DecodingError.dataCorruptedError(
        forKey: .state, in: container, debugDescription: "expected 4 state words")
    }
    state = (words[0], words[1], words[2], words[3])
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(seed, forKey: .seed)
    try container.encode([state.0, state.1, state.2, state.3], forKey: .state)
  }

  public static func == (lhs: SeededGenerator, rhs: SeededGenerator) -> Bool {
    lhs.seed == rhs.seed && lhs.state == rhs.state
  }

  // MARK: Primitives

  private static func splitMix64(_ state: inout UInt64) -> UInt64 {
    state &+= 0x9e37_79b9_7f4a_7c15
    var z = state
    z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
    z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
    return z ^ (z >> 31)
  }
}

private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 {
  (x << k) | (x >> (64 - k))
}

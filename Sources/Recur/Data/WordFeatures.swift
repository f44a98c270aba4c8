/// 64-bit FNV-1a over the UTF-8 bytes of `text`: a portable hash, the same on every machine and in
/// every process (unlike Swift's `Hasher`, which is seeded per process).
public func fnv1a(_ text: String) -> UInt64 {
  var hash: UInt64 = 0xcbf2_9ce4_8422_2325
  for byte in text.utf8 {
    hash ^= UInt64(byte)
    hash = hash &* 0x0000_0100_0000_01b3
  }
  return hash
}

/// Sparse features of a word's spelling, hashed into a fixed number of buckets: its
/// capitalisation shape and its prefixes and suffixes up to n characters (of the lowercased word).
/// Each feature is a string (`shape:Xx`, `p2:un`, `s3:ing`) whose FNV-1a hash modulo `buckets`
/// names its bucket; distinct features may share a bucket.
public struct WordFeatures: Sendable, Equatable, Codable {
  public var prefixLength: Int
  public var suffixLength: Int
  public var shape: Bool
  public var buckets: Int

  enum CodingKeys: String, CodingKey {
    case prefixLength = "prefix_length"
    case suffixLength = "suffix_length"
    case shape
    case buckets
  }

  public init(prefixLength: Int, suffixLength: Int, shape: Bool, buckets: Int) {
    self.prefixLength = prefixLength
    self.suffixLength = suffixLength
    self.shape = shape
    self.buckets = buckets
  }

  /// Whether any feature is on (otherwise the buckets take no input columns).
  public var isEnabled: Bool { buckets > 0 && (prefixLength > 0 || suffixLength > 0 || shape) }

  /// The input columns the features take: `buckets` when enabled, else 0.
  public var width: Int { isEnabled ? buckets : 0 }

  /// Capitalisation shape: upper-case letters → X, other letters → x, digits → d, anything else
  /// kept; runs of the same symbol collapsed. "McDonald's" → "XxXx'x", "1990s" → "dx".
  public static func shape(of word: String) -> String {
    var result = ""
    for character in word {
      let symbol: Character =
        character.isUppercase
        ? "X" : character.isLetter ? "x" : character.isNumber ? "d" : character
      if result.last != symbol { result.append(symbol) }
    }
    return result
  }

  /// The feature strings of `word`, in a fixed order: shape, prefixes p1…pn, suffixes s1…sn
  /// (only lengths up to the word's length).
  public func names(of word: String) -> [String] {
    guard isEnabled else { return [] }
    var names: [String] = []
    if shape { names.append("shape:" + Self.shape(of: word)) }
    let characters = Array(word.lowercased())
    for n in stride(from: 1, through: min(prefixLength, characters.count), by: 1) {
      names.append("p\(n):" + String(characters.prefix(n)))
    }
    for n in stride(from: 1, through: min(suffixLength, characters.count), by: 1) {
      names.append("s\(n):" + String(characters.suffix(n)))
    }
    return names
  }

  /// Distinct bucket indices of `word`'s features, ascending, each plus `offset`.
  public func indices(of word: String, offset: Int) -> [Int32] {
    Set(names(of: word).map { Int32(offset) + Int32(fnv1a($0) % UInt64(buckets)) }).sorted()
  }
}

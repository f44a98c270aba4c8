/// Word types seen in train at least `minCount` times (after lowercasing when asked), indexed from
/// 1 in order of first appearance; index 0 is the unknown token, which every other word maps to.
public struct Vocabulary: Sendable, Equatable {
  /// Index 0 is the unknown token.
  public let words: [String]
  public let lowercase: Bool
  public let minCount: Int
  private let index: [String: Int32]

  /// Counts the words of `sentences` (train only) and keeps those seen `minCount` times or more.
  public init(
    sentences: [[String]], minCount: Int, lowercase: Bool, unknownToken: String
  ) {
    var counts: [String: Int] = [:]
    var order: [String] = []
    for sentence in sentences {
      for word in sentence {
        let key = lowercase ? word.lowercased() : word
        if counts[key] == nil { order.append(key) }
        counts[key, default: 0] += 1
      }
    }
    let kept = order.filter { counts[$0]! >= minCount && $0 != unknownToken }
    words = [unknownToken] + kept
    index = Dictionary(uniqueKeysWithValues: words.enumerated().map { ($1, Int32($0)) })
    self.lowercase = lowercase
    self.minCount = minCount
  }

  public var count: Int { words.count }

  /// The word's index, or `nil` when it is unknown.
  public func index(of word: String) -> Int32? {
    let key = lowercase ? word.lowercased() : word
    guard let found = index[key], found != 0 else { return nil }
    return found
  }
}

import Foundation

/// One sentence of a tagging corpus: a word and a tag per token.
public struct TaggedSentence: Sendable, Equatable {
  public var words: [String]
  public var tags: [String]

  public init(words: [String], tags: [String]) {
    self.words = words
    self.tags = tags
  }
}

/// Tagging data read from files (CoNLL-U or CoNLL columns): a vocabulary and a tag set built from
/// train only, words as multi-hot sparse inputs (the word's index, or the unknown token's, plus
/// its hashed spelling features), one tag per token.
///
/// Input columns: `0 ..< vocabulary.count` are words (0 = unknown), then `features.width` feature
/// buckets. Tags are the train tags in alphabetical order. A dev or test token whose tag never
/// occurs in train is not scored, and counted (`unseen_tag_share`) and reported in `warnings`.
public struct TaggedCorpus: Dataset {
  /// How the input side is built.
  public struct Options: Sendable, Equatable {
    public var minCount: Int
    public var lowercase: Bool
    public var unknownToken: String
    public var features: WordFeatures

    public init(minCount: Int, lowercase: Bool, unknownToken: String, features: WordFeatures) {
      self.minCount = minCount
      self.lowercase = lowercase
      self.unknownToken = unknownToken
      self.features = features
    }
  }

  public let info: DatasetInfo
  public let vocabulary: Vocabulary
  public let options: Options
  public let dataFiles: [String]
  public let warnings: [String]
  /// The layout of the corpus's files, when it was read from files.
  public let format: TaggedFileFormat?
  private let splits: [Split: [SequenceExample]]

  /// Builds the corpus from the sentences of each split (train non-empty) and the files they came
  /// from.
  public init(
    sentences: [Split: [TaggedSentence]], files: [String], options: Options,
    format: TaggedFileFormat? = nil
  ) {
    let train = sentences[.train] ?? []
    let vocabulary = Vocabulary(
      sentences: train.map(\.words), minCount: options.minCount, lowercase: options.lowercase,
      unknownToken: options.unknownToken)
    self.vocabulary = vocabulary
    let tags = Set(train.flatMap(\.tags)).sorted()
    let tagIndex = Dictionary(uniqueKeysWithValues: tags.enumerated().map { ($1, Int32($0)) })
    var splits: [Split: [SequenceExample]] = [:]
    var facts: [DatasetFact] = []
    var warnings: [String] = []
    for split in Split.allCases {
      guard let list = sentences[split], !list.isEmpty else { continue }
      var unknownTokens = 0
      var tokens = 0
      var unseen: [String: Int] = [:]
      splits[split] = list.map { sentence in
        let (inputs, unknown) = Self.encode(
          sentence.words, vocabulary: vocabulary, options: options)
        var targets: [Int32] = []
        for tag in sentence.tags {
          if let target = tagIndex[tag] {
            targets.append(target)
          } else {
            targets.append(-1)
            unseen[tag, default: 0] += 1
          }
        }
        tokens += inputs.count
        unknownTokens += unknown.filter { $0 }.count
        return SequenceExample(inputs: .sparse(inputs), targets: targets, unknown: unknown)
      }
      facts.append(
        DatasetFact(
          name: "unknown_word_share", split: split,
          value: Double(unknownTokens) / Double(max(tokens, 1)),
          help: "share of tokens outside the train vocabulary"))
      if !unseen.isEmpty {
        let count = unseen.values.reduce(0, +)
        facts.append(
          DatasetFact(
            name: "unseen_tag_share", split: split, value: Double(count) / Double(max(tokens, 1)),
            help: "share of tokens whose tag never occurs in train (not scored)"))
        warnings.append(
          "\(split.rawValue): \(count) token(s) carry tags never seen in train ("
            + unseen.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }
            .joined(separator: ", ") + "); they are not scored")
      }
    }
    self.splits = splits
    self.options = options
    self.dataFiles = files
    self.warnings = warnings
    self.format = format
    info = DatasetInfo(
      inputSize: vocabulary.count + options.features.width, outputSize: tags.count,
      task: .framewise, labels: tags, facts: facts)
  }

  public func examples(_ split: Split) -> [SequenceExample] {
    splits[split] ?? []
  }

  /// The sentences of a file in the corpus's format, tagged with the train tag set (a tag it
  /// lacks is not scored).
  public func examples(readingFile path: String) throws -> [SequenceExample] {
    guard let format else {
      throw DataFileError(
        file: path, "the corpus was not read from files", expected: "a conllu or conll corpus")
    }
    let tagIndex = Dictionary(uniqueKeysWithValues: info.labels.enumerated().map { ($1, $0) })
    return try format.read(path).map { sentence in
      var example = example(words: sentence.words)
      example.targets = sentence.tags.map { tagIndex[$0].map(Int32.init) ?? -1 }
      return example
    }
  }

  /// An untagged sentence as the network reads it: every word's vocabulary index (0 when
  /// unknown) and spelling features; `unknown` marks the words outside the vocabulary.
  public func example(words: [String]) -> SequenceExample {
    let (inputs, unknown) = Self.encode(words, vocabulary: vocabulary, options: options)
    return SequenceExample(
      inputs: .sparse(inputs), targets: [Int32](repeating: -1, count: words.count),
      unknown: unknown)
  }

  static func encode(
    _ words: [String], vocabulary: Vocabulary, options: Options
  ) -> (inputs: [[Int32]], unknown: [Bool]) {
    var inputs: [[Int32]] = []
    var unknown: [Bool] = []
    for word in words {
      let index = vocabulary.index(of: word)
      inputs.append([index ?? 0] + options.features.indices(of: word, offset: vocabulary.count))
      unknown.append(index == nil)
    }
    return (inputs, unknown)
  }

  /// `vocabulary.json`: the words by index (0 = unknown), the tags by class, and the settings
  /// that map a word to its input indices.
  public var artifacts: [DatasetArtifact] {
    struct Document: Encodable {
      var unknownToken: String
      var lowercase: Bool
      var minCount: Int
      var words: [String]
      var tags: [String]
      var features: WordFeatures
      var featureOffset: Int
      var hash: String
      enum CodingKeys: String, CodingKey {
        case unknownToken = "unknown_token"
        case lowercase
        case minCount = "min_count"
        case words, tags, features
        case featureOffset = "feature_offset"
        case hash
      }
    }
    let document = Document(
      unknownToken: options.unknownToken, lowercase: vocabulary.lowercase,
      minCount: vocabulary.minCount, words: vocabulary.words, tags: info.labels,
      features: options.features, featureOffset: vocabulary.count,
      hash: "FNV-1a 64-bit of the UTF-8 feature name, modulo buckets")
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    // Encoding strings, booleans and integers cannot fail.
    let data = (try? encoder.encode(document)) ?? Data()
    return [DatasetArtifact(name: "vocabulary.json", contents: data + Data("\n".utf8))]
  }
}

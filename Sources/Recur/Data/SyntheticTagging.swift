import Tensors

/// A seeded toy language for tagging in which some tokens can only be tagged from the token after
/// them.
///
/// The vocabulary holds two kinds of word. A *plain* word always carries the same tag. A
/// *right-context* word carries the tag of the word that follows it (which is always plain), so
/// nothing to its left tells its tag. A left-to-right model can do no better at a right-context
/// word than guess the tag most plain words carry; a bidirectional model sees the next word and
/// can tag every token. The generator reports, per split, the accuracy of the best possible
/// left-to-right tagger on that split's data (`left_to_right_ceiling`).
public struct SyntheticTagging: Dataset {
  /// The generator's settings; the registry describes each with its default.
  public struct Configuration: Sendable, Equatable {
    public var splits: GeneratedSplits
    /// Word types in all, plain and right-context.
    public var vocabulary: Int
    public var tags: Int
    /// Word types whose tag is the next word's tag.
    public var rightContextWords: Int
    /// Probability that a position (not the last, not right after a right-context word) holds a
    /// right-context word.
    public var rightContextShare: Double

    public init(
      trainSequences: Int, devSequences: Int, testSequences: Int, minLength: Int, maxLength: Int,
      vocabulary: Int, tags: Int, rightContextWords: Int, rightContextShare: Double
    ) {
      splits = GeneratedSplits(
        trainSequences: trainSequences, devSequences: devSequences,
        testSequences: testSequences, minLength: minLength, maxLength: maxLength)
      self.vocabulary = vocabulary
      self.tags = tags
      self.rightContextWords = rightContextWords
      self.rightContextShare = rightContextShare
    }
  }

  /// Settings that do not fit together.
  public struct ConfigurationError: Error, Sendable, Equatable {
    /// The option at fault, as named in a spec.
    public var option: String
    public var message: String
  }

  public let configuration: Configuration
  public let info: DatasetInfo
  /// Tag of each plain word; `nil` for a right-context word.
  public let tagOfWord: [Int32?]
  private let splits: [Split: [SequenceExample]]

  /// Generates all three splits from `generator`, in train, dev, test order.
  public init(_ configuration: Configuration, generator: SeededGenerator) throws(ConfigurationError)
  {
    try Self.check(configuration)
    self.init(checked: configuration, generator: generator)
  }

  /// Generates all three splits from a configuration that `check` accepts.
  public init(checked configuration: Configuration, generator: SeededGenerator) {
    self.configuration = configuration
    var random = generator
    let c = configuration

    // Word ids are shuffled so that neither kind of word sits in a block of ids.
    var words = Array(0..<c.vocabulary)
    random.shuffle(&words)
    var tagOfWord = [Int32?](repeating: nil, count: c.vocabulary)
    let plainWords = Array(words.dropFirst(c.rightContextWords))
    let rightContextWords = Array(words.prefix(c.rightContextWords))
    for (rank, word) in plainWords.enumerated() {
      tagOfWord[word] = Int32(rank % c.tags)
    }
    self.tagOfWord = tagOfWord

    // The best left-to-right guess at a right-context word: the tag most plain words carry
    // (the next word is drawn uniformly from them, independently of everything before it).
    var plainPerTag = [Int](repeating: 0, count: c.tags)
    for word in plainWords { plainPerTag[Int(tagOfWord[word]!)] += 1 }
    let bestGuess = Int32(plainPerTag.indices.max { plainPerTag[$0] < plainPerTag[$1] }!)

    var splits: [Split: [SequenceExample]] = [:]
    var facts: [DatasetFact] = []
    for (split, count) in c.splits.counts {
      var examples: [SequenceExample] = []
      examples.reserveCapacity(count)
      var tokens = 0
      var causallyCorrect = 0
      for _ in 0..<count {
        let length = c.splits.drawLength(&random)
        var inputs: [[Int32]] = []
        var targets: [Int32] = []
        var previousNeedsTag = false
        for position in 0..<length {
          let canDefer = position < length - 1 && !previousNeedsTag
          if canDefer && random.uniform() < c.rightContextShare {
            let word = rightContextWords[random.integer(below: rightContextWords.count)]
            inputs.append([Int32(word)])
            targets.append(-1)
            previousNeedsTag = true
          } else {
            let word = plainWords[random.integer(below: plainWords.count)]
            let tag = tagOfWord[word]!
            inputs.append([Int32(word)])
            targets.append(tag)
            if previousNeedsTag {
              targets[position - 1] = tag
              if tag == bestGuess { causallyCorrect += 1 }
            }
            causallyCorrect += 1
            previousNeedsTag = false
          }
        }
        tokens += length
        examples.append(SequenceExample(inputs: .sparse(inputs), targets: targets))
      }
      splits[split] = examples
      if count > 0 {
        facts.append(
          DatasetFact(
            name: "left_to_right_ceiling", split: split,
            value: Double(causallyCorrect) / Double(tokens),
            help: "accuracy of the best possible left-to-right tagger on this split"))
      }
    }
    self.splits = splits
    self.info = DatasetInfo(
      inputSize: c.vocabulary, outputSize: c.tags, task: .framewise,
      labels: (0..<c.tags).map { "T\($0)" }, facts: facts)
  }

  public func examples(_ split: Split) -> [SequenceExample] {
    splits[split] ?? []
  }

  /// The shape the dataset has, without drawing it.
  public static func shape(_ c: Configuration) -> DatasetShape {
    DatasetShape(
      generated: c.splits, inputSize: c.vocabulary, outputSize: c.tags, task: .framewise,
      denseInputs: false)
  }

  /// Checks that the settings fit together, as `init` does before drawing anything.
  public static func check(_ c: Configuration) throws(ConfigurationError) {
    if c.splits.maxLength < c.splits.minLength {
      throw ConfigurationError(
        option: "max_length",
        message: "max_length (\(c.splits.maxLength)) is below min_length (\(c.splits.minLength))")
    }
    if c.rightContextWords >= c.vocabulary {
      throw ConfigurationError(
        option: "right_context_words",
        message: "right_context_words (\(c.rightContextWords)) leaves no plain words "
          + "in a vocabulary of \(c.vocabulary)")
    }
    if c.vocabulary - c.rightContextWords < c.tags {
      throw ConfigurationError(
        option: "tags",
        message: "\(c.tags) tags need at least \(c.tags) plain words, but the vocabulary has "
          + "\(c.vocabulary - c.rightContextWords)")
    }
    if c.rightContextWords == 0 && c.rightContextShare > 0 {
      throw ConfigurationError(
        option: "right_context_share",
        message: "right_context_share is \(c.rightContextShare) but right_context_words is 0")
    }
  }
}

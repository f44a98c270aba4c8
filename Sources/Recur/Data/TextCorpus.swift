import Foundation

/// Text for language modelling: each split a stream of tokens (characters or words), the input
/// at step t the token t and the target the token t + 1, every input a one-hot vocabulary index
/// (a sparse row), every target a class over the same vocabulary (framewise).
///
/// Characters are Unicode scalars; a line's end is the token `"\n"` (LF and CRLF alike). Words
/// are the whitespace-separated fields of a line, and the end of every line is the token
/// `end_token`. A CoNLL-U file reads as text with a sentence per line: its FORM column, words
/// separated by a space unless MISC says `SpaceAfter=No`.
///
/// The vocabulary comes from the train split: index 0 is the unknown token, every train token
/// seen `minCount` times or more follows in order of first appearance. The examples of a split
/// are its stream cut into consecutive pieces of `sequenceLength` steps, so a split's examples
/// in order, concatenated, are its whole stream again (what truncated BPTT reads).
public struct TextCorpus: Dataset {
  /// What a token is.
  public enum Unit: String, Sendable, Codable, CaseIterable {
    case char, word
  }

  /// How the files are laid out.
  public enum Format: String, Sendable, Codable, CaseIterable {
    /// Plain UTF-8 text.
    case plain
    /// CoNLL-U: the FORM column, a sentence per line.
    case conllu
  }

  public struct Options: Sendable, Equatable {
    public var unit: Unit
    public var format: Format
    public var minCount: Int
    public var unknownToken: String
    /// The token ending each line for `unit: word`.
    public var endToken: String
    /// Steps per example.
    public var sequenceLength: Int

    public init(
      unit: Unit, format: Format, minCount: Int = 1, unknownToken: String = "<unk>",
      endToken: String = "<eos>", sequenceLength: Int = 100
    ) {
      self.unit = unit
      self.format = format
      self.minCount = minCount
      self.unknownToken = unknownToken
      self.endToken = endToken
      self.sequenceLength = sequenceLength
    }
  }

  public let info: DatasetInfo
  public let options: Options
  public let vocabulary: Vocabulary
  public let dataFiles: [String]
  /// Each split's tokens as vocabulary indices.
  public let streams: [Split: [Int32]]
  private let splits: [Split: [SequenceExample]]

  /// Reads `train` (required), `dev` and `test`; or, with `devFraction` or `testFraction` above
  /// zero and no dev or test file, splits the train file's lines: the last `testFraction` of
  /// them are test, the `devFraction` before those dev. An error names the option of its file.
  public init(
    train: String, dev: String?, test: String?, devFraction: Double = 0,
    testFraction: Double = 0, options: Options
  ) throws(DataFileError) {
    var lines: [Split: [String]] = [:]
    var files: [String] = []
    for (split, path) in [(Split.train, train), (.dev, dev), (.test, test)] {
      guard let path else { continue }
      do {
        lines[split] = try Self.lines(of: path, format: options.format)
      } catch {
        var located = error
        located.option = located.option ?? split.rawValue
        throw located
      }
      files.append(path)
    }
    if devFraction > 0 || testFraction > 0 {
      let all = lines[.train]!
      let testCount = Int((Double(all.count) * testFraction).rounded())
      let devCount = Int((Double(all.count) * devFraction).rounded())
      guard all.count - testCount - devCount >= 1 else {
        throw DataFileError(
          option: "train", file: train,
          "\(all.count) line(s) leave none for train after dev_fraction and test_fraction",
          expected: "smaller fractions or a longer file")
      }
      let trainEnd = all.count - testCount - devCount
      lines[.train] = Array(all[..<trainEnd])
      if devFraction > 0 { lines[.dev] = Array(all[trainEnd..<(trainEnd + devCount)]) }
      if testFraction > 0 { lines[.test] = Array(all[(trainEnd + devCount)...]) }
    }
    let tokens = lines.mapValues { Self.tokens(of: $0, options: options) }
    for (split, path) in [(Split.train, train), (.dev, dev), (.test, test)] {
      guard let count = tokens[split]?.count, count < 2 else { continue }
      throw DataFileError(
        option: split.rawValue, file: path ?? train,
        "holds \(count) token(s), too few for one next-token target",
        expected: "text of at least two \(options.unit == .char ? "characters" : "words")")
    }
    try self.init(tokens: tokens, files: files, options: options)
  }

  /// Builds the corpus from each split's tokens. Throws when no train token reaches
  /// `minCount`. Precondition: train holds at least two tokens.
  public init(
    tokens: [Split: [String]], files: [String] = [], options: Options
  )
    throws(DataFileError)
  {
    let train = tokens[.train] ?? []
    precondition(train.count >= 2, "a train split of fewer than two tokens")
    let vocabulary = Vocabulary(
      sentences: [train], minCount: options.minCount, lowercase: false,
      unknownToken: options.unknownToken)
    guard vocabulary.count > 1 else {
      throw DataFileError(
        option: "min_count", file: files.first ?? "train",
        "no train token occurs min_count (\(options.minCount)) times",
        expected: "a smaller min_count")
    }
    self.vocabulary = vocabulary
    self.options = options
    dataFiles = files
    streams = tokens.mapValues { $0.map { vocabulary.index(of: $0) ?? 0 } }
    splits = streams.mapValues { Self.examples(of: $0, length: options.sequenceLength) }
    let baseline = NGramModel(
      tokens: streams[.train] ?? [], vocabularySize: vocabulary.count, order: 3)
    var facts: [DatasetFact] = []
    for split in [Split.dev, .test] {
      guard let stream = streams[split], stream.count >= 2 else { continue }
      facts.append(
        DatasetFact(
          name: "trigram_kn_bits", split: split, value: baseline.bitsPerToken(stream),
          help: "bits per token of an interpolated Kneser–Ney trigram model of train (D = 0.75)",
          isProportion: false))
    }
    for (split, stream) in streams.sorted(by: { $0.key < $1.key }) {
      facts.append(
        DatasetFact(
          name: "unknown_token_share", split: split,
          value: Double(stream.count { $0 == 0 }) / Double(max(stream.count, 1)),
          help: "share of tokens outside the train vocabulary"))
    }
    info = DatasetInfo(
      inputSize: vocabulary.count, outputSize: vocabulary.count, task: .framewise,
      labels: vocabulary.words, facts: facts)
  }

  public func examples(_ split: Split) -> [SequenceExample] {
    splits[split] ?? []
  }

  /// A file in the corpus's format, encoded with the train vocabulary, as examples.
  public func examples(readingFile path: String) throws -> [SequenceExample] {
    let stream = encode(
      Self.tokens(
        of: try Self.lines(of: path, format: options.format),
        options: options))
    guard stream.count >= 2 else {
      throw DataFileError(
        file: path, "holds \(stream.count) token(s), too few for one next-token target")
    }
    return Self.examples(of: stream, length: options.sequenceLength)
  }

  /// Vocabulary indices of `tokens` (0 for unknown ones).
  public func encode(_ tokens: [String]) -> [Int32] {
    tokens.map { vocabulary.index(of: $0) ?? 0 }
  }

  /// The tokens of `text` (lines separated by LF): a prime for sampling.
  public func tokens(of text: String) -> [String] {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    var tokens = Self.tokens(of: lines, options: options)
    // The text's last line has no line end of its own.
    if !text.hasSuffix("\n"), !tokens.isEmpty { tokens.removeLast() }
    return tokens
  }

  /// The index of the token that ends a line (`"\n"` or the end token; 0 when train has none).
  public var lineEnd: Int32 {
    vocabulary.index(of: options.unit == .char ? "\n" : options.endToken) ?? 0
  }

  /// A token as it reads in generated text: a character as itself, a word followed by a space,
  /// the end token as a line end.
  public func text(of token: Int32) -> String {
    let word = vocabulary.words[Int(token)]
    switch options.unit {
    case .char: return word
    case .word: return word == options.endToken ? "\n" : word + " "
    }
  }

  /// `vocabulary.json`: the tokens by index (0 = unknown) and how text becomes tokens.
  public var artifacts: [DatasetArtifact] {
    struct Document: Encodable {
      var unit: Unit
      var unknownToken: String
      var endToken: String?
      var minCount: Int
      var tokens: [String]
      enum CodingKeys: String, CodingKey {
        case unit
        case unknownToken = "unknown_token"
        case endToken = "end_token"
        case minCount = "min_count"
        case tokens
      }
    }
    let document = Document(
      unit: options.unit, unknownToken: options.unknownToken,
      endToken: options.unit == .word ? options.endToken : nil, minCount: options.minCount,
      tokens: vocabulary.words)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    // Encoding strings and integers cannot fail.
    let data = (try? encoder.encode(document)) ?? Data()
    return [DatasetArtifact(name: "vocabulary.json", contents: data + Data("\n".utf8))]
  }

  // MARK: Reading

  /// The lines of a file: a plain file's lines, or a CoNLL-U file's sentences as lines.
  static func lines(of path: String, format: Format) throws(DataFileError) -> [String] {
    let file = try TextFile(contentsOf: path)
    let lines: [String]
    switch format {
    case .plain:
      for line in file.lines { try file.rejectCarriageReturn(in: line) }
      lines = file.lines.map(\.text)
    case .conllu:
      let sentences = try TaggedFileFormat.conllu(tagColumn: .upos).sentences(of: file) {
        token throws(DataFileError) in
        let spaceAfter = !token.fields[9].split(separator: "|").contains("SpaceAfter=No")
        return (form: String(token.fields[1]), spaceAfter: spaceAfter)
      }
      lines = sentences.map { words in
        var text = ""
        for (index, word) in words.enumerated() {
          text += word.form
          if word.spaceAfter && index < words.count - 1 { text += " " }
        }
        return text
      }
    }
    guard !lines.isEmpty else {
      throw DataFileError(file: path, "holds no text", expected: "at least one line")
    }
    return lines
  }

  /// The tokens of `lines`, each line followed by its end.
  static func tokens(of lines: [String], options: Options) -> [String] {
    var tokens: [String] = []
    for line in lines {
      switch options.unit {
      case .char:
        tokens += line.unicodeScalars.map { String($0) }
        tokens.append("\n")
      case .word:
        tokens += line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        tokens.append(options.endToken)
      }
    }
    return tokens
  }

  /// `stream` as next-token examples of `length` steps: inputs `stream[i]`, targets
  /// `stream[i + 1]`, for i = 0 … count − 2.
  static func examples(of stream: [Int32], length: Int) -> [SequenceExample] {
    var examples: [SequenceExample] = []
    var first = 0
    let steps = stream.count - 1
    while first < steps {
      let last = min(steps, first + length)
      examples.append(
        SequenceExample(
          inputs: .sparse(stream[first..<last].map { [$0] }),
          targets: Array(stream[(first + 1)...last])))
      first = last
    }
    return examples
  }
}

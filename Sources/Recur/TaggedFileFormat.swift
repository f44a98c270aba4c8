/// How a tagging corpus lays out its files, for reading training data and for writing predicted
/// tags back into a file of the same kind.
public enum TaggedFileFormat: Sendable, Equatable {
  /// CoNLL-U, tagged in its UPOS or XPOS column.
  case conllu(tagColumn: CorpusReader.CoNLLUTagColumn)
  /// Whitespace-separated columns with the word and the tag at these 1-based columns.
  case columns(word: Int, tag: Int)

  /// The tagged sentences of a training file.
  public func read(_ path: String) throws(DataFileError) -> [TaggedSentence] {
    switch self {
    case .conllu(let column): try CorpusReader.readCoNLLU(path, tagColumn: column)
    case .columns(let word, let tag):
      try CorpusReader.readColumns(path, wordColumn: word, tagColumn: tag)
    }
  }
}

/// A file to tag, read with every line kept so that the predicted tags can be written into a copy
/// of it: CoNLL-U (tags go into the corpus's tag column, everything else untouched), column
/// files (the tag column is replaced, or added after the word), or plain text (a sentence per
/// line, whitespace-tokenised; written back as `word/TAG`).
public struct TaggedDocument: Sendable {
  public enum Kind: Sendable, Equatable {
    case file(TaggedFileFormat)
    case text
  }

  public let kind: Kind
  public private(set) var lines: [String]
  /// Per sentence, the words and the lines they stand on.
  public private(set) var sentences: [[(line: Int, word: String)]]

  /// Reads `path`; tags already in it are ignored (they may be `_`). A malformed line is an
  /// error naming the file and line.
  public init(contentsOf path: String, kind: Kind) throws(DataFileError) {
    self.kind = kind
    lines = []
    sentences = []
    var current: [(line: Int, word: String)] = []
    for (number, text) in try readLines(path) {
      lines.append(String(text))
      let index = lines.count - 1
      let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
      switch kind {
      case .text:
        if !fields.isEmpty { sentences.append(fields.map { (index, String($0)) }) }
        continue
      case .file(.conllu):
        if text.isEmpty || text.hasPrefix("#") { break }
        let columns = text.split(separator: "\t", omittingEmptySubsequences: false)
        guard columns.count == 10 else {
          throw DataFileError(
            file: path, line: number, "expected 10 tab-separated columns, found \(columns.count)",
            expected: "ID FORM LEMMA UPOS XPOS FEATS HEAD DEPREL DEPS MISC, separated by tabs")
        }
        if Int(columns[0]) != nil { current.append((index, String(columns[1]))) }
      case .file(.columns(let word, _)):
        if fields.isEmpty || fields[0] == "-DOCSTART-" { break }
        guard fields.count >= word else {
          throw DataFileError(
            file: path, line: number,
            "expected a word in column \(word), found \(fields.count) "
              + "column(s)", expected: "the word in column \(word)")
        }
        current.append((index, String(fields[word - 1])))
      }
      if text.isEmpty && !current.isEmpty {
        sentences.append(current)
        current = []
      }
    }
    if !current.isEmpty { sentences.append(current) }
    guard !sentences.isEmpty else {
      throw DataFileError(file: path, "holds no sentences", expected: "words to tag")
    }
  }

  /// The words of each sentence.
  public var words: [[String]] { sentences.map { $0.map(\.word) } }

  /// The document with `tags` (one per word, by sentence) written in.
  public func tagged(_ tags: [[String]]) -> String {
    var output = lines
    for (sentence, sentenceTags) in zip(sentences, tags) {
      switch kind {
      case .text:
        guard let line = sentence.first?.line else { continue }
        output[line] = zip(sentence, sentenceTags).map { "\($0.word)/\($1)" }.joined(separator: " ")
      case .file(.conllu(let column)):
        for (token, tag) in zip(sentence, sentenceTags) {
          var fields = output[token.line].split(separator: "\t", omittingEmptySubsequences: false)
            .map(String.init)
          fields[column == .upos ? 3 : 4] = tag
          output[token.line] = fields.joined(separator: "\t")
        }
      case .file(.columns(_, let tagColumn)):
        for (token, tag) in zip(sentence, sentenceTags) {
          var fields = output[token.line].split(whereSeparator: { $0 == " " || $0 == "\t" })
            .map(String.init)
          if fields.count >= tagColumn {
            fields[tagColumn - 1] = tag
          } else {
            fields.append(tag)
          }
          output[token.line] = fields.joined(separator: "\t")
        }
      }
    }
    return output.joined(separator: "\n") + "\n"
  }
}

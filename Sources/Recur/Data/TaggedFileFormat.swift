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

  /// A token line of a tagged file: where it stands in the file and its fields (CoNLL-U: the ten
  /// columns; column files: the fields between spaces and tabs).
  struct Token {
    var line: TextFile.Line
    /// The index of `line` in the file's lines.
    var index: Int
    var fields: [Substring]
  }

  /// The token lines of `file` by sentence, each through `read` (in file order, so the first
  /// error in the file is the one thrown): the one reading of the format that training,
  /// evaluation and prediction share. A blank line ends a sentence. CoNLL-U: `#` comment lines,
  /// multiword ranges (`3-4`) and empty nodes (`5.1`) hold no token; a line without ten
  /// tab-separated columns or with an ID that is none of these is an error. Column files:
  /// `-DOCSTART-` lines hold no token. How many columns a token needs is the caller's to check.
  func sentences<Read>(
    of file: TextFile, _ read: (Token) throws(DataFileError) -> Read
  ) throws(DataFileError) -> [[Read]] {
    var sentences: [[Read]] = []
    var current: [Read] = []
    for (index, line) in file.lines.enumerated() {
      try file.rejectCarriageReturn(in: line)
      let fields: [Substring]
      switch self {
      case .conllu:
        if line.text.hasPrefix("#") { continue }
        fields = line.text.isEmpty ? [] : Self.conlluColumns(line.text)
      case .columns:
        fields = line.text.split(whereSeparator: { $0 == " " || $0 == "\t" })
      }
      if fields.isEmpty {
        if !current.isEmpty { sentences.append(current) }
        current = []
        continue
      }
      switch self {
      case .conllu:
        guard fields.count == 10 else {
          throw DataFileError(
            file: file.path, line: line.number,
            "expected 10 tab-separated columns, found \(fields.count)",
            expected: "ID FORM LEMMA UPOS XPOS FEATS HEAD DEPREL DEPS MISC, separated by tabs")
        }
        let id = fields[0]
        if Self.isRange(id, separator: "-") || Self.isRange(id, separator: ".") { continue }
        guard let number = Int(id), number >= 1 else {
          throw DataFileError(
            file: file.path, line: line.number, "'\(id)' is not a word ID",
            expected: "an integer ≥ 1, a multiword range such as 3-4 or an empty node such as 5.1")
        }
      case .columns:
        if fields[0] == "-DOCSTART-" { continue }
      }
      current.append(try read(Token(line: line, index: index, fields: fields)))
    }
    if !current.isEmpty { sentences.append(current) }
    return sentences
  }

  /// The tab-separated columns of a CoNLL-U line, split on the tab byte: a column is what lies
  /// between tabs, whatever character follows a tab.
  static func conlluColumns(_ text: String) -> [Substring] {
    text.utf8.split(separator: 0x09, omittingEmptySubsequences: false).map { Substring($0) }
  }

  /// Whether `id` is two positive integers joined by `separator` (`3-4`, `5.1`).
  private static func isRange(_ id: Substring, separator: Character) -> Bool {
    let parts = id.split(separator: separator, omittingEmptySubsequences: false)
    return parts.count == 2 && parts.allSatisfy { Int($0) != nil }
  }
}

/// A file to tag, read with every line kept so that the predicted tags can be written into a copy
/// of it: CoNLL-U (tags go into the corpus's tag column, everything else untouched), column
/// files (the tag column is replaced, or added after the word), or plain text (a sentence per
/// line, whitespace-tokenised; written back as `word/TAG`). Every line keeps its line end (LF or
/// CRLF) and a byte order mark stays, so the tagged copy has the input's line ends.
public struct TaggedDocument: Sendable {
  public enum Kind: Sendable, Equatable {
    case file(TaggedFileFormat)
    case text
  }

  public let kind: Kind
  /// The lines as read, with their line ends.
  public let file: TextFile
  /// Per sentence, the words and the indices of the lines they stand on.
  public private(set) var sentences: [[(line: Int, word: String)]]

  /// Reads `path`; tags already in it are ignored (they may be `_`). A malformed line is an
  /// error naming the file and line.
  public init(contentsOf path: String, kind: Kind) throws(DataFileError) {
    self.kind = kind
    file = try TextFile(contentsOf: path)
    switch kind {
    case .text:
      sentences = []
      for (index, line) in file.lines.enumerated() {
        try file.rejectCarriageReturn(in: line)
        let words = line.text.split(whereSeparator: { $0 == " " || $0 == "\t" })
        if !words.isEmpty { sentences.append(words.map { (index, String($0)) }) }
      }
    case .file(let format):
      sentences = try format.sentences(of: file) { token throws(DataFileError) in
        var column = 1
        if case .columns(let word, _) = format {
          guard token.fields.count >= word else {
            throw DataFileError(
              file: path, line: token.line.number,
              "expected a word in column \(word), found \(token.fields.count) column(s)",
              expected: "the word in column \(word)")
          }
          column = word - 1
        }
        return (token.index, String(token.fields[column]))
      }
    }
    guard !sentences.isEmpty else {
      throw DataFileError(file: path, "holds no sentences", expected: "words to tag")
    }
  }

  /// The words of each sentence.
  public var words: [[String]] { sentences.map { $0.map(\.word) } }

  /// The document with `tags` (one per word, by sentence) written in, every line with the line
  /// end it had.
  public func tagged(_ tags: [[String]]) -> String {
    var output = file.lines.map { (text: $0.text, end: $0.end) }
    for (sentence, sentenceTags) in zip(sentences, tags) {
      switch kind {
      case .text:
        guard let line = sentence.first?.line else { continue }
        output[line].text =
          zip(sentence, sentenceTags).map { "\($0.word)/\($1)" }.joined(separator: " ")
      case .file(.conllu(let column)):
        for (token, tag) in zip(sentence, sentenceTags) {
          var fields = TaggedFileFormat.conlluColumns(output[token.line].text).map(String.init)
          fields[column == .upos ? 3 : 4] = tag
          output[token.line].text = fields.joined(separator: "\t")
        }
      case .file(.columns(_, let tagColumn)):
        for (token, tag) in zip(sentence, sentenceTags) {
          var fields = output[token.line].text.split(whereSeparator: { $0 == " " || $0 == "\t" })
            .map(String.init)
          if fields.count >= tagColumn {
            fields[tagColumn - 1] = tag
          } else {
            fields.append(tag)
          }
          output[token.line].text = fields.joined(separator: "\t")
        }
      }
    }
    return TextFile.text(output, byteOrderMark: file.hasByteOrderMark)
  }
}

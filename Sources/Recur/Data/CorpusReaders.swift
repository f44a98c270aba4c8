/// Readers of tagging corpora: sentences separated by blank lines, a token per line.
public enum CorpusReader {
  /// The tag a CoNLL-U reader takes.
  public enum CoNLLUTagColumn: String, Sendable, Codable, CaseIterable {
    /// Column 4, universal part-of-speech tags.
    case upos
    /// Column 5, language-specific tags.
    case xpos
  }

  /// Reads a CoNLL-U file (https://universaldependencies.org/format.html): ten tab-separated
  /// columns per word line, comment lines starting with `#` ignored, multiword-token lines (ID
  /// `3-4`) and empty nodes (ID `5.1`) skipped, a blank line after each sentence. Throws on a
  /// missing or empty file and on a malformed line, naming the line.
  public static func readCoNLLU(
    _ path: String, tagColumn: CoNLLUTagColumn
  ) throws(DataFileError) -> [TaggedSentence] {
    let column = tagColumn == .upos ? 3 : 4
    let name = tagColumn.rawValue.uppercased()
    let file = try TextFile(contentsOf: path)
    let format = TaggedFileFormat.conllu(tagColumn: tagColumn)
    let sentences = try format.sentences(of: file) { token throws(DataFileError) in
      let tag = token.fields[column]
      guard !tag.isEmpty, tag != "_" else {
        throw DataFileError(
          file: path, line: token.line.number,
          "word \(token.fields[0]) has no \(name) tag ('\(tag)')",
          expected: "a tag in column \(column + 1) (\(name))")
      }
      return (word: String(token.fields[1]), tag: String(tag))
    }.map { TaggedSentence(words: $0.map(\.word), tags: $0.map(\.tag)) }
    guard !sentences.isEmpty else {
      throw DataFileError(file: path, "holds no sentences", expected: "CoNLL-U word lines")
    }
    return sentences
  }

  /// Reads a column file as in the CoNLL-2000 and CoNLL-2003 shared tasks: fields separated by
  /// spaces or tabs, the word in column `wordColumn` and the tag in `tagColumn` (both 1-based),
  /// a blank line between sentences, `-DOCSTART-` lines skipped.
  public static func readColumns(
    _ path: String, wordColumn: Int, tagColumn: Int
  ) throws(DataFileError) -> [TaggedSentence] {
    let needed = max(wordColumn, tagColumn)
    let file = try TextFile(contentsOf: path)
    let format = TaggedFileFormat.columns(word: wordColumn, tag: tagColumn)
    let sentences = try format.sentences(of: file) { token throws(DataFileError) in
      guard token.fields.count >= needed else {
        throw DataFileError(
          file: path, line: token.line.number,
          "expected at least \(needed) columns, found \(token.fields.count)",
          expected: "the word in column \(wordColumn) and the tag in column \(tagColumn)")
      }
      return (
        word: String(token.fields[wordColumn - 1]), tag: String(token.fields[tagColumn - 1])
      )
    }.map { TaggedSentence(words: $0.map(\.word), tags: $0.map(\.tag)) }
    guard !sentences.isEmpty else {
      throw DataFileError(
        file: path, "holds no sentences", expected: "lines of word and tag columns")
    }
    return sentences
  }
}

extension TaggedCorpus {
  /// Reads train (required), dev and test in `format` and builds the corpus; a reader's error is
  /// tagged with the option that named its file.
  public static func load(
    train: String, dev: String?, test: String?, options: Options, format: TaggedFileFormat
  ) throws(DataFileError) -> TaggedCorpus {
    var sentences: [Split: [TaggedSentence]] = [:]
    var files: [String] = []
    for (split, path) in [(Split.train, train), (.dev, dev), (.test, test)] {
      guard let path else { continue }
      do {
        sentences[split] = try format.read(path)
      } catch {
        var located = error
        located.option = located.option ?? split.rawValue
        throw located
      }
      files.append(path)
    }
    return TaggedCorpus(sentences: sentences, files: files, options: options, format: format)
  }
}

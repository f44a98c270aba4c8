import Foundation

/// Reads the lines of a UTF-8 text file, numbered from 1, without their line ends (LF or CRLF).
func readLines(_ path: String) throws(DataFileError) -> [(number: Int, text: Substring)] {
  var isDirectory: ObjCBool = false
  guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
    throw DataFileError(
      file: path, "no such file", expected: "a path relative to the working directory or absolute")
  }
  guard !isDirectory.boolValue else { throw DataFileError(file: path, "is a folder, not a file") }
  guard let data = FileManager.default.contents(atPath: path) else {
    throw DataFileError(file: path, "cannot be read")
  }
  guard let text = String(data: data, encoding: .utf8) else {
    throw DataFileError(file: path, "is not UTF-8 text")
  }
  var lines: [(number: Int, text: Substring)] = []
  for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
    lines.append((index + 1, line.last == "\r" ? line.dropLast() : line))
  }
  if lines.last?.text.isEmpty == true { lines.removeLast() }
  return lines
}

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
    var sentences: [TaggedSentence] = []
    var current = TaggedSentence(words: [], tags: [])
    for (number, line) in try readLines(path) {
      if line.isEmpty {
        if !current.words.isEmpty { sentences.append(current) }
        current = TaggedSentence(words: [], tags: [])
        continue
      }
      if line.hasPrefix("#") { continue }
      let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
      guard fields.count == 10 else {
        throw DataFileError(
          file: path, line: number,
          "expected 10 tab-separated columns, found \(fields.count)",
          expected: "ID FORM LEMMA UPOS XPOS FEATS HEAD DEPREL DEPS MISC, separated by tabs")
      }
      let id = fields[0]
      if isRange(id, separator: "-") || isRange(id, separator: ".") { continue }
      guard let index = Int(id), index >= 1 else {
        throw DataFileError(
          file: path, line: number, "'\(id)' is not a word ID",
          expected: "an integer ≥ 1, a multiword range such as 3-4 or an empty node such as 5.1")
      }
      let tag = fields[column]
      guard !tag.isEmpty, tag != "_" else {
        throw DataFileError(
          file: path, line: number, "word \(index) has no \(name) tag ('\(tag)')",
          expected: "a tag in column \(column + 1) (\(name))")
      }
      current.words.append(String(fields[1]))
      current.tags.append(String(tag))
    }
    if !current.words.isEmpty { sentences.append(current) }
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
    var sentences: [TaggedSentence] = []
    var current = TaggedSentence(words: [], tags: [])
    for (number, line) in try readLines(path) {
      let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
      if fields.isEmpty {
        if !current.words.isEmpty { sentences.append(current) }
        current = TaggedSentence(words: [], tags: [])
        continue
      }
      if fields[0] == "-DOCSTART-" { continue }
      guard fields.count >= needed else {
        throw DataFileError(
          file: path, line: number,
          "expected at least \(needed) columns, found \(fields.count)",
          expected: "the word in column \(wordColumn) and the tag in column \(tagColumn)")
      }
      current.words.append(String(fields[wordColumn - 1]))
      current.tags.append(String(fields[tagColumn - 1]))
    }
    if !current.words.isEmpty { sentences.append(current) }
    guard !sentences.isEmpty else {
      throw DataFileError(
        file: path, "holds no sentences", expected: "lines of word and tag columns")
    }
    return sentences
  }

  /// Whether `id` is two positive integers joined by `separator` (`3-4`, `5.1`).
  private static func isRange(_ id: Substring, separator: Character) -> Bool {
    let parts = id.split(separator: separator, omittingEmptySubsequences: false)
    return parts.count == 2 && parts.allSatisfy { Int($0) != nil }
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

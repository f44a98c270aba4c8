import Foundation
import Recur
import Testing

/// Files written by the tests into a fresh folder.
struct FixtureFiles {
  let folder: URL

  init() throws {
    folder = FileManager.default.temporaryDirectory
      .appendingPathComponent("recur-data-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  }

  /// Writes `text` to `name` and returns its path.
  func write(_ name: String, _ text: String) throws -> String {
    let url = folder.appendingPathComponent(name)
    try text.write(to: url, atomically: true, encoding: .utf8)
    return url.path
  }

  /// Writes `bytes` to `name` as they are and returns its path.
  func write(_ name: String, bytes: [UInt8]) throws -> String {
    let url = folder.appendingPathComponent(name)
    try Data(bytes).write(to: url)
    return url.path
  }

  func path(_ name: String) -> String { folder.appendingPathComponent(name).path }
}

/// A CoNLL-U word line with the given ID, form, UPOS and XPOS.
func conlluLine(_ id: String, _ form: String, _ upos: String, _ xpos: String = "X") -> String {
  [id, form, "_", upos, xpos, "_", "0", "root", "_", "_"].joined(separator: "\t")
}

@Suite struct CorpusReaderTests {
  /// Line 1 comment, 2–3 words, 4 a multiword range (skipped), 5–6 its words, 7 an empty node
  /// (skipped), 8 blank, 9 comment, 10 a word, 11 blank.
  static let conllu =
    [
      "# sent_id = 1",
      conlluLine("1", "They", "PRON", "PRP"),
      conlluLine("2", "say", "VERB", "VBP"),
      conlluLine("3-4", "don't", "_", "_"),
      conlluLine("3", "do", "AUX", "VBP"),
      conlluLine("4", "n't", "PART", "RB"),
      conlluLine("4.1", "go", "VERB", "VB"),
      "",
      "# sent_id = 2",
      conlluLine("1", "Yes", "INTJ", "UH"),
      "",
    ].joined(separator: "\n") + "\n"

  @Test func conlluSkipsCommentsRangesAndEmptyNodes() throws {
    let files = try FixtureFiles()
    let path = try files.write("a.conllu", Self.conllu)
    let upos = try CorpusReader.readCoNLLU(path, tagColumn: .upos)
    #expect(
      upos == [
        TaggedSentence(
          words: ["They", "say", "do", "n't"], tags: ["PRON", "VERB", "AUX", "PART"]),
        TaggedSentence(words: ["Yes"], tags: ["INTJ"]),
      ])
    let xpos = try CorpusReader.readCoNLLU(path, tagColumn: .xpos)
    #expect(xpos.map(\.tags) == [["PRP", "VBP", "VBP", "RB"], ["UH"]])
  }

  /// Every malformed case names the file and the line.
  @Test(arguments: [
    (
      conlluLine("1", "a", "NOUN") + "\n" + "2\tb\tNOUN\n", 2,
      "expected 10 tab-separated columns, found 3"
    ),
    ("# c\n" + conlluLine("x", "a", "NOUN") + "\n", 2, "'x' is not a word ID"),
    (conlluLine("1", "a", "_") + "\n", 1, "word 1 has no UPOS tag ('_')"),
  ])
  func conlluMalformedLines(_ text: String, _ line: Int, _ message: String) throws {
    let files = try FixtureFiles()
    let path = try files.write("bad.conllu", text)
    let error = #expect(throws: DataFileError.self) {
      try CorpusReader.readCoNLLU(path, tagColumn: .upos)
    }
    #expect(error?.file == path)
    #expect(error?.line == line)
    #expect(error?.message == message)
    #expect(error?.description == "\(path):\(line): \(message)")
  }

  @Test func missingAndEmptyFiles() throws {
    let files = try FixtureFiles()
    let missing = #expect(throws: DataFileError.self) {
      try CorpusReader.readCoNLLU(files.path("nowhere.conllu"), tagColumn: .upos)
    }
    #expect(missing?.message == "no such file")
    #expect(missing?.line == nil)
    let empty = try files.write("empty.conllu", "# only a comment\n\n")
    let error = #expect(throws: DataFileError.self) {
      try CorpusReader.readCoNLLU(empty, tagColumn: .upos)
    }
    #expect(error?.message == "holds no sentences")
    #expect(error?.description == "\(empty): holds no sentences")
  }

  @Test func columnFiles() throws {
    let files = try FixtureFiles()
    let path = try files.write(
      "a.conll",
      "-DOCSTART- -X- O O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n\n\nPeter NNP B-NP B-PER\n")
    let sentences = try CorpusReader.readColumns(path, wordColumn: 1, tagColumn: 4)
    #expect(
      sentences == [
        TaggedSentence(words: ["EU", "rejects"], tags: ["B-ORG", "O"]),
        TaggedSentence(words: ["Peter"], tags: ["B-PER"]),
      ])
    let bad = try files.write("bad.conll", "EU NNP\nrejects\n")
    let error = #expect(throws: DataFileError.self) {
      try CorpusReader.readColumns(bad, wordColumn: 1, tagColumn: 2)
    }
    #expect(error?.line == 2)
    #expect(error?.message == "expected at least 2 columns, found 1")
  }

  /// The CoNLL column file of the issue, CRLF line ends: two sentences of two tokens, not one
  /// token tagged "DT\r\ndog".
  @Test func crlfColumnFile() throws {
    let files = try FixtureFiles()
    let path = try files.write("crlf.conll", "The DT\r\ndog NN\r\n\r\nA DT\r\ncat NN\r\n")
    let sentences = try CorpusReader.readColumns(path, wordColumn: 1, tagColumn: 2)
    #expect(
      sentences == [
        TaggedSentence(words: ["The", "dog"], tags: ["DT", "NN"]),
        TaggedSentence(words: ["A", "cat"], tags: ["DT", "NN"]),
      ])
    let withMark = try files.write("bom.conll", "\u{FEFF}The DT\r\ndog NN\r\n\r\nA DT\r\ncat NN")
    #expect(try CorpusReader.readColumns(withMark, wordColumn: 1, tagColumn: 2) == sentences)
  }

  /// Classic Mac OS line ends (CR alone) are refused at the first CR, not read as one line.
  @Test func crOnlyLineEndsAreAnError() throws {
    let files = try FixtureFiles()
    let path = try files.write("cr.conll", "The DT\rdog NN\r\rA DT\r")
    let error = #expect(throws: DataFileError.self) {
      try CorpusReader.readColumns(path, wordColumn: 1, tagColumn: 2)
    }
    #expect(error?.line == 1)
    #expect(
      error?.message == "a carriage return (CR) at byte 7 of the line, not followed by a line feed")
    let text = #expect(throws: DataFileError.self) {
      try TaggedDocument(contentsOf: path, kind: .text)
    }
    #expect(text == error)
  }

  /// CoNLL-U with CRLF line ends and a byte order mark before its first comment reads as the
  /// LF file; a malformed line is still found at its line.
  @Test func crlfCoNLLUWithByteOrderMark() throws {
    let files = try FixtureFiles()
    let lf = try CorpusReader.readCoNLLU(
      try files.write("lf.conllu", Self.conllu), tagColumn: .upos)
    let crlf = "\u{FEFF}" + Self.conllu.replacingOccurrences(of: "\n", with: "\r\n")
    let path = try files.write("crlf.conllu", crlf)
    #expect(try CorpusReader.readCoNLLU(path, tagColumn: .upos) == lf)
    #expect(
      try CorpusReader.readCoNLLU(path, tagColumn: .xpos).map(\.tags) == [
        ["PRP", "VBP", "VBP", "RB"], ["UH"],
      ])
    let bad = try files.write("bad.conllu", "\u{FEFF}# c\r\n1\tdogs\tNOUN\r\n")
    let error = #expect(throws: DataFileError.self) {
      try CorpusReader.readCoNLLU(bad, tagColumn: .upos)
    }
    #expect(error?.line == 2)
    #expect(error?.message == "expected 10 tab-separated columns, found 3")
  }

  /// A Latin-1 é on line 3 of a CoNLL-U file: the reader says the line and the byte.
  @Test func invalidUTF8InACorpus() throws {
    let files = try FixtureFiles()
    let head = Array("# c\n\(conlluLine("1", "a", "NOUN"))\n".utf8)
    let path = try files.write(
      "latin1.conllu", bytes: head + Array("2\tcaf".utf8) + [0xE9] + Array("\t_\tNOUN\n".utf8))
    let message =
      "invalid UTF-8: byte 0xE9 at byte 6 of the line (offset \(head.count + 5) in the file)"
    let conllu = #expect(throws: DataFileError.self) {
      try CorpusReader.readCoNLLU(path, tagColumn: .upos)
    }
    #expect(conllu?.line == 3)
    #expect(conllu?.message == message)
    let columns = #expect(throws: DataFileError.self) {
      try CorpusReader.readColumns(path, wordColumn: 2, tagColumn: 4)
    }
    #expect(columns?.line == 3)
    #expect(columns?.message == message)
  }

  /// Train: "the cat sat" DET NOUN VERB, "the dog" DET NOUN; dev: "the Emu runs" DET NOUN XYZ.
  /// Vocabulary (lowercased, min_count 1): <unk> the cat sat dog → 5 words; tags sorted
  /// DET NOUN VERB. Dev: "the" known, "Emu" unknown, "runs" unknown, tag XYZ unseen → not scored.
  @Test func corpusBuildsFromTrainOnly() throws {
    let options = TaggedCorpus.Options(
      minCount: 1, lowercase: true, unknownToken: "<unk>",
      features: WordFeatures(prefixLength: 0, suffixLength: 1, shape: false, buckets: 10))
    let corpus = TaggedCorpus(
      sentences: [
        .train: [
          TaggedSentence(words: ["the", "cat", "sat"], tags: ["DET", "NOUN", "VERB"]),
          TaggedSentence(words: ["the", "dog"], tags: ["DET", "NOUN"]),
        ],
        .dev: [TaggedSentence(words: ["the", "Emu", "runs"], tags: ["DET", "NOUN", "XYZ"])],
      ], files: ["t", "d"], options: options)
    #expect(corpus.vocabulary.words == ["<unk>", "the", "cat", "sat", "dog"])
    #expect(corpus.info.labels == ["DET", "NOUN", "VERB"])
    #expect(corpus.info.inputSize == 5 + 10)
    #expect(corpus.info.outputSize == 3)
    let dev = try #require(corpus.examples(.dev).first)
    #expect(dev.targets == [0, 1, -1])
    #expect(dev.unknown == [false, true, true])
    guard case .sparse(let steps) = dev.inputs else {
      Issue.record("tagging inputs are sparse")
      return
    }
    // Word index first, then the suffix bucket 5 + fnv1a("s1:" + last letter) % 10.
    #expect(steps.map(\.first) == [1, 0, 0])
    #expect(steps.allSatisfy { $0.count == 2 && (5..<15).contains($0[1]) })
    #expect(
      corpus.warnings == [
        "dev: 1 token(s) carry tags never seen in train (XYZ ×1); they are not scored"
      ])
    #expect(
      corpus.info.facts.first { $0.name == "unseen_tag_share" && $0.split == .dev }?.value
        == 1.0 / 3.0)
    #expect(
      corpus.info.facts.first { $0.name == "unknown_word_share" && $0.split == .dev }?.value
        == 2.0 / 3.0)
    #expect(corpus.dataFiles == ["t", "d"])
    let artifact = try #require(corpus.artifacts.first)
    #expect(artifact.name == "vocabulary.json")
    let json = try #require(
      try JSONSerialization.jsonObject(with: artifact.contents) as? [String: Any])
    #expect(json["words"] as? [String] == ["<unk>", "the", "cat", "sat", "dog"])
    #expect(json["tags"] as? [String] == ["DET", "NOUN", "VERB"])
    #expect(json["feature_offset"] as? Int == 5)
  }

  @Test func loadTagsErrorsWithTheSplitOption() throws {
    let files = try FixtureFiles()
    let train = try files.write("train.conllu", Self.conllu)
    let error = #expect(throws: DataFileError.self) {
      try TaggedCorpus.load(
        train: train, dev: files.path("missing.conllu"), test: nil,
        options: TaggedCorpus.Options(
          minCount: 1, lowercase: true, unknownToken: "<unk>",
          features: WordFeatures(prefixLength: 0, suffixLength: 0, shape: false, buckets: 1)),
        format: .conllu(tagColumn: .upos))
    }
    #expect(error?.option == "dev")
    #expect(error?.message == "no such file")
  }
}

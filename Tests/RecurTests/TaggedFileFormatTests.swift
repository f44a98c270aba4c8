import Recur
import Testing

@Suite struct TaggedFileFormatTests {
  /// Column files: the tag column is replaced where a line has it and added where it does not;
  /// `-DOCSTART-` and blank lines stay.
  @Test func columnFilesGetTheirTagColumn() throws {
    let files = try FixtureFiles()
    let path = try files.write(
      "input.txt", "-DOCSTART- -X- O\n\nThe DT B-NP\nfox NN I-NP\n\nRuns\n")
    let document = try TaggedDocument(
      contentsOf: path, kind: .file(.columns(word: 1, tag: 3)))
    #expect(document.words == [["The", "fox"], ["Runs"]])
    #expect(
      document.tagged([["A", "B"], ["C"]])
        == "-DOCSTART- -X- O\n\nThe\tDT\tA\nfox\tNN\tB\n\nRuns\tC\n")
  }

  /// CoNLL-U: only the XPOS column changes; comments, multiword ranges and empty nodes stay.
  @Test func conlluKeepsEverythingButTheTagColumn() throws {
    let files = try FixtureFiles()
    let lines = [
      "# text = don't go", conlluLine("1-2", "don't", "_", "_"), conlluLine("1", "do", "AUX"),
      conlluLine("2", "n't", "PART"), conlluLine("2.1", "x", "_", "_"),
      conlluLine("3", "go", "VERB"),
      "",
    ]
    let path = try files.write("in.conllu", lines.joined(separator: "\n") + "\n")
    let document = try TaggedDocument(contentsOf: path, kind: .file(.conllu(tagColumn: .xpos)))
    #expect(document.words == [["do", "n't", "go"]])
    let output = document.tagged([["V1", "V2", "V3"]]).split(
      separator: "\n", omittingEmptySubsequences: false)
    #expect(output[0] == "# text = don't go")
    #expect(output[1] == Substring(lines[1]))
    #expect(output[2] == Substring(conlluLine("1", "do", "AUX", "V1")))
    #expect(output[4] == Substring(lines[4]))
    #expect(output[5] == Substring(conlluLine("3", "go", "VERB", "V3")))
  }

  /// A CRLF CoNLL-U file with a byte order mark comes back with CRLF line ends and the mark;
  /// a file mixing line ends and lacking a final one keeps each line's own end.
  @Test func taggedCopyKeepsTheLineEnds() throws {
    let files = try FixtureFiles()
    let lines = ["# c", conlluLine("1", "dogs", "_"), conlluLine("2", "run", "_"), ""]
    let path = try files.write("crlf.conllu", "\u{FEFF}" + lines.joined(separator: "\r\n") + "\r\n")
    let document = try TaggedDocument(contentsOf: path, kind: .file(.conllu(tagColumn: .upos)))
    #expect(document.words == [["dogs", "run"]])
    let expected = [
      "# c", conlluLine("1", "dogs", "NOUN"), conlluLine("2", "run", "VERB"), "",
    ]
    #expect(
      document.tagged([["NOUN", "VERB"]])
        == "\u{FEFF}" + expected.joined(separator: "\r\n") + "\r\n")

    let mixed = try files.write("mixed.txt", "The DT\r\ndog NN\n\r\nA DT\ncat NN")
    let columns = try TaggedDocument(contentsOf: mixed, kind: .file(.columns(word: 1, tag: 2)))
    #expect(columns.words == [["The", "dog"], ["A", "cat"]])
    #expect(
      columns.tagged([["a", "b"], ["c", "d"]]) == "The\ta\r\ndog\tb\n\r\nA\tc\ncat\td")
  }

  /// Plain text with CRLF: a sentence per line, not one merged line; the words carry no CR.
  @Test func plainTextWithCRLF() throws {
    let files = try FixtureFiles()
    let path = try files.write("plain.txt", "\u{FEFF}dogs run\r\n\r\ncats sleep\r\n")
    let document = try TaggedDocument(contentsOf: path, kind: .text)
    #expect(document.words == [["dogs", "run"], ["cats", "sleep"]])
    #expect(
      document.tagged([["N", "V"], ["N", "V"]])
        == "\u{FEFF}dogs/N run/V\r\n\r\ncats/N sleep/V\r\n")
  }

  /// Prediction reads CoNLL-U the way training does: an ID that is no word ID, range or empty
  /// node is an error at its line, not a line silently left untagged.
  @Test func predictionChecksWordIDs() throws {
    let files = try FixtureFiles()
    let path = try files.write(
      "bad.conllu", conlluLine("1", "a", "_") + "\n" + conlluLine("two", "b", "_") + "\n")
    let error = #expect(throws: DataFileError.self) {
      try TaggedDocument(contentsOf: path, kind: .file(.conllu(tagColumn: .upos)))
    }
    #expect(error?.line == 2)
    #expect(error?.message == "'two' is not a word ID")
  }

  @Test func anEmptyInputIsAnError() throws {
    let files = try FixtureFiles()
    let path = try files.write("empty.txt", "\n\n")
    #expect(throws: DataFileError.self) { try TaggedDocument(contentsOf: path, kind: .text) }
  }
}

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

  @Test func anEmptyInputIsAnError() throws {
    let files = try FixtureFiles()
    let path = try files.write("empty.txt", "\n\n")
    #expect(throws: DataFileError.self) { try TaggedDocument(contentsOf: path, kind: .text) }
  }
}

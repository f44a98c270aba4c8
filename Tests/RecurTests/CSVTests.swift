import Recur
import Testing

@Suite struct CSVTests {
  static func records(_ text: String) throws -> [CSV.Record] {
    try CSV.records(in: TextFile(path: "t.csv", bytes: Array(text.utf8)))
  }

  /// RFC 4180 section 2: quoted commas, doubled quotes, line breaks inside quotes (kept as
  /// written, LF or CRLF), empty quoted fields; spaces around a field dropped unless quoted;
  /// blank lines skipped. Each field knows the line it starts on.
  @Test func quotedFields() throws {
    let text =
      "id, name ,note\r\n"
      + "1,\"Smith, J\",\"say \"\"hi\"\"\"\r\n"
      + "\r\n"
      + "2,\"two\r\nlines\",\"\"\n"
      + "3, \" padded \" ,\"a\nb\"\n"
    let records = try Self.records(text)
    #expect(
      records.map(\.fields) == [
        ["id", "name", "note"],
        ["1", "Smith, J", "say \"hi\""],
        ["2", "two\r\nlines", ""],
        ["3", " padded ", "a\nb"],
      ])
    #expect(records.map(\.line) == [1, 2, 4, 6])
    #expect(records.map(\.fieldLines) == [[1, 1, 1], [2, 2, 2], [4, 4, 5], [6, 6, 6]])
  }

  /// A record's count of fields: a trailing comma is an empty last field; a lone quoted empty
  /// field is one field, while a blank line is none.
  @Test func emptyFields() throws {
    #expect(try Self.records("a,\n\"\"\n,\n").map(\.fields) == [["a", ""], [""], ["", ""]])
  }

  /// Each malformed case at the line where it is: the quote that is never closed at the line
  /// it opens on, however many lines follow.
  @Test(arguments: [
    ("a,b\n1,\"open\n2,3\n4,5\n", 2, "the quoted field 2 is not closed by the end of the file"),
    ("a,b\n1,\"open", 2, "the quoted field 2 is not closed by the end of the file"),
    ("a,b\n\"x\"y,2\n", 2, "'y' after the closing quote of field 1"),
    ("a,b\n1,\"two\nlines\" z\n", 3, "'z' after the closing quote of field 2"),
    ("a,b\n1,ab\"c\n", 2, "a quote inside the unquoted field 2"),
    (
      "a,b\r\n\"x\ry\",2\r3\r\n", 2,
      "a carriage return (CR) at byte 8 of the line, not followed by a line feed"
    ),
  ])
  func malformed(_ text: String, _ line: Int, _ message: String) throws {
    let error = #expect(throws: DataFileError.self) { try Self.records(text) }
    #expect(error?.file == "t.csv")
    #expect(error?.line == line)
    #expect(error?.message == message)
  }

  /// The writers' quoting: only fields that need it are quoted, and every field reads back as
  /// it was written, whatever it holds.
  @Test func fieldQuotingRoundTrips() throws {
    #expect(CSV.field("plain") == "plain")
    #expect(CSV.field("1.5e-3") == "1.5e-3")
    #expect(CSV.field("a,b") == "\"a,b\"")
    #expect(CSV.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
    #expect(CSV.field(" edge") == "\" edge\"")
    #expect(CSV.field("two\r\nlines") == "\"two\r\nlines\"")
    let rows = [
      ["plain", "a,b", "say \"hi\"", "", " edge", "tab\t"],
      ["two\nlines", "two\r\nlines", "\"", ",", "é, ü", "x\r"],
      [""],
      ["", ""],
    ]
    let text = CSV.text(rows)
    #expect(try Self.records(text).map(\.fields) == rows)
  }

  /// The confusion matrix's labels go through the same quoting and read back as they were.
  @Test func confusionMatrixReadsBack() throws {
    let labels = ["a,b", "say \"x\"", "plain"]
    let matrix = ConfusionMatrix(classes: 3)
    let records = try Self.records(matrix.csv(labels: labels)).map(\.fields)
    #expect(records[0] == ["gold\\predicted"] + labels)
    #expect(records.dropFirst().map { $0[0] } == labels)
    #expect(records.dropFirst().allSatisfy { $0.dropFirst() == ["0", "0", "0"] })
  }
}

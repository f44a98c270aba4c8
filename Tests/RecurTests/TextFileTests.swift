import Recur
import Testing

@Suite struct TextFileTests {
  static func read(_ text: String) throws -> TextFile {
    try TextFile(path: "t.txt", bytes: Array(text.utf8))
  }

  /// LF, CRLF and a last line without a line end, each line keeping its own end; a lone CR is
  /// text, not a line end.
  @Test func lineEndsLFAndCRLFAlike() throws {
    let file = try Self.read("a b\r\n\r\nc\rd\nlast")
    #expect(file.lines.map(\.text) == ["a b", "", "c\rd", "last"])
    #expect(file.lines.map(\.end) == [.crlf, .crlf, .lf, TextFile.LineEnd.none])
    #expect(file.lines.map(\.number) == [1, 2, 3, 4])
    #expect(!file.hasByteOrderMark)
    #expect(try Self.read("x\n").lines.count == 1)
    #expect(try Self.read("").lines.isEmpty)
  }

  /// The byte order mark is not part of the first line; writing the lines back gives the same
  /// bytes.
  @Test func byteOrderMarkIsLeftOutAndWrittenBack() throws {
    let text = "\u{FEFF}# c\r\nword\r\n\nend"
    let file = try Self.read(text)
    #expect(file.hasByteOrderMark)
    #expect(file.lines.first?.text == "# c")
    let written = TextFile.text(
      file.lines.map { ($0.text, $0.end) }, byteOrderMark: file.hasByteOrderMark)
    #expect(Array(written.utf8) == Array(text.utf8))
  }

  /// "ok\n" is bytes 0–2; line 2 is "ab" then 0xE9 (Latin-1 é) at offset 5, byte 3 of the line.
  @Test func invalidUTF8NamesTheLineAndTheByte() throws {
    let bytes: [UInt8] = Array("ok\nab".utf8) + [0xE9] + Array("cd\n".utf8)
    let error = #expect(throws: DataFileError.self) {
      try TextFile(path: "latin1.txt", bytes: bytes)
    }
    #expect(error?.line == 2)
    #expect(
      error?.description
        == "latin1.txt:2: invalid UTF-8: byte 0xE9 at byte 3 of the line (offset 5 in the file)")
    // After a byte order mark and a valid two-byte é, a truncated sequence: E2 82 then a space.
    let truncated: [UInt8] = [0xEF, 0xBB, 0xBF, 0xC3, 0xA9, 0xE2, 0x82, 0x20]
    let second = #expect(throws: DataFileError.self) {
      try TextFile(path: "t.txt", bytes: truncated)
    }
    #expect(second?.line == 1)
    #expect(
      second?.message == "invalid UTF-8: byte 0xE2 at byte 3 of the line (offset 5 in the file)")
  }

  @Test func utf16IsNamed() throws {
    let error = #expect(throws: DataFileError.self) {
      try TextFile(path: "t.txt", bytes: [0xFF, 0xFE, 0x61, 0x00])
    }
    #expect(error?.message == "is UTF-16 text (it starts with a UTF-16 byte order mark)")
  }
}

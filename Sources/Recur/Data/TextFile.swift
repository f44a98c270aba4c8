import Foundation

/// A UTF-8 text file split into lines, the one way every data reader reads a file: LF and CRLF
/// line ends alike (a line keeps which one it had), a leading UTF-8 byte order mark left out of
/// the first line and remembered. Invalid UTF-8 is an error naming the line and the byte. A CR
/// not followed by LF stays in the line's text (`rejectCarriageReturn` refuses it).
public struct TextFile: Sendable {
  /// How a line ends in the file.
  public enum LineEnd: String, Sendable {
    /// Unix: a line feed.
    case lf = "\n"
    /// Windows: a carriage return and a line feed.
    case crlf = "\r\n"
    /// The last line of a file that does not end with a line break.
    case none = ""
  }

  /// One line, without its line end.
  public struct Line: Sendable {
    /// 1-based.
    public var number: Int
    /// The line's characters, its line end (and on line 1 the byte order mark) left out.
    public var text: String
    /// How the line ended in the file.
    public var end: LineEnd
  }

  /// The path as the caller gave it, for error messages.
  public let path: String
  /// Whether the file starts with a UTF-8 byte order mark (EF BB BF).
  public let hasByteOrderMark: Bool
  /// Every line in file order; a final line break does not start another line.
  public let lines: [Line]

  /// Reads the file at `path`; throws on a missing, unreadable or non-UTF-8 file.
  public init(contentsOf path: String) throws(DataFileError) {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw DataFileError(
        file: path, "no such file",
        expected: "a path relative to the working directory or absolute")
    }
    guard !isDirectory.boolValue else { throw DataFileError(file: path, "is a folder, not a file") }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw DataFileError(file: path, "cannot be read")
    }
    try self.init(path: path, bytes: [UInt8](data))
  }

  /// Splits `bytes`, the contents of the file at `path`, into lines.
  public init(path: String, bytes: [UInt8]) throws(DataFileError) {
    self.path = path
    if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
      throw DataFileError(
        file: path, line: 1, "is UTF-16 text (it starts with a UTF-16 byte order mark)",
        expected: "UTF-8 text (e.g. iconv -f UTF-16 -t UTF-8)")
    }
    hasByteOrderMark = bytes.starts(with: [0xEF, 0xBB, 0xBF])
    var lines: [Line] = []
    var start = hasByteOrderMark ? 3 : 0
    while start < bytes.count {
      let newline = Self.firstNewline(in: bytes, from: start)
      var end = newline ?? bytes.count
      var lineEnd = LineEnd.none
      if let newline {
        lineEnd = newline > start && bytes[newline - 1] == 0x0D ? .crlf : .lf
        end = lineEnd == .crlf ? newline - 1 : newline
      }
      let content = bytes[start..<end]
      guard let text = String(validating: content, as: UTF8.self) else {
        let column = Self.firstInvalidByte(content)
        throw DataFileError(
          file: path, line: lines.count + 1,
          "invalid UTF-8: byte 0x\(String(content[start + column], radix: 16, uppercase: true)) "
            + "at byte \(column + 1) of the line (offset \(start + column) in the file)",
          expected: "UTF-8 text (e.g. iconv -f LATIN1 -t UTF-8 for a Latin-1 file)")
      }
      lines.append(Line(number: lines.count + 1, text: text, end: lineEnd))
      start = (newline ?? bytes.count) + 1
    }
    self.lines = lines
  }

  /// Throws when `line` holds a carriage return (one that ends a line is part of its CRLF, not
  /// of the text): the readers that split lines into words or columns call it, so that a file
  /// with classic Mac OS line ends (CR alone) is refused instead of read as one long line.
  public func rejectCarriageReturn(in line: Line) throws(DataFileError) {
    guard let index = line.text.utf8.firstIndex(of: 0x0D) else { return }
    throw carriageReturn(in: line, at: index)
  }

  /// The error for the carriage return at `index` in `line`'s text.
  func carriageReturn(in line: Line, at index: String.Index) -> DataFileError {
    let column = line.text.utf8.distance(from: line.text.utf8.startIndex, to: index) + 1
    return DataFileError(
      file: path, line: line.number,
      "a carriage return (CR) at byte \(column) of the line, not followed by a line feed",
      expected: "LF or CRLF line ends (convert CR-only line ends, e.g. tr '\\r' '\\n')")
  }

  /// The lines written back, each with its own line end, after the byte order mark if the file
  /// had one: the file's bytes again when `lines` are unchanged.
  public static func text(_ lines: [(text: String, end: LineEnd)], byteOrderMark: Bool) -> String {
    (byteOrderMark ? "\u{FEFF}" : "") + lines.map { $0.text + $0.end.rawValue }.joined()
  }

  /// The index of the first LF at or after `start`.
  static func firstNewline(in bytes: [UInt8], from start: Int) -> Int? {
    bytes.withUnsafeBufferPointer { buffer in
      guard let base = buffer.baseAddress,
        let found = memchr(base + start, 0x0A, buffer.count - start)
      else { return nil }
      return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }
  }

  /// The index in `bytes` (from its start) of the first byte that does not begin or continue a
  /// valid UTF-8 sequence; `bytes` holds at least one.
  static func firstInvalidByte(_ bytes: ArraySlice<UInt8>) -> Int {
    var iterator = bytes.makeIterator()
    var decoder = UTF8()
    var offset = 0
    while case .scalarValue(let scalar) = decoder.decode(&iterator) {
      offset += UTF8.width(scalar)
    }
    return offset
  }
}

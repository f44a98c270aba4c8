import Foundation

/// Comma-separated values as RFC 4180 defines them, read and written the one way Recur does: a
/// field may be quoted with `"`, and then holds commas, line breaks and quotes written `""`.
/// Spaces and tabs around a field are not part of it (inside quotes they are). Blank lines
/// outside quotes hold no record.
public enum CSV {
  /// A record read from a file: its fields and the line each starts on.
  public struct Record: Sendable, Equatable {
    /// The line the record starts on (1-based).
    public var line: Int
    /// The fields' values: unquoted, with `""` read as `"`.
    public var fields: [String]
    /// Per field, the line it starts on: later than `line` after a quoted line break.
    public var fieldLines: [Int]
  }

  /// `text` as a field: quoted when it holds a comma, a quote or a line break, or starts or ends
  /// with a space or tab, so that `records` reads it back as it is.
  public static func field(_ text: String) -> String {
    let scalars = text.unicodeScalars
    let needsQuotes =
      scalars.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }
      || scalars.first.map(isBlank) == true || scalars.last.map(isBlank) == true
    guard needsQuotes else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }

  /// One record: every field through `field`, joined by commas, without a line end. A lone
  /// empty field is written `""`, since a blank line holds no record.
  public static func record(_ fields: [String]) -> String {
    fields == [""] ? "\"\"" : fields.map(field).joined(separator: ",")
  }

  /// Records, one per line (LF), each ending with a line end.
  public static func text(_ records: [[String]]) -> String {
    records.map { record($0) + "\n" }.joined()
  }

  /// The records of `file`. Throws, at the line where it happens, on a quote inside an unquoted
  /// field, on text after a closing quote, on a carriage return outside quotes that does not end
  /// a line, and on a quoted field still open at the end of the file (at the line it opens on).
  public static func records(in file: TextFile) throws(DataFileError) -> [Record] {
    var records: [Record] = []
    var index = 0
    while index < file.lines.count {
      let first = file.lines[index]
      guard !first.text.unicodeScalars.allSatisfy(isBlank) else {
        index += 1
        continue
      }
      var record = Record(line: first.number, fields: [], fieldLines: [])
      var field = String.UnicodeScalarView()
      var fieldLine = first.number
      // Inside quotes; after the closing quote of the current field.
      var quoted = false
      var closed = false
      func finishField() {
        record.fields.append(closed ? String(field) : trimmed(field))
        record.fieldLines.append(fieldLine)
        field = String.UnicodeScalarView()
        closed = false
      }
      while true {
        let line = file.lines[index]
        var scalars = line.text.unicodeScalars[...]
        while !scalars.isEmpty {
          let position = scalars.startIndex
          let scalar = scalars.removeFirst()
          if quoted {
            if scalar != "\"" {
              field.append(scalar)
            } else if scalars.first == "\"" {
              field.append(scalars.removeFirst())
            } else {
              quoted = false
              closed = true
            }
          } else if scalar == "\r" {
            throw file.carriageReturn(in: line, at: position)
          } else if scalar == "," {
            finishField()
            fieldLine = line.number
          } else if closed {
            guard isBlank(scalar) else {
              throw DataFileError(
                file: file.path, line: line.number,
                "'\(scalar)' after the closing quote of field \(record.fields.count + 1)",
                expected: "a comma or the end of the record after a quoted field")
            }
          } else if scalar == "\"" {
            guard field.allSatisfy(isBlank) else {
              throw DataFileError(
                file: file.path, line: line.number,
                "a quote inside the unquoted field \(record.fields.count + 1)",
                expected: "a field quoted as a whole, with each quote in it written \"\"")
            }
            field = String.UnicodeScalarView()
            quoted = true
          } else {
            field.append(scalar)
          }
        }
        index += 1
        guard quoted else { break }
        guard line.end != .none, index < file.lines.count else {
          throw DataFileError(
            file: file.path, line: fieldLine,
            "the quoted field \(record.fields.count + 1) is not closed by the end of the file",
            expected: "a closing quote (a quote inside a quoted field is written \"\")")
        }
        field.append(contentsOf: line.end.rawValue.unicodeScalars)
      }
      finishField()
      records.append(record)
    }
    return records
  }

  static func isBlank(_ scalar: Unicode.Scalar) -> Bool { scalar == " " || scalar == "\t" }

  static func trimmed(_ field: String.UnicodeScalarView) -> String {
    guard let first = field.firstIndex(where: { !isBlank($0) }),
      let last = field.lastIndex(where: { !isBlank($0) })
    else { return "" }
    return String(field[first...last])
  }
}

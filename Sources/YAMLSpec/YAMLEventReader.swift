internal import CLibYAML

/// Places libyaml's 0-based marks in a source. An override's value is parsed on its own but
/// located within the whole argument, so its first line is shifted by the column where it starts.
struct SourceMapping {
  let source: SourceFile
  let firstLineColumnOffset: Int

  init(source: SourceFile, firstLineColumnOffset: Int = 0) {
    self.source = source
    self.firstLineColumnOffset = firstLineColumnOffset
  }

  /// The 1-based location of libyaml's 0-based `line` and `column`. At the end of a text without
  /// a final line break libyaml reports the start of a line that does not exist; that becomes the
  /// end of the last line.
  func location(line: Int, column: Int) -> SourceLocation {
    if line >= source.lines.count, let last = source.lines.last {
      return SourceLocation(
        source: source, line: source.lines.count, column: last.unicodeScalars.count + 1)
    }
    let shift = line == 0 ? firstLineColumnOffset : 0
    return SourceLocation(source: source, line: line + 1, column: column + 1 + shift)
  }
}

/// One libyaml parser event, copied out of libyaml's memory.
struct YAMLEvent {
  enum Kind {
    case streamStart, streamEnd, documentStart, documentEnd
    case alias(anchor: String)
    case scalar(String, SpecNode.ScalarStyle)
    case sequenceStart(isFlow: Bool)
    case sequenceEnd
    case mappingStart(isFlow: Bool)
    case mappingEnd
  }

  var kind: Kind
  /// The anchor (`&name`) on a scalar, sequence or mapping.
  var anchor: String?
  /// The tag as libyaml resolved it (`!!str` is `tag:yaml.org,2002:str`).
  var tag: String?
  var location: SourceLocation
}

/// Reads the events of a YAML text one at a time with libyaml's `yaml_parser_parse`, turning
/// libyaml's errors into located `SpecError`s. Not thread-safe.
final class YAMLEventReader {
  private let parser: UnsafeMutablePointer<yaml_parser_t>
  private let input: UnsafeMutableBufferPointer<UInt8>
  private let byteCount: Int
  private let mapping: SourceMapping

  /// A reader over `text`, locating events through `mapping`.
  init(text: String, mapping: SourceMapping) throws(SpecError) {
    // Set up the parser before any stored property, so a failure here never runs `deinit`.
    let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
    guard yaml_parser_initialize(parser) == 1 else {
      parser.deallocate()
      throw SpecError("libyaml could not allocate a parser")
    }
    self.parser = parser
    self.mapping = mapping
    let bytes = Array(text.utf8)
    byteCount = bytes.count
    input = .allocate(capacity: bytes.count + 1)
    _ = input.initialize(from: bytes + [0])
    yaml_parser_set_input_string(parser, input.baseAddress, byteCount)
  }

  deinit {
    yaml_parser_delete(parser)
    parser.deallocate()
    input.deallocate()
  }

  /// The next event. After `.streamEnd` there are no more.
  func next() throws(SpecError) -> YAMLEvent {
    var event = yaml_event_t()
    guard yaml_parser_parse(parser, &event) == 1 else { throw currentError() }
    defer { yaml_event_delete(&event) }
    let location = mapping.location(
      line: event.start_mark.line, column: event.start_mark.column)
    switch event.type {
    case YAML_STREAM_START_EVENT:
      return YAMLEvent(kind: .streamStart, location: location)
    case YAML_DOCUMENT_START_EVENT:
      return YAMLEvent(kind: .documentStart, location: location)
    case YAML_DOCUMENT_END_EVENT:
      return YAMLEvent(kind: .documentEnd, location: location)
    case YAML_ALIAS_EVENT:
      let anchor = Self.string(event.data.alias.anchor) ?? ""
      return YAMLEvent(kind: .alias(anchor: anchor), location: location)
    case YAML_SCALAR_EVENT:
      let data = event.data.scalar
      let text = String(
        decoding: UnsafeBufferPointer(start: data.value, count: data.length), as: UTF8.self)
      let style: SpecNode.ScalarStyle = data.style == YAML_PLAIN_SCALAR_STYLE ? .plain : .quoted
      return YAMLEvent(
        kind: .scalar(text, style), anchor: Self.string(data.anchor),
        tag: Self.string(data.tag), location: location)
    case YAML_SEQUENCE_START_EVENT:
      let data = event.data.sequence_start
      return YAMLEvent(
        kind: .sequenceStart(isFlow: data.style == YAML_FLOW_SEQUENCE_STYLE),
        anchor: Self.string(data.anchor), tag: Self.string(data.tag), location: location)
    case YAML_SEQUENCE_END_EVENT:
      return YAMLEvent(kind: .sequenceEnd, location: location)
    case YAML_MAPPING_START_EVENT:
      let data = event.data.mapping_start
      return YAMLEvent(
        kind: .mappingStart(isFlow: data.style == YAML_FLOW_MAPPING_STYLE),
        anchor: Self.string(data.anchor), tag: Self.string(data.tag), location: location)
    case YAML_MAPPING_END_EVENT:
      return YAMLEvent(kind: .mappingEnd, location: location)
    default:
      // libyaml hands out YAML_NO_EVENT only when asked again after the stream ended.
      return YAMLEvent(kind: .streamEnd, location: location)
    }
  }

  private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
    pointer.map { String(cString: $0) }
  }

  /// libyaml's error as a `SpecError` located at libyaml's problem mark.
  private func currentError() -> SpecError {
    let state = parser.pointee
    var message = state.problem.map { String(cString: $0) } ?? "libyaml could not parse the text"
    let location: SourceLocation?
    switch state.error {
    case YAML_READER_ERROR:
      location = self.location(ofByteOffset: state.problem_offset)
      if state.problem_value >= 0 {
        let hex = String(state.problem_value, radix: 16, uppercase: true)
        message += " (U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + ")"
      }
    case YAML_SCANNER_ERROR, YAML_PARSER_ERROR:
      location = mapping.location(
        line: state.problem_mark.line, column: state.problem_mark.column)
      if let location, message == "found character that cannot start any token",
        Self.character(at: location) == "\t"
      {
        // libyaml's context ("while scanning for the next token") adds nothing here.
        return SpecError(
          "found a tab character used as indentation (YAML indents with spaces only)",
          at: location, expected: "spaces instead of the tab")
      }
    default:
      location = nil
    }
    if let context = state.context.map({ String(cString: $0) }) {
      let mark = mapping.location(
        line: state.context_mark.line, column: state.context_mark.column)
      message += " (\(context) started at line \(mark.line), column \(mark.column))"
    }
    return SpecError(message, at: location)
  }

  /// The character a location points at, when its line exists.
  private static func character(at location: SourceLocation) -> Unicode.Scalar? {
    guard let line = location.source.line(location.line) else { return nil }
    let scalars = Array(line.unicodeScalars)
    return scalars.indices.contains(location.column - 1) ? scalars[location.column - 1] : nil
  }

  /// The location of a byte offset into the input (reader errors carry an offset, not a mark).
  private func location(ofByteOffset offset: Int) -> SourceLocation {
    var line = 0
    var column = 0
    var previous: UInt8 = 0
    for byte in input.prefix(min(offset, byteCount)) {
      switch byte {
      case UInt8(ascii: "\n") where previous == UInt8(ascii: "\r"):
        break
      case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
        line += 1
        column = 0
      case 0x80..<0xC0:
        break  // a UTF-8 continuation byte belongs to the character already counted
      default:
        column += 1
      }
      previous = byte
    }
    return mapping.location(line: line, column: column)
  }
}

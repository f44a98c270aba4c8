import Testing

@testable import YAMLSpec

@Suite struct YAMLEventReaderTests {
  private func events(_ text: String) throws -> [String] {
    let mapping = SourceMapping(source: SourceFile(name: "e", text: text))
    let reader = try YAMLEventReader(text: text, mapping: mapping)
    var result: [String] = []
    while true {
      let event = try reader.next()
      let place = "\(event.location.line):\(event.location.column)"
      switch event.kind {
      case .streamStart: result.append("stream")
      case .streamEnd: return result
      case .documentStart: result.append("doc \(place)")
      case .documentEnd: result.append("/doc")
      case .alias(let anchor): result.append("*\(anchor) \(place)")
      case .scalar(let text, let style):
        let anchor = event.anchor.map { "&\($0) " } ?? ""
        result.append("\(anchor)\(style == .plain ? text : "'\(text)'") \(place)")
      case .sequenceStart(let isFlow): result.append((isFlow ? "[" : "seq ") + place)
      case .sequenceEnd: result.append("]")
      case .mappingStart(let isFlow): result.append((isFlow ? "{" : "map ") + place)
      case .mappingEnd: result.append("}")
      }
    }
  }

  @Test func reportsEventsWithOneBasedLocations() throws {
    #expect(
      try events("a: &x 'b'\nc: [*x, d]\n") == [
        "stream", "doc 1:1", "map 1:1", "a 1:1", "&x 'b' 1:4", "c 2:1", "[2:4", "*x 2:5",
        "d 2:9", "]", "}", "/doc",
      ])
  }

  @Test func countsColumnsInCharactersNotBytes() throws {
    #expect(
      try events("é: ü\n") == [
        "stream", "doc 1:1", "map 1:1", "é 1:1", "ü 1:4", "}", "/doc",
      ])
  }

  @Test func shiftsTheFirstLineByTheMappingOffset() throws {
    let source = SourceFile(name: "<override 1>", text: "a=[x, y]")
    let reader = try YAMLEventReader(
      text: "[x, y]", mapping: SourceMapping(source: source, firstLineColumnOffset: 2))
    _ = try reader.next()
    _ = try reader.next()
    let sequence = try reader.next()
    let first = try reader.next()
    let second = try reader.next()
    #expect(sequence.location.description == "<override 1>:1:3")
    #expect(first.location.column == 4)
    #expect(second.location.column == 7)
  }

  @Test func locatesReaderErrorsFromTheirByteOffset() {
    let text = "é: 1\nb: x\u{7}y\n"
    let error = #expect(throws: SpecError.self) { try events(text) }
    #expect(error?.location?.description == "e:2:5")
    #expect(error?.message == "control characters are not allowed (U+0007)")
  }

  @Test func explainsTabIndentation() {
    let error = #expect(throws: SpecError.self) { try events("a:\n\tb: 1\n") }
    #expect(error?.location?.description == "e:2:1")
    #expect(error?.message.contains("tab") == true)
  }

  @Test func addsLibyamlsContextToScannerErrors() {
    let error = #expect(throws: SpecError.self) { try events("a: 'open\n") }
    #expect(error?.location?.description == "e:2:1")
    #expect(
      error?.message == "found unexpected end of stream "
        + "(while scanning a quoted scalar started at line 1, column 4)")
  }
}

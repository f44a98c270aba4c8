import Testing
import YAMLSpec

@Suite struct SpecNodeEmittingTests {
  private let here = SourceLocation.builtIn

  private func entry(_ key: String, _ value: SpecNode.Content) -> SpecNode.Entry {
    SpecNode.Entry(key: key, keyLocation: here, value: SpecNode(value, location: here))
  }

  private func roundTrip(_ node: SpecNode) throws -> SpecNode {
    try SpecNode.parse(node.yamlText(), sourceName: "emitted.yaml")
  }

  @Test func writesBlockStyleWithTwoSpaceIndentAndFlowScalarLists() throws {
    let node = try SpecNode.parse(
      """
      name: 'my run'
      model: {hidden: 64, layers: [{size: 4, act: tanh}, {size: 5}]}
      training:
        formats:
          - csv
          - json
        empty_list: []
        empty_map: {}
        nothing:
        nested: [[1, 2], [3]]
      """, sourceName: "spec.yaml")
    #expect(
      node.yamlText() == """
        name: "my run"
        model:
          hidden: 64
          layers:
            - size: 4
              act: tanh
            - size: 5
        training:
          formats: [csv, json]
          empty_list: []
          empty_map: {}
          nothing:
          nested:
            - [1, 2]
            - [3]

        """)
    #expect(try roundTrip(node) == node)
  }

  @Test func roundTripsAwkwardStrings() throws {
    let awkward = [
      "yes", "No", "1.0", "12", "-3", "null", "~", "", " leading", "trailing ", "a: b", "a:",
      "# not a comment", "a #b", "- dash", "-", "?", ":", "[x]", "{y}", "a, b", "&anchor",
      "*alias", "!tag", "|", ">", "'single'", "\"double\"", "%", "@", "`", "---", "...",
      "line\nbreak", "tab\there", "back\\slash", "\u{7}bell", "é ü", "<<", ".inf", "0x1F",
      "multi  space", "  ", "\u{85}next", "\u{FEFF}bom",
    ]
    let quoted = awkward.map { SpecNode(.scalar($0, .quoted), location: here) }
    let keyed = awkward.map { entry($0, .scalar($0, .quoted)) }
    let node = SpecNode(
      .mapping([entry("list", .sequence(quoted)), entry("map", .mapping(keyed))]), location: here)
    let parsed = try roundTrip(node)
    #expect(parsed == node)
    #expect(parsed["map"]?.entries?.map(\.key) == awkward)
  }

  @Test func roundTripsPlainScalarsOfEveryType() throws {
    let text = """
      a: yes
      b: -3
      c: 1.5e-3
      d: .inf
      e:
      f: ~
      g: plain text
      h: [a, 'b', 1, true]
      i: http://example.org/x
      j: [http://example.org/x]

      """
    let node = try SpecNode.parse(text, sourceName: "spec.yaml")
    #expect(try roundTrip(node) == node)
    // A plain list item that cannot be written plain in flow style moves the list to block style.
    #expect(node.yamlText().contains("j:\n  - http://example.org/x\n"))
  }

  @Test func quotesPlainTextThatCannotBeWrittenPlain() throws {
    let node = SpecNode(.mapping([entry("k", .scalar("a: b", .plain))]), location: here)
    #expect(node.yamlText() == "k: \"a: b\"\n")
  }

  @Test func writesNestedSequencesAndRootCollections() throws {
    let node = try SpecNode.parse("- - {a: 1}\n  - b\n- []\n- x\n", sourceName: "s.yaml")
    #expect(
      node.yamlText() == """
        -
          - a: 1
          - b
        - []
        - x

        """)
    #expect(try roundTrip(node) == node)
    #expect(SpecNode(.mapping([]), location: .builtIn).yamlText() == "{}\n")
    #expect(SpecNode(.scalar("x", .plain), location: .builtIn).yamlText() == "x\n")
  }

  @Test func writesLongScalarListsInBlockStyle() throws {
    let words = (0..<30).map { SpecNode(.scalar("word\($0)", .plain), location: here) }
    let node = SpecNode(.mapping([entry("w", .sequence(words))]), location: here)
    #expect(node.yamlText().hasPrefix("w:\n  - word0\n  - word1\n"))
    #expect(try roundTrip(node) == node)
  }
}

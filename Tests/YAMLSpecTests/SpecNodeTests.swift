import Testing
import YAMLSpec

@Suite struct SpecNodeTests {
  private let spec = """
    model:
      hidden: 3
      layers: [a, "b"]
    empty:
    """

  @Test func readsMappingsSequencesAndScalars() throws {
    let node = try SpecNode.parse(spec, sourceName: "s.yaml")
    let model = try #require(node["model"])
    #expect(model["hidden"]?.scalar == "3")
    #expect(model["layers"]?.items?.compactMap(\.scalar) == ["a", "b"])
    #expect(model.entries?.map(\.key) == ["hidden", "layers"])
    #expect(model.entry(for: "layers")?.keyLocation.description == "s.yaml:3:3")
    #expect(node["missing"] == nil)
    #expect(node["empty"]?.isNull == true)
    #expect(model.scalar == nil)
    #expect(model.items == nil)
  }

  @Test func nullIsPlainOnly() {
    let here = SourceLocation.builtIn
    for text in ["", "~", "null", "Null", "NULL"] {
      #expect(SpecNode(.scalar(text, .plain), location: here).isNull)
      #expect(!SpecNode(.scalar(text, .quoted), location: here).isNull)
    }
    #expect(!SpecNode(.scalar("nil", .plain), location: here).isNull)
  }

  @Test func equalityIgnoresLocations() throws {
    let a = try SpecNode.parse("x: [1, 2]\ny: {z: w}\n", sourceName: "a.yaml")
    let b = try SpecNode.parse("\n\nx:\n  - 1\n  - 2\ny:\n  z: w\n", sourceName: "b.yaml")
    #expect(a == b)
    let c = try SpecNode.parse("x: [1, \"2\"]\ny: {z: w}\n", sourceName: "a.yaml")
    #expect(a != c)
  }

  @Test func buildsContents() {
    #expect(SpecNode.Content.string("hello") == .scalar("hello", .plain))
    #expect(SpecNode.Content.string("yes") == .scalar("yes", .quoted))
    #expect(SpecNode.Content.string("1.0") == .scalar("1.0", .quoted))
    #expect(SpecNode.Content.string("") == .scalar("", .quoted))
    #expect(SpecNode.Content.string("a: b") == .scalar("a: b", .quoted))
    #expect(SpecNode.Content.integer(-3) == .scalar("-3", .plain))
    #expect(SpecNode.Content.number(.infinity) == .scalar(".inf", .plain))
    #expect(SpecNode.Content.boolean(false) == .scalar("false", .plain))
    #expect(SpecNode.Content.null == .scalar("null", .plain))
  }

  @Test func describesKindsForMessages() {
    let here = SourceLocation.builtIn
    #expect(SpecNode(.scalar("abc", .plain), location: here).kindDescription == "'abc'")
    #expect(SpecNode(.scalar("-3", .plain), location: here).kindDescription == "-3")
    #expect(SpecNode(.scalar("~", .plain), location: here).kindDescription == "null")
    #expect(
      SpecNode(.scalar("3", .quoted), location: here).kindDescription
        == "a quoted string '3'")
    #expect(SpecNode(.sequence([]), location: here).kindDescription == "a sequence")
    #expect(SpecNode(.mapping([]), location: here).kindDescription == "a mapping")
  }

  @Test func relocatesAWholeTree() throws {
    let node = try SpecNode.parse(spec, sourceName: "s.yaml")
    let target = SourceLocation(source: SourceFile(name: "t", text: ""), line: 4, column: 2)
    let moved = node.relocated(to: target)
    #expect(moved == node)
    #expect(moved["model"]?["layers"]?.items?[1].location == target)
    #expect(moved["model"]?.entry(for: "hidden")?.keyLocation == target)
  }
}

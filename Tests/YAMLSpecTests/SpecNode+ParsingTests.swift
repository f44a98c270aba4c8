import Foundation
import Testing
import YAMLSpec

@Suite struct SpecNodeParsingTests {
  private func parse(_ text: String) throws(SpecError) -> SpecNode {
    try SpecNode.parse(text, sourceName: "spec.yaml")
  }

  private func parseError(_ text: String) throws -> SpecError {
    try #require(throws: SpecError.self) { try parse(text) }
  }

  // MARK: Structure and locations

  @Test func keepsLocationsOfNodesAndKeys() throws {
    let node = try parse(
      """
      name: demo
      model:
        hidden: 128
        formats: [csv, "json"]
      """)
    #expect(node.location.description == "spec.yaml:1:1")
    let model = try #require(node["model"])
    #expect(model.location.description == "spec.yaml:3:3")
    #expect(model.entry(for: "hidden")?.keyLocation.description == "spec.yaml:3:3")
    #expect(model["hidden"]?.location.description == "spec.yaml:3:11")
    let formats = try #require(model["formats"]?.items)
    #expect(formats.map(\.location.column) == [13, 18])
    #expect(formats[0].content == .scalar("csv", .plain))
    #expect(formats[1].content == .scalar("json", .quoted))
  }

  @Test func marksEveryNonPlainStyleQuoted() throws {
    let node = try parse("a: 'x'\nb: \"y\"\nc: |\n  z\nd: >\n  w\ne: v\n")
    #expect(node["a"]?.content == .scalar("x", .quoted))
    #expect(node["b"]?.content == .scalar("y", .quoted))
    #expect(node["c"]?.content == .scalar("z\n", .quoted))
    #expect(node["d"]?.content == .scalar("w\n", .quoted))
    #expect(node["e"]?.content == .scalar("v", .plain))
  }

  @Test func readsAnEmptyDocumentAsAnEmptyMapping() throws {
    #expect(try parse("").content == .mapping([]))
    #expect(try parse("# only a comment\n").content == .mapping([]))
    #expect(try parse("---\n").content == .mapping([]))
  }

  // MARK: Errors libyaml reports

  @Test func rejectsTabIndentation() throws {
    let error = try parseError("model:\n\thidden: 3\n")
    #expect(error.location?.line == 2)
    #expect(error.location?.column == 1)
    #expect(error.message.contains("tab"))
  }

  @Test func rejectsATabAfterSpacesOfIndentation() throws {
    let error = try parseError("model:\n  hidden: 3\n  \tlayers: 1\n")
    #expect(error.location?.description == "spec.yaml:3:3")
    #expect(error.message.contains("tab"))
  }

  @Test func rejectsAnUnclosedFlowSequence() throws {
    let error = try parseError("formats: [csv, json\nname: x\n")
    // libyaml reads "json name" as one plain scalar and fails at the ':' that follows it.
    #expect(error.location?.description == "spec.yaml:2:5")
    #expect(error.message.contains("while parsing a flow sequence started at line 1, column 10"))
  }

  @Test func rejectsAFlowSequenceOpenAtTheEnd() throws {
    let error = try parseError("formats: [csv, json\n")
    #expect(error.location?.line == 2)
    #expect(error.location?.column == 1)
    #expect(error.message.hasPrefix("did not find expected ',' or ']'"))
  }

  @Test func rejectsBadIndentation() throws {
    let error = try parseError("a:\n  b: 1\n c: 2\n")
    #expect(error.location?.description == "spec.yaml:3:2")
    #expect(error.message.hasPrefix("did not find expected key"))
  }

  @Test func rejectsAMappingValueInsideAPlainScalar() throws {
    let error = try parseError("a: b: c\n")
    #expect(error.location?.description == "spec.yaml:1:5")
    #expect(error.message == "mapping values are not allowed in this context")
  }

  // MARK: Errors of the tree

  @Test func rejectsDuplicateKeysAtTheSecond() throws {
    let error = try parseError("a: 1\nb:\n  c: 2\n  c: 3\n")
    #expect(error.location?.line == 4)
    #expect(error.location?.column == 3)
    #expect(error.message == "duplicate key 'c' (first at line 3)")
  }

  @Test func rejectsASecondDocumentAtItsStart() throws {
    let error = try parseError("a: 1\n---\nb: 2\n")
    #expect(error.location?.line == 2)
    #expect(error.location?.column == 1)
    #expect(error.message.contains("second YAML document"))
    let implicit = try parseError("a: 1\n...\nb: 2\n")
    #expect(implicit.location?.description == "spec.yaml:3:1")
  }

  @Test func rejectsUndefinedAliases() throws {
    let error = try parseError("a: 1\nb: *base\n")
    #expect(error.location?.line == 2)
    #expect(error.location?.column == 4)
    #expect(error.message == "undefined alias '*base'")
  }

  @Test func rejectsAnAliasUsedBeforeItsAnchor() throws {
    let error = try parseError("a: *x\nb: &x 1\n")
    #expect(error.location?.description == "spec.yaml:1:4")
  }

  @Test func rejectsNonScalarKeys() throws {
    let error = try parseError("a: 1\n? [x, y]\n: 2\n")
    #expect(error.location?.description == "spec.yaml:2:3")
    #expect(error.message == "mapping keys must be scalars")
    let flow = try parseError("a: {{x: 1}: 2}\n")
    #expect(flow.location?.description == "spec.yaml:1:5")
  }

  @Test func rejectsUnknownTags() throws {
    let error = try parseError("a:\n  b: !!binary aGVsbG8=\n")
    #expect(error.location?.description == "spec.yaml:2:6")
    #expect(error.message == "unsupported tag '!!binary'")
    let local = try parseError("a: !custom x\n")
    #expect(local.message == "unsupported tag '!custom'")
    let misplaced = try parseError("a: !!map [1]\n")
    #expect(misplaced.message == "tag '!!map' cannot be used on a sequence")
  }

  @Test func rejectsAMergeOfAScalar() throws {
    let error = try parseError("a: &x 1\nb:\n  <<: *x\n")
    #expect(error.location?.description == "spec.yaml:1:4")
    #expect(error.message.contains("'<<'"))
    let item = try parseError("a: &x {k: 1}\nb:\n  <<: [*x, 2]\n")
    #expect(item.location?.description == "spec.yaml:3:12")
  }

  @Test func rejectsNestingTooDeepInsteadOfOverflowingTheStack() throws {
    let deep = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
    let error = try parseError(deep)
    #expect(error.location?.description == "spec.yaml:1:257")
    #expect(error.message == "nesting deeper than 256 levels")
    #expect(
      try parse(String(repeating: "[", count: 200) + String(repeating: "]", count: 200))
        .items?.count == 1)
  }

  /// `a0` is 200 sequences deep; `a1` is `levels` sequences around an alias of `a0`.
  private func aliasNesting(levels: Int) -> String {
    func nested(_ inner: String, _ levels: Int) -> String {
      String(repeating: "[", count: levels) + inner + String(repeating: "]", count: levels)
    }
    return "a0: &a0 \(nested("", 200))\na1: &a1 \(nested("*a0", levels))\n"
  }

  /// How many sequences deep the first items of `node` go.
  private func sequenceDepth(_ node: SpecNode?) -> Int {
    var depth = 0
    var current = node
    while let items = current?.items {
      depth += 1
      current = items.first
    }
    return depth
  }

  @Test func countsAnAliasAsDeepAsTheNodeItCopies() throws {
    // The root mapping is level 1, a1's outermost sequence level 2, a0's copy 200 levels more.
    let deepest = try parse(aliasNesting(levels: 55))
    #expect(sequenceDepth(deepest["a1"]) == 255)
    let error = try parseError(aliasNesting(levels: 56))
    #expect(error.location?.description == "spec.yaml:2:65")
    #expect(error.message == "nesting deeper than 256 levels through the alias '*a0'")
    #expect(error.expected == "an alias of a node at most 199 levels deep here")
  }

  /// Each anchor 200 levels around an alias of the one before: a tree 200,000 levels deep whose
  /// deallocation overflowed the stack before an alias counted as deep as its node.
  @Test func rejectsAChainOfAliasesInsteadOfOverflowingTheStack() throws {
    var lines = ["a0: &a0 []"]
    for index in 1..<1000 {
      let open = String(repeating: "[", count: 200)
      let close = String(repeating: "]", count: 200)
      lines.append("a\(index): &a\(index) \(open)*a\(index - 1)\(close)")
    }
    let error = try parseError(lines.joined(separator: "\n"))
    #expect(error.location?.line == 3)
    #expect(error.message == "nesting deeper than 256 levels through the alias '*a1'")
  }

  // MARK: Tags

  @Test func appliesStandardTags() throws {
    let node = try parse("a: !!str 3\nb: !!int \"4\"\nc: !!map {x: 1}\nd: !!seq [1]\ne: ! 5\n")
    #expect(node["a"]?.content == .scalar("3", .quoted))
    #expect(node["b"]?.content == .scalar("4", .plain))
    #expect(node["c"]?["x"]?.scalar == "1")
    #expect(node["d"]?.items?.count == 1)
    #expect(node["e"]?.content == .scalar("5", .quoted))
  }

  // MARK: Anchors, aliases and merge keys

  @Test func copiesAnchoredNodesForAliasesKeepingTheirLocations() throws {
    let node = try parse(
      """
      base: &base
        hidden: 8
        formats: [csv]
      copy: *base
      name: &n demo
      again: *n
      """)
    #expect(node["copy"] == node["base"])
    #expect(node["copy"]?["hidden"]?.location.description == "spec.yaml:2:11")
    #expect(node["again"]?.content == .scalar("demo", .plain))
    #expect(node["again"]?.location.description == "spec.yaml:5:7")
  }

  @Test func mergesAMappingWithExplicitKeysWinning() throws {
    let node = try parse(
      """
      defaults: &defaults
        hidden: 8
        activation: tanh
      model:
        <<: *defaults
        hidden: 32
        bias: true
      """)
    let model = try #require(node["model"])
    #expect(model.entries?.map(\.key) == ["activation", "hidden", "bias"])
    #expect(model["hidden"]?.scalar == "32")
    #expect(model["hidden"]?.location.description == "spec.yaml:6:11")
    #expect(model["activation"]?.scalar == "tanh")
    #expect(model["activation"]?.location.description == "spec.yaml:3:15")
  }

  @Test func explicitKeysWinEvenWhenWrittenBeforeTheMerge() throws {
    let node = try parse("a: &a {x: 1, y: 2}\nb:\n  x: 9\n  <<: *a\n")
    #expect(node["b"]?.entries?.map(\.key) == ["x", "y"])
    #expect(node["b"]?["x"]?.scalar == "9")
  }

  @Test func mergesASequenceWithEarlierMappingsWinning() throws {
    let node = try parse(
      """
      one: &one {a: 1, b: 1}
      two: &two {b: 2, c: 2}
      three: &three {c: 3, d: 3}
      merged:
        <<: [*one, *two, *three]
        d: 4
      """)
    let merged = try #require(node["merged"])
    #expect(merged.entries?.map(\.key) == ["a", "b", "c", "d"])
    #expect(merged.entries?.compactMap(\.value.scalar) == ["1", "1", "2", "4"])
  }

  @Test func mergesAnInlineMapping() throws {
    let node = try parse("m:\n  <<: {a: 1}\n  b: 2\n")
    #expect(node["m"]?.entries?.map(\.key) == ["a", "b"])
  }

  @Test func treatsAQuotedMergeKeyAsAnOrdinaryKey() throws {
    let node = try parse("m:\n  '<<': {a: 1}\n")
    #expect(node["m"]?["<<"]?["a"]?.scalar == "1")
  }

  @Test func rejectsAKeyWrittenTwiceAroundAMerge() throws {
    let error = try parseError("a: &a {x: 1}\nb:\n  x: 2\n  <<: *a\n  x: 3\n")
    #expect(error.location?.description == "spec.yaml:5:3")
    #expect(error.message == "duplicate key 'x' (first at line 3)")
  }

  // MARK: Files

  @Test func loadsAFileNamedByItsPath() throws {
    let path = FileManager.default.temporaryDirectory
      .appendingPathComponent("yamlspec-\(UUID().uuidString).yaml").path
    try "a: [1, 2\n".write(toFile: path, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let error = try #require(throws: SpecError.self) { try SpecNode.load(contentsOf: path) }
    #expect(error.location?.source.name == path)
    #expect(error.location?.line == 2)
    try "a: 1\n".write(toFile: path, atomically: true, encoding: .utf8)
    #expect(try SpecNode.load(contentsOf: path)["a"]?.scalar == "1")
  }

  @Test func reportsUnreadableFilesWithoutALocation() throws {
    let error = try #require(throws: SpecError.self) {
      try SpecNode.load(contentsOf: "/nonexistent/spec.yaml")
    }
    #expect(error.location == nil)
    #expect(error.message == "cannot read spec file '/nonexistent/spec.yaml': no such file")
    let directory = try #require(throws: SpecError.self) {
      try SpecNode.load(contentsOf: FileManager.default.temporaryDirectory.path)
    }
    #expect(directory.message.hasSuffix("it is a directory"))
  }
}

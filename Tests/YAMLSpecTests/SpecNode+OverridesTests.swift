import Testing
import YAMLSpec

@Suite struct SpecNodeOverridesTests {
  private let spec: SpecNode

  init() throws {
    spec = try SpecNode.parse(
      """
      name: demo
      model:
        hidden: 64
        layers:
          - size: 4
          - size: 5
      training:
        formats: [csv]
      optimizer:
      """, sourceName: "spec.yaml")
  }

  private func overrideError(_ arguments: [String]) throws -> SpecError {
    try #require(throws: SpecError.self) { try spec.applying(overrides: arguments) }
  }

  @Test func setsAnExistingKeyLocatingTheValueInTheArgument() throws {
    let result = try spec.applying(overrides: ["model.hidden=128"])
    let hidden = try #require(result["model"]?["hidden"])
    #expect(hidden.content == .scalar("128", .plain))
    #expect(hidden.location.description == "<override 1>:1:14")
    #expect(hidden.location.source.lines == ["model.hidden=128"])
    // The key stays where the file wrote it; the rest of the tree is untouched.
    #expect(result["model"]?.entry(for: "hidden")?.keyLocation.description == "spec.yaml:3:3")
    #expect(result["name"] == spec["name"])
  }

  @Test func numbersSourcesByArgumentIndex() throws {
    let result = try spec.applying(overrides: ["name=a", "model.hidden=2"])
    #expect(result["name"]?.location.description == "<override 1>:1:6")
    #expect(result["model"]?["hidden"]?.location.description == "<override 2>:1:14")
  }

  @Test func appliesOverridesInOrder() throws {
    let result = try spec.applying(overrides: ["name=a", "name=b"])
    #expect(result["name"]?.scalar == "b")
  }

  @Test func createsMissingIntermediateMappings() throws {
    let result = try spec.applying(overrides: ["data.source.path=x.txt"])
    let data = try #require(result.entry(for: "data"))
    #expect(data.keyLocation.description == "<override 1>:1:1")
    let source = try #require(data.value.entry(for: "source"))
    #expect(source.keyLocation.description == "<override 1>:1:1")
    #expect(source.value["path"]?.content == .scalar("x.txt", .plain))
    #expect(source.value["path"]?.location.description == "<override 1>:1:18")
    #expect(result.entries?.last?.key == "data")
  }

  @Test func treatsANullValueAsAnEmptyMapping() throws {
    let result = try spec.applying(overrides: ["optimizer.type=sgd"])
    #expect(result["optimizer"]?.entries?.map(\.key) == ["type"])
    #expect(result["optimizer"]?["type"]?.scalar == "sgd")
  }

  @Test func parsesAFlowListWithItemColumns() throws {
    let result = try spec.applying(overrides: ["training.formats=[csv, json]"])
    let items = try #require(result["training"]?["formats"]?.items)
    #expect(items.compactMap(\.scalar) == ["csv", "json"])
    #expect(items.map(\.location.column) == [19, 24])
    #expect(result["training"]?["formats"]?.location.column == 18)
  }

  @Test func parsesAFlowMapping() throws {
    let result = try spec.applying(overrides: ["optimizer={type: sgd, learning_rate: 0.1}"])
    let optimizer = try #require(result["optimizer"])
    #expect(optimizer.entries?.map(\.key) == ["type", "learning_rate"])
    #expect(optimizer.entry(for: "learning_rate")?.keyLocation.description == "<override 1>:1:23")
    #expect(optimizer["learning_rate"]?.location.column == 38)
  }

  @Test func keepsQuotedStringsQuoted() throws {
    let result = try spec.applying(overrides: ["name=\"my run\"", "model.hidden='12'"])
    #expect(result["name"]?.content == .scalar("my run", .quoted))
    #expect(result["model"]?["hidden"]?.content == .scalar("12", .quoted))
    let plain = try spec.applying(overrides: ["name=my run"])
    #expect(plain["name"]?.content == .scalar("my run", .plain))
  }

  @Test func readsAnEmptyValueAsNull() throws {
    let result = try spec.applying(overrides: ["name="])
    #expect(result["name"]?.isNull == true)
    #expect(result["name"]?.location.description == "<override 1>:1:6")
  }

  @Test func splitsAtTheFirstEqualsSign() throws {
    let result = try spec.applying(overrides: ["name=a=b"])
    #expect(result["name"]?.scalar == "a=b")
  }

  @Test func indexesIntoSequences() throws {
    let result = try spec.applying(overrides: ["model.layers.1.size=8"])
    let sizes = result["model"]?["layers"]?.items?.compactMap { $0["size"]?.scalar }
    #expect(sizes == ["4", "8"])
  }

  @Test func rejectsAnArgumentWithoutEquals() throws {
    let error = try overrideError(["name=x", "model.hidden"])
    #expect(error.location?.description == "<override 2>:1:1")
    #expect(error.message == "override 'model.hidden' has no '='")
  }

  @Test func rejectsEmptyKeySegments() throws {
    let inner = try overrideError(["model..hidden=3"])
    #expect(inner.location?.description == "<override 1>:1:7")
    #expect(inner.message.contains("empty key segment"))
    let trailing = try overrideError(["model.=3"])
    #expect(trailing.location?.column == 7)
    let whole = try overrideError(["=3"])
    #expect(whole.location?.column == 1)
    #expect(whole.message.contains("empty key path"))
  }

  @Test func rejectsSettingBelowAScalar() throws {
    let error = try overrideError(["model.hidden.width=3"])
    #expect(error.location?.description == "<override 1>:1:14")
    #expect(error.keyPath == "model.hidden.width")
    #expect(
      error.message == "cannot set 'model.hidden.width': 'model.hidden' is a scalar, "
        + "not a mapping")
  }

  @Test func rejectsIndicesOutsideTheSequence() throws {
    let outside = try overrideError(["model.layers.2.size=1"])
    #expect(outside.location?.description == "<override 1>:1:14")
    #expect(outside.expected == "an index from 0 to 1")
    let named = try overrideError(["training.formats.first=x"])
    #expect(named.location?.column == 18)
    #expect(named.keyPath == "training.formats.first")
  }

  @Test func rejectsBlockCollectionsAsValues() throws {
    let error = try overrideError(["name=a: b"])
    #expect(error.location?.description == "<override 1>:1:6")
    #expect(error.message.contains("flow collection"))
  }

  @Test func reportsValueSyntaxErrorsInTheArgument() throws {
    let error = try overrideError(["name=x", "training.formats=[csv, json"])
    #expect(error.location?.description == "<override 2>:1:28")
    #expect(error.message.hasPrefix("did not find expected ',' or ']'"))
  }
}

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

  // MARK: - Hydra's forms: +key, ++key, ~key

  @Test func plusAddsAKeyTheSpecLacks() throws {
    let result = try spec.applying(overrides: ["+model.bias=false", "+optimizer.type=sgd"])
    #expect(result["model"]?.entries?.map(\.key) == ["hidden", "layers", "bias"])
    #expect(result["model"]?["bias"]?.location.description == "<override 1>:1:13")
    #expect(result["optimizer"]?["type"]?.scalar == "sgd")
  }

  @Test func plusRefusesAKeyTheSpecHas() throws {
    let error = try overrideError(["+model.hidden=3"])
    #expect(error.location?.description == "<override 1>:1:8")
    #expect(error.keyPath == "model.hidden")
    #expect(
      error.message == "cannot add 'model.hidden': the spec has it already (spec.yaml:3:3)")
    #expect(error.expected == "++model.hidden=… or model.hidden=… to replace it")
    // A key whose value is null is there too.
    let null = try overrideError(["+optimizer={type: sgd}"])
    #expect(null.location?.description == "<override 1>:1:2")
    #expect(null.message.hasPrefix("cannot add 'optimizer'"))
    // So is a key an earlier override added.
    let twice = try overrideError(["+model.bias=true", "+model.bias=false"])
    #expect(twice.location?.description == "<override 2>:1:8")
    #expect(twice.message.hasSuffix("(<override 1>:1:1)"))
  }

  @Test func plusPlusSetsEitherWay() throws {
    let result = try spec.applying(overrides: ["++model.hidden=3", "++model.bias=false"])
    #expect(result["model"]?["hidden"]?.scalar == "3")
    #expect(result["model"]?["hidden"]?.location.description == "<override 1>:1:16")
    #expect(result["model"]?["bias"]?.scalar == "false")
  }

  @Test func tildeRemovesAKey() throws {
    let result = try spec.applying(overrides: ["~model.hidden", "~training"])
    #expect(result["model"]?.entries?.map(\.key) == ["layers"])
    #expect(result.entries?.map(\.key) == ["name", "model", "optimizer"])
    let matching = try spec.applying(overrides: ["~model.hidden=64", "~training.formats=[csv]"])
    #expect(matching["model"]?["hidden"] == nil)
    #expect(matching["training"]?.entries?.isEmpty == true)
  }

  @Test func tildeWithAValueRefusesAnotherValue() throws {
    let error = try overrideError(["~model.hidden=65"])
    #expect(error.location?.description == "<override 1>:1:15")
    #expect(error.message == "cannot remove 'model.hidden': its value is 64, not 65")
    #expect(error.expected == "~model.hidden to remove it whatever its value")
    let quoted = try overrideError(["~model.hidden='64'"])
    #expect(quoted.message == "cannot remove 'model.hidden': its value is 64, not '64'")
  }

  @Test func tildeRefusesWhatIsNotThere() throws {
    let missing = try overrideError(["~model.width"])
    #expect(missing.location?.description == "<override 1>:1:8")
    #expect(missing.message == "cannot remove 'model.width': the spec has no 'model.width'")
    let section = try overrideError(["~data.path"])
    #expect(section.location?.description == "<override 1>:1:2")
    #expect(section.message == "cannot remove 'data.path': the spec has no 'data'")
    let null = try overrideError(["~optimizer.type"])
    #expect(null.location?.description == "<override 1>:1:12")
    #expect(null.message == "cannot remove 'optimizer.type': 'optimizer' is null, not a mapping")
    let item = try overrideError(["~model.layers.0"])
    #expect(item.location?.description == "<override 1>:1:15")
    #expect(item.message.contains("is an item of a sequence"))
  }

  @Test func malformedFormsAreLocated() throws {
    let bare = try overrideError(["~"])
    #expect(bare.location?.description == "<override 1>:1:2")
    #expect(bare.message == "override '~' has an empty key path")
    let plus = try overrideError(["+=3"])
    #expect(plus.location?.column == 2)
    let noValue = try overrideError(["+model.bias"])
    #expect(noValue.message == "override '+model.bias' has no '='")
    #expect(noValue.expected == "+key.path=value, e.g. +model.hidden=128")
    let segment = try overrideError(["++model..bias=1"])
    #expect(segment.location?.column == 9)
  }

  // MARK: - Comma lists

  @Test func commaListsSplitOutsideBracketsAndQuotes() throws {
    let override = try Override(argument: "model.hidden=32, 64,[1,2],'x,y',{a: 1, b: 2}", number: 3)
    #expect(override.path == "model.hidden")
    #expect(override.form == .set)
    #expect(override.values.map(\.location.description) == [
      "<override 3>:1:14", "<override 3>:1:18", "<override 3>:1:21", "<override 3>:1:27",
      "<override 3>:1:33",
    ])
    #expect(override.values[0].scalar == "32")
    #expect(override.values[1].scalar == "64")
    #expect(override.values[2].items?.compactMap(\.scalar) == ["1", "2"])
    #expect(override.values[3].content == .scalar("x,y", .quoted))
    #expect(override.values[4].entries?.map(\.key) == ["a", "b"])
    // A quote inside a plain scalar is a character, not the start of a string.
    let apostrophe = try Override(argument: "name=it's,x", number: 1)
    #expect(apostrophe.values.compactMap(\.scalar) == ["it's", "x"])
    let escaped = try Override(argument: "name='a'',b',\"c\\\",d\"", number: 1)
    #expect(escaped.values.compactMap(\.scalar) == ["a',b", "c\",d"])
    #expect(try Override(argument: "+seed=1,2", number: 1).form == .add)
  }

  @Test func aCommaListIsAnErrorOutsideASweep() throws {
    let error = try overrideError(["name=x", "model.hidden=32,64"])
    #expect(error.location?.description == "<override 2>:1:16")
    #expect(error.keyPath == "model.hidden")
    #expect(
      error.message == "'model.hidden=32,64' is a comma list of values, which only a sweep takes")
    #expect(error.expected?.contains("runner sweep") == true)
    // Brackets and quotes keep commas inside one value.
    let result = try spec.applying(overrides: ["name='a,b'", "training.formats=[csv,json]"])
    #expect(result["name"]?.scalar == "a,b")
    #expect(result["training"]?["formats"]?.items?.count == 2)
  }

  @Test func aCommaListWithAnEmptyValueIsAnError() throws {
    let inner = try overrideError(["model.hidden=32,,64"])
    #expect(inner.location?.description == "<override 1>:1:17")
    #expect(
      inner.message == "override 'model.hidden=32,,64' has an empty value in its comma list")
    let trailing = try overrideError(["model.hidden=32,"])
    #expect(trailing.location?.column == 17)
    let removal = try overrideError(["~model.hidden=1,2"])
    #expect(removal.location?.description == "<override 1>:1:16")
    #expect(removal.message.contains("not a comma list"))
  }
}

import Testing
import YAMLSpec

@Suite struct SpecNodeValidationTests {
  private let options: [OptionDescription] = [
    .integer("hidden", default: 64, range: 1..., help: "hidden units"),
    .integer("layers", default: nil, range: 1...8, help: "stacked layers"),
    .number("learning_rate", default: 0.1, minimum: 0, minimumInclusive: false, help: "step"),
    .number("dropout", default: 0, minimum: 0, maximum: 1, maximumInclusive: false, help: "p"),
    .boolean("bias", default: true, help: "use biases"),
    .string("name", default: "run", help: "label"),
    .choice("activation", ["tanh", "sigmoid", "relu"], default: "tanh", help: "f"),
    .list("formats", allowed: ["csv", "json"], default: ["csv"], help: "outputs"),
    OptionDescription(name: "seed", kind: .integer(nil), defaultValue: .null, help: "seed"),
    OptionDescription(
      name: "sizes", kind: .list(of: .integer(1...Int.max), allowed: nil),
      defaultValue: .list([]), help: "sizes"),
  ]

  private func resolve(_ body: String) throws(SpecError) -> SpecNode {
    let spec = try SpecNode.parse("model:\n" + body, sourceName: "spec.yaml")
    return try (spec["model"] ?? spec).resolved(
      against: options, path: "model", passThrough: ["type"])
  }

  private func resolveError(_ body: String) throws -> SpecError {
    try #require(throws: SpecError.self) { try resolve(body) }
  }

  @Test func fillsDefaultsInDescriptionOrderAfterPassThroughKeys() throws {
    let model = try resolve("  layers: 2\n  type: rnn\n  bias: yes\n  hidden: +007\n")
    #expect(
      model.entries?.map(\.key) == [
        "type", "hidden", "layers", "learning_rate", "dropout", "bias", "name", "activation",
        "formats", "seed", "sizes",
      ])
    #expect(model["hidden"]?.content == .scalar("7", .plain))
    #expect(model["hidden"]?.location.description == "spec.yaml:5:11")
    #expect(model["bias"]?.content == .scalar("true", .plain))
    #expect(model["type"]?.scalar == "rnn")
    #expect(model["learning_rate"]?.content == .scalar("0.1", .plain))
    #expect(model["learning_rate"]?.location == model.location)
    #expect(model.entry(for: "formats")?.keyLocation.description == "spec.yaml:2:3")
    #expect(model["formats"]?.items?.first?.location.description == "spec.yaml:2:3")
    #expect(model["seed"]?.isNull == true)
  }

  @Test func acceptsEveryValidSpelling() throws {
    let model = try resolve(
      """
        layers: 8
        learning_rate: 1e-3
        dropout: .5
        bias: Off
        name: 123
        activation: "relu"
        formats: [json, 'csv']
        seed: 42
        sizes: [1, 2]

      """)
    #expect(model["learning_rate"]?.scalar == "1e-3")
    #expect(model["dropout"]?.scalar == ".5")
    #expect(model["bias"]?.scalar == "false")
    #expect(model["name"]?.scalar == "123")
    #expect(model["formats"]?.items?.compactMap(\.scalar) == ["json", "csv"])
    #expect(model["seed"]?.scalar == "42")
    #expect(try resolve("  layers: 1\n  learning_rate: .inf\n")["learning_rate"]?.scalar == ".inf")
    #expect(try resolve("  layers: 1\n  learning_rate: 3\n")["learning_rate"]?.scalar == "3")
  }

  @Test func rejectsUnknownKeysWithASuggestion() throws {
    let error = try resolveError("  layers: 1\n  hiden: 3\n")
    #expect(error.location?.line == 3)
    #expect(error.location?.column == 3)
    #expect(error.keyPath == "model.hiden")
    #expect(error.message == "unknown option 'hiden'")
    #expect(error.suggestion == "hidden")
    #expect(error.expected?.hasPrefix("one of: hidden, layers, learning_rate") == true)
  }

  @Test func rejectsWrongTypes() throws {
    let error = try resolveError("  layers: 1\n  hidden: abc\n")
    #expect(error.location?.line == 3)
    #expect(error.location?.column == 11)
    #expect(error.keyPath == "model.hidden")
    #expect(error.message == "expected an integer ≥ 1, found 'abc'")
    #expect(
      try resolveError("  layers: 1.0\n").message
        == "expected an integer between 1 and 8, found 1.0")
    #expect(
      try resolveError("  layers: \"3\"\n").message
        == "expected an integer between 1 and 8, found a quoted string '3'")
    #expect(
      try resolveError("  layers: 1\n  learning_rate: '0.1'\n").message
        == "expected a number > 0, found a quoted string '0.1'")
    #expect(
      try resolveError("  layers: 1\n  bias: maybe\n").message
        == "expected a boolean, found 'maybe'")
    #expect(
      try resolveError("  layers: 1\n  name: [a]\n").message
        == "expected a string, found a sequence")
    #expect(
      try resolveError("  layers: 1\n  formats: csv\n").message
        == "expected a list of values from: csv, json, found 'csv'")
  }

  @Test func rejectsANegativeIntegerBelowTheRange() throws {
    let error = try resolveError("  layers: 1\n  hidden: -3\n")
    #expect(error.location?.line == 3)
    #expect(error.location?.column == 11)
    #expect(error.message == "expected an integer ≥ 1, found -3")
    #expect(
      try resolveError("  layers: 9\n").message
        == "expected an integer between 1 and 8, found 9")
  }

  @Test func rejectsZeroForAnExclusiveMinimum() throws {
    let error = try resolveError("  layers: 1\n  learning_rate: 0\n")
    #expect(error.location?.line == 3)
    #expect(error.location?.column == 18)
    #expect(error.keyPath == "model.learning_rate")
    #expect(error.message == "expected a number > 0, found 0")
    #expect(
      try resolveError("  layers: 1\n  learning_rate: -0.5\n").message
        == "expected a number > 0, found -0.5")
    #expect(
      try resolveError("  layers: 1\n  dropout: 1\n").message
        == "expected a number ≥ 0 and < 1, found 1")
    #expect(
      try resolveError("  layers: 1\n  dropout: .nan\n").message
        == "expected a number ≥ 0 and < 1, found .nan")
  }

  @Test func rejectsUnknownChoicesWithASuggestion() throws {
    let error = try resolveError("  layers: 1\n  activation: tanhh\n")
    #expect(error.location?.line == 3)
    #expect(error.location?.column == 15)
    #expect(error.keyPath == "model.activation")
    #expect(error.message == "unknown activation 'tanhh'")
    #expect(error.expected == "one of: tanh, sigmoid, relu")
    #expect(error.suggestion == "tanh")
  }

  @Test func rejectsUnknownListItemsAtTheItem() throws {
    let error = try resolveError("  layers: 1\n  formats: [csv, jsn]\n")
    #expect(error.location?.description == "spec.yaml:3:18")
    #expect(error.keyPath == "model.formats.1")
    #expect(error.message == "unknown value 'jsn' in formats")
    #expect(error.suggestion == "json")
    let sizes = try resolveError("  layers: 1\n  sizes: [4, 0]\n")
    #expect(sizes.location?.description == "spec.yaml:3:14")
    #expect(sizes.keyPath == "model.sizes.1")
    #expect(sizes.message == "expected an integer ≥ 1, found 0")
  }

  @Test func rejectsAMissingRequiredOptionAtTheMapping() throws {
    let error = try resolveError("  hidden: 3\n")
    #expect(error.location?.line == 2)
    #expect(error.location?.column == 3)
    #expect(error.keyPath == "model.layers")
    #expect(error.message == "missing required option 'layers'")
    #expect(error.expected == "an integer between 1 and 8")
  }

  @Test func rejectsNullUnlessTheDefaultIsNull() throws {
    let error = try resolveError("  layers: 1\n  hidden:\n  bias: true\n")
    #expect(error.message == "expected an integer ≥ 1, found null")
    #expect(error.location?.description == "spec.yaml:3:10")
    #expect(error.keyPath == "model.hidden")
    let nullable = try resolve("  layers: 1\n  seed: ~\n")
    #expect(nullable["seed"]?.content == .scalar("~", .plain))
  }

  @Test func treatsANullSectionAsEmpty() throws {
    let spec = try SpecNode.parse("model:\n", sourceName: "spec.yaml")
    let optional = options.filter { !$0.isRequired }
    let model = try #require(spec["model"]).resolved(against: optional, path: "model")
    #expect(model.entries?.count == optional.count)
  }

  @Test func rejectsANonMappingSection() throws {
    let spec = try SpecNode.parse("model: [1]\n", sourceName: "spec.yaml")
    let error = try #require(throws: SpecError.self) {
      try #require(spec["model"]).resolved(against: options, path: "model")
    }
    #expect(error.location?.description == "spec.yaml:1:8")
    #expect(error.message == "expected a mapping of options, found a sequence")
  }

  @Test func locatesAnUnknownKeyFromAnOverrideInTheArgument() throws {
    let spec = try SpecNode.parse("model:\n  layers: 1\n", sourceName: "spec.yaml")
      .applying(overrides: ["model.hiden=4"])
    let error = try #require(throws: SpecError.self) {
      try #require(spec["model"]).resolved(against: options, path: "model")
    }
    #expect(error.location?.description == "<override 1>:1:1")
    #expect(error.suggestion == "hidden")
    #expect(
      error.description == """
        <override 1>:1:1: error: unknown option 'hiden' at model.hiden
          model.hiden=4
          ^
        expected one of: hidden, layers, learning_rate, dropout, bias, name, activation, formats, \
        seed, sizes (did you mean 'hidden'?)
        """)
  }
}

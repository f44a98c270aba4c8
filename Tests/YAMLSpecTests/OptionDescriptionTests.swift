import Testing
import YAMLSpec

@Suite struct OptionDescriptionTests {
  @Test func describesKinds() {
    let cases: [(OptionDescription.Kind, String)] = [
      (.integer(nil), "integer"),
      (.integer(1...Int.max), "integer ≥ 1"),
      (.integer(Int.min...10), "integer ≤ 10"),
      (.integer(1...8), "integer between 1 and 8"),
      (
        .number(minimum: 0, minimumInclusive: false, maximum: nil, maximumInclusive: true),
        "number > 0"
      ),
      (
        .number(minimum: 0, minimumInclusive: true, maximum: 1, maximumInclusive: false),
        "number ≥ 0 and < 1"
      ),
      (
        .number(minimum: nil, minimumInclusive: true, maximum: 2.5, maximumInclusive: true),
        "number ≤ 2.5"
      ),
      (
        .number(minimum: nil, minimumInclusive: true, maximum: nil, maximumInclusive: true),
        "number"
      ),
      (.boolean, "boolean"),
      (.string, "string"),
      (.choice(["tanh", "sigmoid", "relu"]), "one of: tanh, sigmoid, relu"),
      (.list(of: .string, allowed: ["csv", "json"]), "list of values from: csv, json"),
      (.list(of: .integer(1...Int.max), allowed: nil), "list of integers ≥ 1"),
    ]
    for (kind, text) in cases {
      #expect(kind.description == text)
    }
    #expect(OptionDescription.Kind.integer(nil).descriptionWithArticle == "an integer")
    #expect(
      OptionDescription.Kind.list(of: .boolean, allowed: nil).descriptionWithArticle
        == "a list of booleans")
    #expect(OptionDescription.Kind.choice(["a", "b"]).descriptionWithArticle == "one of: a, b")
  }

  @Test func factoriesBuildKindsAndDefaults() {
    let hidden = OptionDescription.integer("hidden", default: 64, range: 1..., help: "units")
    #expect(hidden.name == "hidden")
    #expect(hidden.typeDescription == "integer ≥ 1")
    #expect(hidden.defaultValue == .scalar("64", .plain))
    #expect(hidden.help == "units")
    #expect(!hidden.isRequired)

    let rate = OptionDescription.number(
      "learning_rate", default: 0.001, minimum: 0, minimumInclusive: false, help: "step")
    #expect(rate.typeDescription == "number > 0")
    #expect(rate.defaultValue == .scalar("0.001", .plain))

    let name = OptionDescription.string("name", default: "yes", help: "")
    #expect(name.defaultValue == .scalar("yes", .quoted))

    let formats = OptionDescription.list(
      "formats", allowed: ["csv", "json"], default: ["csv"], help: "")
    #expect(formats.defaultValue == .list([.scalar("csv", .plain)]))

    let activation = OptionDescription.choice(
      "activation", ["tanh", "relu"], default: nil, help: "")
    #expect(activation.isRequired)
    #expect(!activation.isNullable)
    #expect(
      OptionDescription.boolean("bias", default: false, help: "").defaultValue
        == .scalar("false", .plain))
  }

  @Test func aNullDefaultMakesAnOptionNullable() {
    let seed = OptionDescription(name: "seed", kind: .integer(nil), defaultValue: .null, help: "")
    #expect(seed.isNullable)
    #expect(!seed.isRequired)
  }
}

import Foundation
import Testing
import YAMLSpec

@Suite struct SpecDecoderTests {
  enum Activation: String, Decodable, CaseIterable {
    case tanh, sigmoid, relu
  }

  enum Direction: String, Decodable {
    case forward, backward
  }

  struct Layer: Decodable, Equatable {
    var size: Int
    var dropout: Double?
  }

  struct Model: Decodable, Equatable {
    var hidden: Int
    var activation: Activation
    var layers: [Layer]
    var seed: UInt64?
    var label: String?
    var bias: Bool
    var rate: Double
    var counts: [String: Int]
    var formats: [String]
    var directions: [Direction]
  }

  /// Rejects a rate above 1 the way a hand-written `init(from:)` would.
  struct Bounded: Decodable {
    var rate: Double

    init(from decoder: any Decoder) throws {
      let container = try decoder.container(keyedBy: CodingKeys.self)
      rate = try container.decode(Double.self, forKey: .rate)
      guard rate <= 1 else {
        throw DecodingError.dataCorruptedError(
          forKey: .rate, in: container, debugDescription: "a rate must be at most 1")
      }
    }

    enum CodingKeys: String, CodingKey { case rate }
  }

  private let text = """
    model:
      hidden: 32
      activation: relu
      layers:
        - size: 4
          dropout: 0.5
        - {size: 8, dropout: ~}
      seed: 7
      bias: on
      rate: .inf
      counts: {a: 1, b: 2}
      formats: [csv, "1.0"]
      directions: [forward, backward]
    """

  private func model(_ text: String) throws -> SpecNode {
    try #require(SpecNode.parse(text, sourceName: "spec.yaml")["model"])
  }

  private func decodeError(_ replacing: String, with replacement: String) throws -> SpecError {
    let node = try model(text.replacingOccurrences(of: replacing, with: replacement))
    return try #require(throws: SpecError.self) {
      try SpecDecoder().decode(Model.self, from: node, path: "model")
    }
  }

  @Test func decodesANestedStructWithArraysOptionalsAndEnums() throws {
    let decoded = try SpecDecoder().decode(Model.self, from: model(text), path: "model")
    #expect(
      decoded
        == Model(
          hidden: 32, activation: .relu,
          layers: [Layer(size: 4, dropout: 0.5), Layer(size: 8, dropout: nil)],
          seed: 7, label: nil, bias: true, rate: .infinity, counts: ["a": 1, "b": 2],
          formats: ["csv", "1.0"], directions: [.forward, .backward]))
  }

  @Test func reportsAMissingKeyAtTheMapping() throws {
    let error = try decodeError("  hidden: 32\n", with: "")
    #expect(error.location?.description == "spec.yaml:2:3")
    #expect(error.keyPath == "model.hidden")
    #expect(error.message == "missing required option 'hidden'")
  }

  @Test func reportsATypeMismatchAtTheValueWithItsIndexedPath() throws {
    let error = try decodeError("{size: 8,", with: "{size: big,")
    #expect(error.location?.description == "spec.yaml:7:14")
    #expect(error.keyPath == "model.layers.1.size")
    #expect(error.message == "expected an integer, found 'big'")
  }

  @Test func rejectsQuotedNumbersAndNulls() throws {
    let quoted = try decodeError("rate: .inf", with: "rate: '0.5'")
    #expect(quoted.message == "expected a number, found a quoted string '0.5'")
    #expect(quoted.location?.description == "spec.yaml:10:9")
    let null = try decodeError("hidden: 32", with: "hidden:")
    #expect(null.message == "expected an integer, found null")
    #expect(null.keyPath == "model.hidden")
  }

  @Test func reportsUnknownCaseIterableEnumValuesWithASuggestion() throws {
    let error = try decodeError("activation: relu", with: "activation: rellu")
    #expect(error.location?.description == "spec.yaml:3:15")
    #expect(error.keyPath == "model.activation")
    #expect(error.message == "unknown value 'rellu'")
    #expect(error.expected == "one of: tanh, sigmoid, relu")
    #expect(error.suggestion == "relu")
  }

  @Test func locatesDecodingErrorsFromOtherInitializers() throws {
    let direction = try decodeError("[forward, backward]", with: "[forward, sideways]")
    #expect(direction.location?.description == "spec.yaml:13:25")
    #expect(direction.keyPath == "model.directions.1")
    #expect(direction.message.hasPrefix("invalid value 'sideways'"))

    let node = try SpecNode.parse("rate: 2\n", sourceName: "b.yaml")
    let bounded = try #require(throws: SpecError.self) {
      try SpecDecoder().decode(Bounded.self, from: node, path: "optimizer")
    }
    #expect(bounded.location?.description == "b.yaml:1:7")
    #expect(bounded.keyPath == "optimizer.rate")
    #expect(bounded.message == "invalid value 2: a rate must be at most 1")
  }

  @Test func checksIntegerWidths() throws {
    let node = try SpecNode.parse("[1, 300]", sourceName: "w.yaml")
    let error = try #require(throws: SpecError.self) {
      try SpecDecoder().decode([Int8].self, from: node)
    }
    #expect(error.keyPath == "1")
    #expect(error.location?.description == "w.yaml:1:5")
    #expect(error.message == "expected an integer between -128 and 127, found 300")
    #expect(try SpecDecoder().decode([UInt64].self, from: node) == [1, 300])
  }

  @Test func reportsStructureMismatchesInsteadOfTrapping() throws {
    let node = try SpecNode.parse("a: {b: 1}\nc: [1]\n", sourceName: "s.yaml")
    struct Wants: Decodable { var a: [Int] }
    let sequence = try #require(throws: SpecError.self) {
      try SpecDecoder().decode(Wants.self, from: node)
    }
    #expect(sequence.message == "expected a sequence, found a mapping")
    #expect(sequence.location?.description == "s.yaml:1:4")
    struct WantsMapping: Decodable { var c: [String: Int] }
    let mapping = try #require(throws: SpecError.self) {
      try SpecDecoder().decode(WantsMapping.self, from: node)
    }
    #expect(mapping.message == "expected a mapping, found a sequence")
    #expect(mapping.keyPath == "c")
    struct Pair: Decodable {
      var x: Int
      var y: Int
      init(from decoder: any Decoder) throws {
        var items = try decoder.unkeyedContainer()
        x = try items.decode(Int.self)
        y = try items.decode(Int.self)
      }
    }
    let short = try #require(throws: SpecError.self) {
      try SpecDecoder().decode(Pair.self, from: #require(node["c"]), path: "c")
    }
    #expect(short.message == "expected more than 1 items")
    #expect(short.keyPath == "c")
  }

  @Test func decodesScalarsAtTheRoot() throws {
    func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
      try SpecDecoder().decode(type, from: SpecNode.parse(text, sourceName: "r"))
    }
    #expect(try decode(Bool.self, "---\nNo") == false)
    #expect(try decode(Double.self, "---\n-1.5e2") == -150)
    #expect(try decode(Float.self, "---\n.5") == 0.5)
    #expect(try decode(String.self, "---\n'null'") == "null")
    #expect(try decode(Int?.self, "---\n~") == nil)
    #expect(try decode([String?].self, "[a, null, b]") == ["a", nil, "b"])
    #expect(try decode([[Int]].self, "[[1], [2, 3]]") == [[1], [2, 3]])
  }
}

import Foundation
import Testing
import YAMLSpec

@Suite struct SpecOptionsTests {
  enum Shape: String, Decodable, Sendable, CaseIterable {
    case round, square
  }

  struct Files: SpecOptions {
    @SpecOption(help: "train file") var train: String
    @SpecOption(help: "dev file") var dev: String?
  }

  struct Sizes: SpecOptions {
    @SpecOption(default: 10, range: 1..., help: "sequences") var trainSequences: Int
    @SpecOption(default: 0.5, minimum: 0, maximum: 1, maximumInclusive: false, help: "a share")
    var share: Double

    init() {}

    init(train: Int) {
      _trainSequences = _trainSequences.defaulting(to: train)
      _share = _share.defaulting(to: 0.25, help: "a smaller share")
    }
  }

  struct Everything: SpecOptions {
    @Include var files: Files
    @SpecOption(default: 3, range: 1...8, help: "a bounded integer") var batchSize: Int
    @SpecOption(range: 1..., help: "an inferred size", elidedAtDefault: true) var input: Int?
    @SpecOption(minimum: 0, minimumInclusive: false, help: "a clip") var clipNorm: Double?
    @SpecOption(default: true, help: "a switch") var bias: Bool
    @SpecOption(default: .round, help: "a choice") var shape: Shape
    @SpecOption(help: "a nullable choice") var mode: Shape?
    @SpecOption(default: ["a"], help: "names") var metrics: [String]
    @SpecOption(default: [.square], help: "choices") var shapes: [Shape]
    @Include(Sizes(train: 7)) var sizes: Sizes
    @SpecOption(default: 0, range: 0..., help: "a seed") var seed: UInt64
  }

  @Test func theDeclarationsDescribeEveryOptionInOrderWithItsKeyInSnakeCase() {
    let options = Everything().optionDescriptions
    #expect(
      options.map(\.name) == [
        "train", "dev", "batch_size", "input", "clip_norm", "bias", "shape", "mode", "metrics",
        "shapes", "train_sequences", "share", "seed",
      ])
    let byName = Dictionary(uniqueKeysWithValues: options.map { ($0.name, $0) })
    #expect(byName["train"]?.isRequired == true)
    #expect(byName["dev"]?.isNullable == true)
    #expect(byName["batch_size"]?.typeDescription == "integer between 1 and 8")
    #expect(byName["batch_size"]?.defaultValue == .integer(3))
    #expect(byName["input"]?.typeDescription == "integer ≥ 1")
    #expect(byName["input"]?.isNullable == true)
    #expect(byName["input"]?.elidedAtDefault == true)
    #expect(byName["batch_size"]?.elidedAtDefault == false)
    #expect(byName["clip_norm"]?.typeDescription == "number > 0")
    #expect(byName["bias"]?.defaultValue == .boolean(true))
    #expect(byName["shape"]?.typeDescription == "one of: round, square")
    #expect(byName["shape"]?.defaultValue == .string("round"))
    #expect(byName["mode"]?.typeDescription == "one of: round, square")
    #expect(byName["mode"]?.isNullable == true)
    #expect(byName["metrics"]?.typeDescription == "list of strings")
    #expect(byName["shapes"]?.typeDescription == "list of values from: round, square")
    #expect(byName["shapes"]?.defaultValue == .list([.string("square")]))
    #expect(byName["seed"]?.typeDescription == "integer ≥ 0")
  }

  @Test func aTemplateChangesAnIncludedGroupsDefaultsAndHelp() {
    let byName = Dictionary(
      uniqueKeysWithValues: Everything().optionDescriptions.map { ($0.name, $0) })
    #expect(byName["train_sequences"]?.defaultValue == .integer(7))
    #expect(byName["train_sequences"]?.help == "sequences")
    #expect(byName["share"]?.defaultValue == .number(0.25))
    #expect(byName["share"]?.help == "a smaller share")
    let plain = Dictionary(uniqueKeysWithValues: Sizes().optionDescriptions.map { ($0.name, $0) })
    #expect(plain["train_sequences"]?.defaultValue == .integer(10))
    #expect(plain["share"]?.help == "a share")
  }

  /// The section as the validator leaves it: defaults filled, every value checked.
  func resolved(_ text: String) throws -> SpecNode {
    let root = try SpecNode.parse(text, sourceName: "s.yaml")
    return try root["model"]!.resolved(against: Everything().optionDescriptions, path: "model")
  }

  @Test func aResolvedSectionReadsBackIntoTheGroupWithWhereEachValueCameFrom() throws {
    let node = try resolved(
      """
      model:
        train: a.txt
        batch_size: 8
        clip_norm: 0.5
        mode: square
        shapes: [round, square]
        train_sequences: 12
      """)
    let options = try SpecDecoder().decode(Everything.self, from: node, path: "model")
    #expect(options.files.train == "a.txt")
    #expect(options.files.dev == nil)
    #expect(options.batchSize == 8)
    #expect(options.input == nil)
    #expect(options.clipNorm == 0.5)
    #expect(options.bias)
    #expect(options.shape == .round)
    #expect(options.mode == .square)
    #expect(options.metrics == ["a"])
    #expect(options.shapes == [.round, .square])
    #expect(options.sizes.trainSequences == 12)
    #expect(options.sizes.share == 0.25)
    #expect(options.seed == 0)
    #expect(options.$batchSize.keyPath == "model.batch_size")
    #expect(options.$batchSize.key == "batch_size")
    #expect(options.$batchSize.node.location.line == 3)
    #expect(options.$batchSize.node.location.column == 15)
    #expect(options.files.$train.keyPath == "model.train")
    #expect(options.sizes.$trainSequences.node.location.line == 7)
    let error = options.$clipNorm.error("too small", expected: "more")
    #expect(error.keyPath == "model.clip_norm")
    #expect(error.location?.line == 4)
    #expect(error.message == "too small")
    #expect(error.expected == "more")
  }

  @Test func anOptionIsFoundByItsKeyAlsoInAnIncludedGroup() throws {
    let node = try resolved("model: {train: a.txt, dev: b.txt}")
    let options = try SpecDecoder().decode(Everything.self, from: node, path: "model")
    #expect(options.source(of: "dev")?.keyPath == "model.dev")
    #expect(options.source(of: "dev")?.node.scalar == "b.txt")
    #expect(options.source(of: "train_sequences")?.keyPath == "model.train_sequences")
    #expect(options.source(of: "trainSequences") == nil)
    #expect(options.source(of: "files") == nil)
  }

  @Test func readingAnUnresolvedSectionReportsTheKeyInSnakeCase() throws {
    let node = try SpecNode.parse("{train: a.txt, batch_size: many}", sourceName: "s.yaml")
    do {
      _ = try SpecDecoder().decode(Files.self, from: node.removing("train"), path: "data")
      Issue.record("a missing required option was read")
    } catch {
      #expect(error.message == "missing required option 'train'")
      #expect(error.keyPath == "data.train")
    }
    struct Batch: SpecOptions {
      @SpecOption(default: 1, range: 1..., help: "b") var batchSize: Int
    }
    do {
      _ = try SpecDecoder().decode(Batch.self, from: node, path: "training")
      Issue.record("a word was read as an integer")
    } catch {
      #expect(error.keyPath == "training.batch_size")
      #expect(error.message == "expected an integer, found 'many'")
      #expect(error.location?.column == 28)
    }
  }

  @Test func onlySpecDecoderKnowsWhereAValueCameFrom() {
    struct Named: SpecOptions {
      @SpecOption(help: "n") var name: String
    }
    #expect(throws: DecodingError.self) {
      _ = try JSONDecoder().decode(Named.self, from: Data(#"{"name": "x"}"#.utf8))
    }
  }
}

import Foundation
import Recur
import Tensors
import Testing
import YAMLSpec

@testable import Experiments

@Suite struct ResourceCheckTests {
  static let spec = """
    name: sizes
    seed: 3
    dataset:
      type: synthetic-tagging
      train_sequences: 40
      dev_sequences: 10
      test_sequences: 10
      max_length: 6
    model:
      type: brnn
      hidden: 4
    optimizer:
      type: sgd
    training:
      epochs: 1
      batch_size: 8

    """

  static func experiment(
    _ overrides: [String] = [], registry: Registry = .standard
  ) throws(SpecError) -> Experiment {
    try Experiment(
      spec: SpecNode.parse(spec, sourceName: "sizes.yaml").applying(overrides: overrides),
      registry: registry)
  }

  /// The error assembling the spec with `overrides` raises.
  static func error(_ overrides: [String]) -> SpecError? {
    do {
      _ = try experiment(overrides)
      Issue.record("\(overrides) was accepted")
      return nil
    } catch {
      return error
    }
  }

  @Test(arguments: [(1, false), (1, true), (2, false), (2, true)])
  func parameterCountIsTheSumOfTheNetworksShapes(directions: Int, bias: Bool) {
    let shape = NetworkShape(
      inputSize: 7, hiddenSize: 5, outputSize: 3,
      directions: Array([Direction.forward, .backward].prefix(directions)), bias: bias,
      task: .framewise)
    let shapes = RecurrentNetwork<Float>.parameterShapes(for: shape, cell: ElmanCell(activation: Tanh()))
    #expect(
      NetworkShape.parameterCount(
        input: 7, hidden: 5, output: 3, directions: directions, bias: bias)
        == shapes.reduce(0) { $0 + $1.rows * $1.columns })
  }

  @Test func parameterCountOfGatedStackedCellsAndOverflow() {
    // A two-layer bidirectional LSTM with peepholes, I = 10, H = 4, K = 3, with biases:
    // layer 1 per direction 4·(10·4 + 4·4 + 4) + 3·4 = 252, layer 2 (input 2H = 8)
    // 4·(8·4 + 4·4 + 4) + 12 = 220; two directions: 2·(252 + 220) = 944; output 8·3 + 3 = 27.
    #expect(
      NetworkShape.parameterCount(
        input: 10, hidden: 4, output: 3, directions: 2, bias: true, gates: 4, layers: 2,
        extraPerUnit: 3) == 971)
    // H² alone is 2.5·10¹⁹ > Int.max.
    #expect(
      NetworkShape.parameterCount(
        input: 50, hidden: 5_000_000_000, output: 8, directions: 1, bias: true) == nil)
    #expect(
      NetworkShape.parameterCount(
        input: Int.max, hidden: 2, output: 1, directions: 1, bias: false) == nil)
  }

  @Test func generatedShapesAgreeWithTheDrawnData() throws {
    let sizes = GeneratedSplits(
      trainSequences: 300, devSequences: 40, testSequences: 0, minLength: 3, maxLength: 9)
    let generator = SeededGenerator(seed: 4)
    let cases: [(DatasetShape, any Dataset)] = [
      (
        SyntheticBenchmark.parityShape(sizes),
        SyntheticBenchmark.parity(sizes, generator: generator)
      ),
      (
        SyntheticBenchmark.addingShape(sizes),
        SyntheticBenchmark.adding(sizes, generator: generator)
      ),
      (
        SyntheticBenchmark.reverseShape(sizes, symbols: 5),
        SyntheticBenchmark.reverse(sizes, symbols: 5, generator: generator)
      ),
    ]
    for (stated, data) in cases {
      let measured = DatasetShape(measuring: data)
      #expect(stated.inputSize == measured.inputSize)
      #expect(stated.outputSize == measured.outputSize)
      #expect(stated.task == measured.task)
      #expect(stated.denseInputs == measured.denseInputs)
      #expect(stated.sequences == measured.sequences)
      #expect(measured.longestSequence <= stated.longestSequence)
      // Lengths are uniform in 3…9, mean 6: 300 sequences hold 1800 steps, give or take a
      // few standard deviations (√(300·(7²−1)/12) ≈ 35).
      #expect(stated.steps[.train] == 1800)
      #expect(abs(measured.steps[.train]! - 1800) < 150)
    }
  }

  @Test func generatedDataIsDrawnWhenFirstReadAndIsTheSame() throws {
    let experiment = try Self.experiment()
    let lazy = try #require(experiment.dataset as? GeneratedDataset)
    #expect(!lazy.isDrawn)
    #expect(experiment.spec["model"]?["input"]?.scalar == "50")
    let configuration = SyntheticTagging.Configuration(
      trainSequences: 40, devSequences: 10, testSequences: 10, minLength: 4, maxLength: 6,
      vocabulary: 50, tags: 8, rightContextWords: 6, rightContextShare: 0.3)
    let eager = try SyntheticTagging(
      configuration, generator: SeededGenerator(seed: 3).derived("data"))
    #expect(lazy.examples(.train) == eager.examples(.train))
    #expect(lazy.info == eager.info)
    #expect(lazy.isDrawn)
  }

  @Test func sizesBeyondTwoToTheThirtyFirstAreErrorsAtTheirOption() throws {
    for (override, path) in [
      ("training.batch_size=9223372036854775807", "training.batch_size"),
      ("dataset.train_sequences=9223372036854775807", "dataset.train_sequences"),
      ("dataset.dev_sequences=4294967296", "dataset.dev_sequences"),
      ("dataset.max_length=4294967296", "dataset.max_length"),
      ("model.hidden=5000000000", "model.hidden"),
      ("dataset.vocabulary=2147483648", "dataset.vocabulary"),
    ] {
      let error = try #require(Self.error([override]))
      #expect(error.keyPath == path)
      #expect(error.message.contains("more than any size can be"), "\(error.message)")
      #expect(error.expected?.contains("2147483647") == true)
      #expect(error.location?.line == 1)
    }
  }

  @Test func whatTheMachineCannotHoldIsAnErrorWithTheEstimate() throws {
    let experiment = try Self.experiment()
    let shape = experiment.dataset.shape
    func check(memory: Int, batchSize: Int = 8) -> SpecError? {
      do {
        try ResourceCheck(memory: memory).check(
          shape: shape, generated: true, model: experiment.model.shape, batchSize: batchSize,
          dataset: ComponentOptions(node: experiment.spec["dataset"]!, path: "dataset"),
          modelOptions: ComponentOptions(node: experiment.spec["model"]!, path: "model"),
          training: ComponentOptions(node: experiment.spec["training"]!, path: "training"))
        return nil
      } catch {
        return error
      }
    }
    let estimate = ResourceCheck.estimate(
      shape: shape, generated: true, model: experiment.model.shape, batchSize: 8)
    // brnn I = 50, H = 4, K = 8 with biases: 2·(50·4 + 16 + 4) + 8·8 + 8 = 512 parameters,
    // 8 bytes each with their gradients.
    #expect(estimate.parameters == 512)
    #expect(estimate.model == 4096)
    // Evaluation batches of the train split's 40 sequences are larger than the training batches
    // of 8: 40 × 6 rows × 4 bytes × (6·4·2 + 4·8) values.
    #expect(!estimate.batchIsTraining)
    #expect(estimate.batch == 240 * 4 * (48 + 32))
    // The train split, 40 sequences of 5 steps on average: 200 steps of 48 bytes + 40 × 200.
    #expect(shape.bytes(of: .train) == 200 * 48 + 40 * 200)
    #expect(estimate.data == 60 * 5 * 48 + 60 * 200)
    #expect(estimate.total == estimate.data + estimate.model + estimate.batch)

    #expect(check(memory: estimate.total) == nil)
    let tight = try #require(check(memory: estimate.total - 1))
    #expect(tight.keyPath == "dataset.max_length")
    #expect(tight.message.contains("about 76.8 kB of activations"), "\(tight.message)")
    #expect(tight.message.contains("about 107.3 kB in all"))

    let model = try #require(Self.error(["model.hidden=200000"]))
    #expect(model.keyPath == "model.hidden")
    #expect(model.message.contains("80023600008 parameters"), "\(model.message)")
    #expect(model.message.contains("640.2 GB"))

    let dev = try #require(Self.error(["dataset.dev_sequences=200000000"]))
    #expect(dev.keyPath == "dataset.dev_sequences")
    #expect(dev.message.contains("200000000 sequences of up to 6 steps"), "\(dev.message)")

    let longest = try #require(Self.error(["dataset.max_length=50000000"]))
    #expect(longest.keyPath == "dataset.max_length")
    #expect(longest.message.contains("an evaluation batch of 40 sequences"), "\(longest.message)")

    let batch = try #require(
      Self.error(["dataset.max_length=50000000", "training.batch_size=40"]))
    #expect(batch.keyPath == "training.batch_size")
    #expect(batch.message.contains("the largest training batch of 40 sequences"))

    let rows = try #require(Self.error(["dataset.max_length=100000000"]))
    #expect(rows.keyPath == "dataset.max_length")
    #expect(rows.message.contains("has more than 2147483647 rows"), "\(rows.message)")
  }

  @Test func trialCountsAreCheckedBeforeExpanding() throws {
    func sweep(_ section: String) -> SpecError? {
      do {
        let document = try SpecNode.parse(Self.spec + section, sourceName: "sweep.yaml")
        _ = try SweepSpec(document: document)
        return nil
      } catch {
        return error
      }
    }
    // 20⁶ = 64,000,000 configurations.
    let values = "[" + (1...20).map(String.init).joined(separator: ", ") + "]"
    let keys = [
      "model.hidden", "training.epochs", "training.batch_size", "training.checkpoint_every",
      "dataset.train_sequences", "dataset.dev_sequences",
    ]
    let grid = try #require(
      sweep(
        "sweep:\n  metric: {name: dev.accuracy}\n  parameters:\n"
          + keys.map { "    \($0): \(values)\n" }.joined()))
    #expect(grid.keyPath == "sweep.parameters")
    #expect(grid.message.contains("64000000 trials"), "\(grid.message)")
    // The spec is 16 lines; `sweep:` is line 17 and the first parameter line 20.
    #expect(grid.location?.line == 20)

    let random = try #require(
      sweep(
        "sweep:\n  method: random\n  trials: 100000000000\n  metric: {name: dev.accuracy}\n"
          + "  parameters:\n    model.hidden: [2, 3]\n"))
    #expect(random.keyPath == "sweep.trials")
    #expect(random.message.contains("more than 2147483647 trials"), "\(random.message)")
    #expect(random.location?.line == 19)

    let wide = try #require(
      sweep(
        "sweep:\n  method: random\n  trials: 2\n  metric: {name: dev.accuracy}\n  parameters:\n"
          + "    model.hidden: {distribution: int_uniform, "
          + "min: -9223372036854775808, max: 9223372036854775807}\n"))
    #expect(wide.keyPath == "sweep.parameters.model.hidden.min")
    #expect(wide.message.contains("more integers than can be counted"), "\(wide.message)")

    // Integer bounds are read as integers: Int.max does not pass through a Double.
    let document = try SpecNode.parse(
      Self.spec + "sweep:\n  method: random\n  trials: 2\n  metric: {name: dev.accuracy}\n"
        + "  parameters:\n    model.hidden: {distribution: int_uniform, min: 1, "
        + "max: 9223372036854775807}\n", sourceName: "sweep.yaml")
    let spec = try SweepSpec(document: document)
    guard case .intUniform(let min, let max) = spec.parameters[0].domain else {
      Issue.record("not an integer domain")
      return
    }
    #expect(min == 1 && max == Int.max)
  }
}

import Experiments
import Recur
import Testing
import YAMLSpec

/// The model section's cell options: assembly, errors located at the option, and specs written
/// before cells existed resolving to the text they resolved to then.
@Suite struct CellSpecTests {
  static func model(_ lines: String) -> String {
    ExperimentTests.spec.replacingOccurrences(of: "  hidden: 6\n", with: "  hidden: 6\n" + lines)
  }

  @Test func lstmStackAssembles() throws {
    let experiment = try ExperimentTests.assemble(
      Self.model("  cell: lstm\n  layers: 2\n  layer_dropout: 0.2\n  forget_bias: 1\n"))
    let lstm = try #require(experiment.model.cell as? LSTMCell)
    #expect(lstm.forgetBias == 1 && !lstm.peepholes)
    #expect(experiment.model.shape.layers == 2)
    #expect(experiment.model.layerDropout == 0.2)
    let model = try #require(experiment.spec["model"])
    #expect(model["cell"]?.scalar == "lstm")
    #expect(model["layers"]?.scalar == "2")
    #expect(model["peepholes"]?.scalar == "false")
    #expect(model["activation"] == nil)
    #expect(experiment.model.parameterLayout.first?.name == "layers.0.forward.U")
    // The layer dropout reaches the training noise.
    let trainer = experiment.trainer(for: experiment.network())
    #expect(trainer.noise?.layerDropout == 0.2)
  }

  /// A spec without the new options resolves to the same text as before they existed (so the
  /// SHA-256 that names a sweep trial is unchanged): `cell`, `layers` and `layer_dropout` are
  /// left out while they hold their defaults, and `activation` keeps its place after `output`.
  @Test func defaultsAreElidedAndTheOldOrderKept() throws {
    let plain = try ExperimentTests.assemble(ExperimentTests.spec)
    let stated = try ExperimentTests.assemble(
      Self.model("  cell: elman\n  layers: 1\n  layer_dropout: 0.0\n"))
    let keys = plain.spec["model"]?.entries?.map(\.key)
    #expect(
      keys == [
        "type", "input", "hidden", "output", "activation", "bias", "weight_init",
        "recurrent_init",
      ])
    #expect(stated.spec.yamlText() == plain.spec.yamlText())
    #expect(plain.model.cell is ElmanCell)
    #expect(plain.model.shape.layers == 1)
  }

  struct Bad: CustomTestStringConvertible, Sendable {
    var lines: String
    var line: Int
    var column: Int
    var keyPath: String
    var message: String
    var testDescription: String { lines.replacingOccurrences(of: "\n", with: " ") }
  }

  /// Line 13 is the first line after `hidden: 6`.
  static let bad: [Bad] = [
    Bad(
      lines: "  layers: 0\n", line: 13, column: 11, keyPath: "model.layers",
      message: "expected an integer ≥ 1, found 0"),
    Bad(
      lines: "  cell: lstm\n  activation: relu\n", line: 14, column: 3,
      keyPath: "model.activation",
      message: "'activation' is an option of the elman cell, not of lstm"),
    Bad(
      lines: "  cell: gru\n  peepholes: true\n", line: 14, column: 3, keyPath: "model.peepholes",
      message: "'peepholes' is an option of the lstm cell, not of gru"),
    Bad(
      lines: "  peepholes: true\n", line: 13, column: 3, keyPath: "model.peepholes",
      message: "'peepholes' is an option of the lstm cell, not of elman"),
    Bad(
      lines: "  layers: 2\n  layer_dropout: 1\n", line: 14, column: 18,
      keyPath: "model.layer_dropout", message: "expected a number ≥ 0 and < 1, found 1"),
    Bad(
      lines: "  layer_dropout: -0.1\n", line: 13, column: 18, keyPath: "model.layer_dropout",
      message: "expected a number ≥ 0 and < 1, found -0.1"),
    Bad(
      lines: "  layer_dropout: 0.3\n", line: 13, column: 18, keyPath: "model.layer_dropout",
      message: "layer_dropout acts between stacked layers, and there is one"),
    Bad(
      lines: "  cell: lstn\n", line: 13, column: 9, keyPath: "model.cell",
      message: "unknown cell 'lstn'"),
    Bad(
      lines: "  cell: lstm\n  recurrent_init: identity\n", line: 14, column: 19,
      keyPath: "model.recurrent_init",
      message: "identity cannot initialise forward.W, which is 6×24"),
    Bad(
      lines: "  cell: lstm\n  forget_bias: 1\n  bias: false\n", line: 15, column: 9,
      keyPath: "model.bias", message: "the lstm cell's initial bias needs biases"),
  ]

  @Test(arguments: bad)
  func badCellOptionsAreLocated(_ bad: Bad) throws {
    let error = try #require(ExperimentTests.error(Self.model(bad.lines)))
    #expect(error.message == bad.message)
    #expect(error.keyPath == bad.keyPath)
    #expect(error.location?.line == bad.line)
    #expect(error.location?.column == bad.column)
  }

  /// Overrides reach the cell options like any other: an LSTM from the command line.
  @Test func cellFromAnOverride() throws {
    let experiment = try ExperimentTests.assemble(
      ExperimentTests.spec, overrides: ["model.cell=gru", "model.layers=3"])
    #expect(experiment.model.cell is GRUCell)
    #expect(experiment.model.parameterLayout.contains { $0.name == "layers.2.backward.c_hn" })
  }
}

/// Every independent fault of a spec in one report, in file order.
@Suite struct AllErrorsTests {
  @Test func everyIndependentFaultIsReported() throws {
    let text = """
      name: multi
      seed: -1
      dataset:
        type: synthetic-tagging
        train_sequencs: 20
      model:
        type: brnn
        hidden: 6
        bias: maybe
        activation: relu
        cell: lstm
      optimizer:
        type: sgd
        learning_rate: -1
      training:
        epochs: 0
      """
    let error = try #require(ExperimentTests.error(text))
    // The first fault found is the error's own; the others ride along.
    #expect(error.keyPath == "seed" && error.location?.line == 2)
    let all = [error.location?.line] + error.others.map(\.location?.line)
    #expect(all.count == 5)
    #expect(Set(error.others.compactMap(\.keyPath)) == [
      "dataset.train_sequencs", "model.activation", "optimizer.learning_rate", "training.epochs",
    ])
    let report = error.description
    let heads = report.split(separator: "\n").filter { $0.contains(": error: ") }
    #expect(heads.map { $0.split(separator: ":")[1] } == ["2", "5", "10", "14", "16"])
    #expect(report.hasSuffix("\n5 errors"))
  }

  /// Within one section every key's fault is reported, not only the first.
  @Test func everyFaultOfASection() throws {
    let error = try #require(
      ExperimentTests.error(
        ExperimentTests.spec.replacingOccurrences(
          of: "  learning_rate: 0.05", with: "  learning_rate: 0\n  momentum: 2\n  nestrov: true")))
    let paths = [error.keyPath] + error.others.map(\.keyPath)
    #expect(Set(paths.compactMap { $0 }) == [
      "optimizer.learning_rate", "optimizer.momentum", "optimizer.nestrov",
    ])
  }

  /// A single fault renders as before: one diagnostic, no count.
  @Test func oneFaultAlone() throws {
    let error = try #require(
      ExperimentTests.error(ExperimentTests.spec.replacingOccurrences(of: "hidden: 6", with: "hidden: 0")))
    #expect(error.others.isEmpty)
    #expect(!error.description.contains("errors"))
  }
}

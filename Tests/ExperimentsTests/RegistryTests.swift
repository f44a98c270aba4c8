import Experiments
import Foundation
import Recur
import Tensors
import Testing
import YAMLSpec

@Suite struct RegistryTests {
  @Test func standardComponentsAreRegistered() {
    let registry = Registry.standard
    #expect(registry.models.names == ["rnn", "brnn"])
    #expect(
      registry.datasets.names == [
        "synthetic-tagging", "conllu", "conll", "csv-sequences", "text", "parity", "adding",
        "reverse", "process", "random-dense",
      ])
    #expect(registry.optimizers.names == ["sgd", "adam", "adamw", "rmsprop", "adagrad", "rprop"])
    #expect(registry.activations.names == ["tanh", "sigmoid", "relu"])
    #expect(
      registry.metrics.names == [
        "accuracy", "sequence_accuracy", "known_word_accuracy", "unknown_word_accuracy",
        "bits_per_token", "perplexity", "mse", "mae",
      ])
    for kind in ComponentKind.allCases {
      for component in registry.descriptions(of: kind) {
        #expect(!component.summary.isEmpty)
        for option in component.options {
          #expect(!option.help.isEmpty, "\(component.name).\(option.name)")
        }
      }
    }
  }

  @Test func lookupNamesTheClosest() throws {
    let node = try SpecNode.parse("relux", sourceName: "t.yaml")
    do {
      _ = try Registry.standard.activations.lookup(node, path: "model.activation")
      Issue.record("'relux' was accepted")
    } catch {
      #expect(error.message == "unknown activation 'relux'")
      #expect(error.suggestion == "relu")
      #expect(error.expected == "one of: relu, sigmoid, tanh")
      #expect(error.location?.line == 1)
      #expect(error.location?.column == 1)
    }
  }

  /// A component registered on a copy of the registry is built from a spec like a built-in one.
  @Test func aRegisteredActivationIsUsable() throws {
    var registry = Registry.standard
    try registry.activations.register(
      Component(
        name: "identity-ish", summary: "a test stand-in",
        make: { Registry.standard.activations["tanh"]!.make() }))
    let spec = """
      name: custom
      dataset: {type: synthetic-tagging, train_sequences: 4, dev_sequences: 0, test_sequences: 0}
      model: {type: rnn, hidden: 3, activation: identity-ish}
      optimizer: {type: sgd}
      """
    let experiment = try Experiment(
      spec: SpecNode.parse(spec, sourceName: "t.yaml"), registry: registry)
    #expect(experiment.model.shape.hiddenSize == 3)
    #expect(throws: SpecError.self) {
      try Experiment(spec: SpecNode.parse(spec, sourceName: "t.yaml"))
    }
  }

  /// A second component under a taken name fails, naming both modules; components record the
  /// module that declared them.
  @Test func duplicateNamesFailNamingBothModules() throws {
    var registry = Registry.standard
    #expect(registry.cells["lstm"]?.module == "Experiments")
    let clash = Component<CellFactory>(
      name: "lstm", summary: "a second lstm", make: { _, _ in LSTMCell() })
    #expect(clash.module == "ExperimentsTests")
    do {
      try registry.cells.register(clash)
      Issue.record("a second 'lstm' was registered")
    } catch {
      #expect(error.kind == .cell)
      #expect(
        error.description
          == "two cells are registered as 'lstm': one from Experiments, one from "
          + "ExperimentsTests; rename one of them")
    }
    #expect(registry.cells.names == ["elman", "lstm", "gru"])
  }

  /// `random-dense` builds from a spec with its options, seeded from the run's data stream, and
  /// implies the model's I and K.
  @Test func randomDenseFromASpec() throws {
    let spec = """
      name: dense
      seed: 5
      dataset: {type: random-dense, train_sequences: 6, steps: 3, input: 4, classes: 5}
      model: {type: brnn, hidden: 2}
      optimizer: {type: sgd}
      """
    let experiment = try Experiment(spec: SpecNode.parse(spec, sourceName: "t.yaml"))
    #expect(experiment.model.shape.inputSize == 4)
    #expect(experiment.model.shape.outputSize == 5)
    #expect(experiment.spec["dataset"]?["dev_sequences"]?.scalar == "0")
    let expected = RandomDense(
      RandomDense.Configuration(
        trainSequences: 6, devSequences: 0, testSequences: 0, steps: 3, input: 4, classes: 5),
      generator: SeededGenerator(seed: 5).derived("data"))
    #expect(experiment.dataset.examples(.train) == expected.examples(.train))

    let bad = spec.replacingOccurrences(of: "steps: 3", with: "steps: 0")
    do {
      _ = try Experiment(spec: SpecNode.parse(bad, sourceName: "t.yaml"))
      Issue.record("steps: 0 was accepted")
    } catch {
      #expect(error.keyPath == "dataset.steps")
      #expect(error.location?.line == 3)
      #expect(error.location?.column == 58)
    }
  }
}

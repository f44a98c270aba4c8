import Experiments
import Testing
import YAMLSpec

@Suite struct RegistryTests {
  @Test func standardComponentsAreRegistered() {
    let registry = Registry.standard
    #expect(registry.models.names == ["rnn", "brnn"])
    #expect(
      registry.datasets.names == [
        "synthetic-tagging", "conllu", "conll", "csv-sequences", "parity", "adding", "reverse",
      ])
    #expect(registry.optimizers.names == ["sgd", "adam", "adamw", "rmsprop", "adagrad", "rprop"])
    #expect(registry.activations.names == ["tanh", "sigmoid", "relu"])
    #expect(
      registry.metrics.names == [
        "accuracy", "sequence_accuracy", "known_word_accuracy", "unknown_word_accuracy", "mse",
        "mae",
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
    registry.activations.register(
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
}

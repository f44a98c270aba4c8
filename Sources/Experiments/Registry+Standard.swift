import Recur
import Tensors
import YAMLSpec

extension Registry {
  /// The components Recur ships with.
  public static let standard: Registry = {
    var registry = Registry()
    registry.datasets.register(syntheticTagging)
    registry.models.register(recurrentModel(name: "rnn", directions: [.forward]))
    registry.models.register(recurrentModel(name: "brnn", directions: [.forward, .backward]))
    registry.optimizers.register(sgd)
    registry.activations.register(
      Component(name: "tanh", summary: "hyperbolic tangent; f' = 1 − f²", make: { Tanh() }))
    registry.activations.register(
      Component(
        name: "sigmoid", summary: "logistic function 1/(1+e^−a); f' = f(1 − f)",
        make: { Sigmoid() }))
    registry.activations.register(
      Component(name: "relu", summary: "max(0, a); f' = [a > 0]", make: { ReLU() }))
    registry.metrics.register(
      Component(
        name: "accuracy",
        summary: "share of scored positions predicted right (tokens, or sequences)",
        make: { Accuracy() }))
    registry.datasets.register(randomDense)
    return registry
  }()

  static let syntheticTagging = Component<DatasetFactory>(
    name: "synthetic-tagging",
    summary: "seeded toy language where some tags depend on the next word (reports the "
      + "left-to-right ceiling)",
    options: [
      .integer("train_sequences", default: 2000, range: 1..., help: "sequences in the train split"),
      .integer("dev_sequences", default: 500, range: 0..., help: "sequences in the dev split"),
      .integer("test_sequences", default: 500, range: 0..., help: "sequences in the test split"),
      .integer("min_length", default: 4, range: 1..., help: "shortest sequence"),
      .integer("max_length", default: 20, range: 1..., help: "longest sequence"),
      .integer("vocabulary", default: 50, range: 2..., help: "word types (the input size I)"),
      .integer("tags", default: 8, range: 2..., help: "tag set size (the output size K)"),
      .integer(
        "right_context_words", default: 6, range: 0...,
        help: "word types whose tag is the tag of the word after them"),
      .number(
        "right_context_share", default: 0.3, minimum: 0, maximum: 1,
        help: "probability that a position holds a right-context word"),
    ],
    make: makeSyntheticTagging)

  static func makeSyntheticTagging(
    _ options: ComponentOptions, _ generator: SeededGenerator
  ) throws -> any Dataset {
    let configuration = try options.decode(SyntheticTagging.Configuration.self)
    do throws(SyntheticTagging.ConfigurationError) {
      return try SyntheticTagging(configuration, generator: generator)
    } catch {
      throw options.error(at: error.option, error.message)
    }
  }

  static func recurrentModel(name: String, directions: [Direction]) -> Component<ModelFactory> {
    let what = directions.count == 1 ? "Elman RNN" : "bidirectional RNN (BRNN)"
    return Component(
      name: name,
      summary: "\(what) trained by BPTT, softmax output",
      options: [
        .inferredSize("input", help: "input size I; inferred from the dataset"),
        .integer("hidden", default: 32, range: 1..., help: "hidden units H per direction"),
        .inferredSize("output", help: "output size K; inferred from the dataset"),
        .string(
          "activation", default: "tanh", help: "hidden non-linearity (runner list activations)"),
        .boolean("bias", default: true, help: "biases on the hidden and output layers"),
      ],
      make: { options, context in
        struct Options: Decodable {
          var hidden: Int
          var activation: String
          var bias: Bool
        }
        let decoded = try options.decode(Options.self)
        let activation = try context.activations.lookup(
          options.node["activation"]!, path: options.path + ".activation")
        let shape = NetworkShape(
          inputSize: context.sizes.input, hiddenSize: decoded.hidden,
          outputSize: context.sizes.output, directions: directions, bias: decoded.bias,
          task: context.sizes.task)
        return ModelBlueprint(shape: shape, activation: activation.make())
      })
  }

  static let sgd = Component<OptimizerFactory>(
    name: "sgd",
    summary: "stochastic gradient descent with momentum: v ← μv + g, θ ← θ − ηv",
    options: [
      .number(
        "learning_rate", default: 0.1, minimum: 0, minimumInclusive: false, help: "step size η"),
      .number(
        "momentum", default: 0, minimum: 0, maximum: 1, maximumInclusive: false,
        help: "momentum μ (0 = plain SGD)"),
    ],
    make: { options in
      struct Options: Decodable {
        var learningRate: Double
        var momentum: Double
        enum CodingKeys: String, CodingKey {
          case learningRate = "learning_rate"
          case momentum
        }
      }
      let decoded = try options.decode(Options.self)
      return ConfiguredOptimizer(
        optimizer: SGD(momentum: Float(decoded.momentum)),
        learningRate: decoded.learningRate)
    })
}

extension OptionDescription {
  /// A size the dataset implies (I or K): absent or null means inferred; a stated value must be
  /// a positive integer that agrees with the dataset.
  static func inferredSize(_ name: String, help: String) -> OptionDescription {
    OptionDescription(name: name, kind: .integer(1...Int.max), defaultValue: .null, help: help)
  }
}

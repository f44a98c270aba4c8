import Recur
import Tensors
import YAMLSpec

extension Registry {
  /// The components Recur ships with.
  public static let standard: Registry = {
    do {
      return try standardComponents()
    } catch {
      preconditionFailure("Recur's own components clash: \(error)")
    }
  }()

  private static func standardComponents() throws(DuplicateComponent) -> Registry {
    var registry = Registry()
    try registry.datasets.register(syntheticTagging)
    try registry.models.register(recurrentModel(name: "rnn", directions: [.forward]))
    try registry.models.register(recurrentModel(name: "brnn", directions: [.forward, .backward]))
    for cell in [elmanCell, lstmCell, gruCell] { try registry.cells.register(cell) }
    for optimizer in [sgd, adam(decoupled: false), adam(decoupled: true), rmsprop, adagrad, rprop] {
      try registry.optimizers.register(optimizer)
    }
    for schedule in [constant, step, exponential, cosine, plateau] {
      try registry.schedules.register(schedule)
    }
    try registry.activations.register(
      Component(name: "tanh", summary: "hyperbolic tangent; f' = 1 − f²", make: { Tanh() }))
    try registry.activations.register(
      Component(
        name: "sigmoid", summary: "logistic function 1/(1+e^−a); f' = f(1 − f)",
        make: { Sigmoid() }))
    try registry.activations.register(
      Component(name: "relu", summary: "max(0, a); f' = [a > 0]", make: { ReLU() }))
    let initializers: [Component<InitializerFactory>] = [
      Component(
        name: "uniform", summary: "uniform in ±1/√H", make: { UniformInitializer() }),
      Component(
        name: "glorot", summary: "Glorot/Xavier uniform: ±√(6/(fan_in + fan_out))",
        make: { GlorotInitializer() }),
      Component(
        name: "orthogonal", summary: "a (semi-)orthogonal matrix from a Gaussian one",
        make: { OrthogonalInitializer() }),
      Component(
        name: "identity", summary: "the identity (IRNN, for ReLU recurrent weights); square only",
        make: { IdentityInitializer() }),
    ]
    for initializer in initializers { try registry.initializers.register(initializer) }
    try registry.metrics.register(
      Component(
        name: "accuracy",
        summary: "share of scored positions predicted right (tokens, or sequences)",
        make: { Accuracy() }))
    try registerDataAndMetrics(in: &registry)
    try registry.datasets.register(randomDense)
    return registry
  }

  static let syntheticTagging = Component<DatasetFactory>(
    name: "synthetic-tagging",
    summary: "seeded toy language where some tags depend on the next word (reports the "
      + "left-to-right ceiling)",
    options: splitOptions(train: 2000, dev: 500, test: 500) + [
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
      try SyntheticTagging.check(configuration)
      return GeneratedDataset(shape: SyntheticTagging.shape(configuration)) {
        SyntheticTagging(checked: configuration, generator: generator)
      }
    } catch {
      throw options.error(at: error.option, error.message)
    }
  }

  static func recurrentModel(name: String, directions: [Direction]) -> Component<ModelFactory> {
    let what = directions.count == 1 ? "recurrent network (RNN)" : "bidirectional RNN (BRNN)"
    return Component(
      name: name,
      summary: "\(what) of stacked layers of cells trained by BPTT; softmax output for classes, "
        + "linear for regression",
      options: [
        .inferredSize("input", help: "input size I; inferred from the dataset"),
        .integer("hidden", default: 32, range: 1..., help: "hidden units H per direction and layer"),
        .inferredSize("output", help: "output size K; inferred from the dataset"),
        OptionDescription.string(
          "cell", default: "elman", help: "recurrent cell of every layer (runner list cells)"
        ).elidedAtDefault(),
        OptionDescription.integer(
          "layers", default: 1, range: 1...,
          help: "stacked layers; each reads every direction of the one below"
        ).elidedAtDefault(),
        OptionDescription.number(
          "layer_dropout", default: 0, minimum: 0, maximum: 1, maximumInclusive: false,
          help: "probability of zeroing an output a layer passes to the next, in training"
        ).elidedAtDefault(),
        .boolean("bias", default: true, help: "biases on the hidden and output layers"),
        .string(
          "weight_init", default: "uniform",
          help: "initializer of the input and output weights U, V (runner list initializers)"),
        .string(
          "recurrent_init", default: "uniform",
          help: "initializer of the recurrent weights W (runner list initializers)"),
      ],
      make: { options, context in
        let cell = try options.component("cell", in: context.cells).make(
          options, CellContext(activations: context.activations))
        let layers: Int = try options.value("layers")
        let layerDropout: Double = try options.value("layer_dropout")
        if layers == 1 && layerDropout > 0 {
          throw options.error(
            at: "layer_dropout", "layer_dropout acts between stacked layers, and there is one",
            expected: "layers ≥ 2, or layer_dropout: 0")
        }
        let shape = NetworkShape(
          inputSize: context.sizes.input, hiddenSize: try options.value("hidden"),
          outputSize: context.sizes.output, directions: directions,
          bias: try options.value("bias"), task: context.sizes.task, layers: layers)
        if !shape.bias && cell.initialBias(hidden: 1) != nil {
          throw options.error(
            at: "bias", "the \(cell.name) cell's initial bias needs biases",
            expected: "bias: true, or the cell's bias option at 0")
        }
        let weights = try options.component("weight_init", in: context.initializers).make()
        let recurrent = try options.component("recurrent_init", in: context.initializers).make()
        for slot in RecurrentNetwork<Float>.parameterLayout(for: shape, cell: cell) {
          let option: String
          let initializer: any Initializer
          switch slot.key.role {
          case .recurrent: (option, initializer) = ("recurrent_init", recurrent)
          case .input, .output: (option, initializer) = ("weight_init", weights)
          case .bias, .outputBias, .cell: continue
          }
          if !initializer.accepts(rows: slot.rows, columns: slot.columns) {
            throw options.error(
              at: option,
              "\(initializer.name) cannot initialise \(slot.name), which is "
                + "\(slot.rows)×\(slot.columns)",
              expected: "an initializer for \(slot.rows)×\(slot.columns) matrices")
          }
        }
        return ModelBlueprint(
          shape: shape, cell: cell, weightInitializer: weights, recurrentInitializer: recurrent,
          layerDropout: layerDropout)
      })
  }

  static let elmanCell = Component<CellFactory>(
    name: "elman",
    summary: "Elman unit: h = f(x U + h_prev W + c)",
    options: [
      .string(
        "activation", default: "tanh", help: "hidden non-linearity f (runner list activations)")
    ],
    make: { options, context in
      ElmanCell(activation: try options.component("activation", in: context.activations).make())
    })

  static let lstmCell = Component<CellFactory>(
    name: "lstm",
    summary: "long short-term memory as PyTorch's nn.LSTM: gates i, f, g, o; h = o ⊙ tanh(c)",
    options: [
      .number(
        "forget_bias", default: 0,
        help: "added to the forget gate's bias at initialisation (0 as in PyTorch)"),
      .boolean(
        "peepholes", default: false,
        help: "Graves' diagonal peephole weights from c to the gates i, f, o"),
    ],
    make: { options, _ in
      LSTMCell(
        forgetBias: try options.value("forget_bias"), peepholes: try options.value("peepholes"))
    })

  static let gruCell = Component<CellFactory>(
    name: "gru",
    summary: "gated recurrent unit as PyTorch's nn.GRU: gates r, z, n; the reset gate scales "
      + "h_prev W_n + b_hn",
    make: { _, _ in GRUCell() })

  /// `train_sequences`, `dev_sequences` and `test_sequences` of a generated dataset, with
  /// these defaults; together with `min_length` and `max_length` they decode as
  /// `GeneratedSplits`.
  public static func splitOptions(train: Int, dev: Int, test: Int) -> [OptionDescription] {
    [
      .integer(
        "train_sequences", default: train, range: 1..., help: "sequences in the train split"),
      .integer("dev_sequences", default: dev, range: 0..., help: "sequences in the dev split"),
      .integer("test_sequences", default: test, range: 0..., help: "sequences in the test split"),
    ]
  }

  static func learningRate(_ value: Double, _ help: String = "step size η") -> OptionDescription {
    .number("learning_rate", default: value, minimum: 0, minimumInclusive: false, help: help)
  }

  static let weightDecay = OptionDescription.number(
    "weight_decay", default: 0, minimum: 0, help: "L2 penalty λ: g ← g + λθ")

  /// A rate in [0, 1), such as a momentum or a decay of moment estimates.
  static func rate(_ name: String, _ value: Double, _ help: String) -> OptionDescription {
    .number(name, default: value, minimum: 0, maximum: 1, maximumInclusive: false, help: help)
  }

  static func positive(_ name: String, _ value: Double, _ help: String) -> OptionDescription {
    .number(name, default: value, minimum: 0, minimumInclusive: false, help: help)
  }

  static let sgd = Component<OptimizerFactory>(
    name: "sgd",
    summary: "stochastic gradient descent: v ← μv + g, θ ← θ − ηv (Nesterov optional)",
    options: [
      learningRate(0.1), rate("momentum", 0, "momentum μ (0 = plain SGD)"),
      .boolean("nesterov", default: false, help: "Nesterov momentum: θ ← θ − η(g + μv)"),
      weightDecay,
    ],
    make: { options in
      let (momentum, nesterov) = (
        try options.float("momentum"), try options.value("nesterov", as: Bool.self)
      )
      if nesterov && momentum == 0 {
        throw options.error(
          at: "nesterov", "Nesterov momentum needs a momentum above 0",
          expected: "momentum > 0, or nesterov: false")
      }
      return ConfiguredOptimizer(
        optimizer: SGD(
          momentum: momentum, nesterov: nesterov, weightDecay: try options.float("weight_decay")),
        learningRate: try options.value("learning_rate"))
    })

  static func adam(decoupled: Bool) -> Component<OptimizerFactory> {
    Component(
      name: decoupled ? "adamw" : "adam",
      summary: decoupled
        ? "Adam with decoupled weight decay (Loshchilov and Hutter): θ ← θ − ηλθ, then Adam"
        : "Adam (Kingma and Ba) with bias correction: θ ← θ − η·m̂/(√v̂ + ε)",
      options: [
        learningRate(0.001), rate("beta1", 0.9, "decay β₁ of the first moment"),
        rate("beta2", 0.999, "decay β₂ of the second moment"),
        positive("epsilon", 1e-8, "ε added to √v̂"),
        .number(
          "weight_decay", default: decoupled ? 0.01 : 0, minimum: 0,
          help: decoupled ? "decoupled decay λ: θ ← θ − ηλθ" : "L2 penalty λ: g ← g + λθ"),
      ],
      make: { options in
        ConfiguredOptimizer(
          optimizer: Adam(
            beta1: try options.float("beta1"), beta2: try options.float("beta2"),
            epsilon: try options.float("epsilon"), weightDecay: try options.float("weight_decay"),
            decoupledWeightDecay: decoupled),
          learningRate: try options.value("learning_rate"))
      })
  }

  static let rmsprop = Component<OptimizerFactory>(
    name: "rmsprop",
    summary: "RMSprop: v ← αv + (1−α)g², θ ← θ − η·g/(√v + ε)",
    options: [
      learningRate(0.01), rate("alpha", 0.99, "decay α of the squared-gradient average"),
      positive("epsilon", 1e-8, "ε added to √v"), weightDecay,
    ],
    make: { options in
      ConfiguredOptimizer(
        optimizer: RMSprop(
          alpha: try options.float("alpha"), epsilon: try options.float("epsilon"),
          weightDecay: try options.float("weight_decay")),
        learningRate: try options.value("learning_rate"))
    })

  static let adagrad = Component<OptimizerFactory>(
    name: "adagrad",
    summary: "Adagrad (Duchi et al.): s ← s + g², θ ← θ − η·g/(√s + ε)",
    options: [learningRate(0.01), positive("epsilon", 1e-10, "ε added to √s"), weightDecay],
    make: { options in
      ConfiguredOptimizer(
        optimizer: Adagrad(
          epsilon: try options.float("epsilon"), weightDecay: try options.float("weight_decay")),
        learningRate: try options.value("learning_rate"))
    })

  static let rprop = Component<OptimizerFactory>(
    name: "rprop",
    summary: "Rprop (iRprop−): per-weight steps grown ×η₊ while the gradient keeps its sign, "
      + "shrunk ×η₋ when it flips",
    options: [
      learningRate(0.01, "initial step size Δ₀ of every weight"),
      .number(
        "increase", default: 1.2, minimum: 1, minimumInclusive: false,
        help: "η₊: step growth while the sign holds"),
      .number(
        "decrease", default: 0.5, minimum: 0, minimumInclusive: false, maximum: 1,
        maximumInclusive: false, help: "η₋: step shrink when the sign flips"),
      positive("minimum_step", 1e-6, "smallest step Δmin"),
      positive("maximum_step", 50, "largest step Δmax"),
      weightDecay,
    ],
    make: { options in
      let (low, high) = (try options.float("minimum_step"), try options.float("maximum_step"))
      if low > high {
        throw options.error(
          at: "minimum_step", "minimum_step (\(low)) is above maximum_step (\(high))")
      }
      return ConfiguredOptimizer(
        optimizer: Rprop(
          increase: try options.float("increase"), decrease: try options.float("decrease"),
          minimumStep: low, maximumStep: high, weightDecay: try options.float("weight_decay")),
        learningRate: try options.value("learning_rate"))
    })
}

extension OptionDescription {
  /// A size the dataset implies (I or K): absent or null means inferred; a stated value must be
  /// a positive integer that agrees with the dataset.
  static func inferredSize(_ name: String, help: String) -> OptionDescription {
    OptionDescription(name: name, kind: .integer(1...Int.max), defaultValue: .null, help: help)
  }
}

// MARK: - Schedules

extension Registry {
  static let constant = Component<ScheduleFactory>(
    name: "constant", summary: "the optimizer's learning rate throughout",
    make: { _, _ in ConstantSchedule() })

  static let step = Component<ScheduleFactory>(
    name: "step", summary: "η = η₀·γ^⌊(epoch − 1)/step_size⌋",
    options: [
      .integer("step_size", default: 10, range: 1..., help: "epochs between reductions"),
      positive("gamma", 0.1, "factor γ applied every step_size epochs"),
    ],
    make: { options, _ in
      StepSchedule(
        stepSize: try options.value("step_size"), gamma: try options.value("gamma"))
    })

  static let exponential = Component<ScheduleFactory>(
    name: "exponential", summary: "η = η₀·γ^(epoch − 1)",
    options: [positive("gamma", 0.95, "factor γ applied every epoch")],
    make: { options, _ in
      ExponentialSchedule(gamma: try options.value("gamma"))
    })

  static let cosine = Component<ScheduleFactory>(
    name: "cosine",
    summary: "linear warm-up η₀·epoch/(warmup+1), then cosine annealing from η₀ towards "
      + "min_learning_rate over the remaining epochs",
    options: [
      .integer("warmup_epochs", default: 0, range: 0..., help: "epochs of linear warm-up"),
      .number("min_learning_rate", default: 0, minimum: 0, help: "the floor annealed towards"),
    ],
    make: { options, context in
      let warmup = try options.value("warmup_epochs", as: Int.self)
      if warmup >= context.epochs {
        throw options.error(
          at: "warmup_epochs",
          "warmup_epochs (\(warmup)) leaves no epoch of the \(context.epochs) to anneal",
          expected: "fewer than training.epochs")
      }
      return CosineSchedule(
        epochs: context.epochs, warmupEpochs: warmup,
        floor: try options.value("min_learning_rate"))
    })

  static let plateau = Component<ScheduleFactory>(
    name: "plateau",
    summary: "multiply η by factor when a monitored metric stops improving for patience epochs",
    options: [
      .string("metric", default: "dev.loss", help: "split.metric to monitor, e.g. dev.accuracy"),
      .number(
        "factor", default: 0.1, minimum: 0, minimumInclusive: false, maximum: 1,
        maximumInclusive: false, help: "factor applied to η on a plateau"),
      .integer(
        "patience", default: 3, range: 0..., help: "epochs without improvement tolerated"),
      .number(
        "threshold", default: 1e-4, minimum: 0,
        help: "relative change that counts as an improvement"),
      .number("min_learning_rate", default: 0, minimum: 0, help: "η is never reduced below it"),
    ],
    make: { options, context in
      let (split, metric, goal) = try context.monitored.parse(
        try options.value("metric"), options: options)
      return PlateauSchedule(
        split: split, metric: metric, goal: goal, factor: try options.value("factor"),
        patience: try options.value("patience"), threshold: try options.value("threshold"),
        floor: try options.value("min_learning_rate"))
    })
}

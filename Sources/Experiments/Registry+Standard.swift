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
    options: SyntheticTaggingOptions(),
    make: { options, generator in
      let configuration = SyntheticTagging.Configuration(
        trainSequences: options.sizes.trainSequences, devSequences: options.sizes.devSequences,
        testSequences: options.sizes.testSequences, minLength: options.minLength,
        maxLength: options.maxLength, vocabulary: options.vocabulary, tags: options.tags,
        rightContextWords: options.rightContextWords,
        rightContextShare: options.rightContextShare)
      do throws(SyntheticTagging.ConfigurationError) {
        try SyntheticTagging.check(configuration)
        return GeneratedDataset(shape: SyntheticTagging.shape(configuration)) {
          SyntheticTagging(checked: configuration, generator: generator)
        }
      } catch {
        throw (options.source(of: error.option) ?? options.$maxLength).error(error.message)
      }
    })

  struct SyntheticTaggingOptions: SpecOptions {
    @Include(SplitSizes(train: 2000, dev: 500, test: 500)) var sizes: SplitSizes
    @SpecOption(default: 4, range: 1..., help: "shortest sequence") var minLength: Int
    @SpecOption(default: 20, range: 1..., help: "longest sequence") var maxLength: Int
    @SpecOption(default: 50, range: 2..., help: "word types (the input size I)") var vocabulary: Int
    @SpecOption(default: 8, range: 2..., help: "tag set size (the output size K)") var tags: Int
    @SpecOption(
      default: 6, range: 0..., help: "word types whose tag is the tag of the word after them")
    var rightContextWords: Int
    @SpecOption(
      default: 0.3, minimum: 0, maximum: 1,
      help: "probability that a position holds a right-context word")
    var rightContextShare: Double
  }

  static func recurrentModel(name: String, directions: [Direction]) -> Component<ModelFactory> {
    let what = directions.count == 1 ? "recurrent network (RNN)" : "bidirectional RNN (BRNN)"
    return Component(
      name: name,
      summary: "\(what) of stacked layers of cells trained by BPTT; softmax output for classes, "
        + "linear for regression",
      options: RecurrentModelOptions(),
      make: { options, context in
        let cell = try context.cells.lookup(options.$cell).make(
          context.section, CellContext(activations: context.activations))
        if options.layers == 1 && options.layerDropout > 0 {
          throw options.$layerDropout.error(
            "layer_dropout acts between stacked layers, and there is one",
            expected: "layers ≥ 2, or layer_dropout: 0")
        }
        let shape = NetworkShape(
          inputSize: context.sizes.input, hiddenSize: options.hidden,
          outputSize: context.sizes.output, directions: directions, bias: options.bias,
          task: context.sizes.task, layers: options.layers)
        if !shape.bias && cell.initialBias(hidden: 1) != nil {
          throw options.$bias.error(
            "the \(cell.name) cell's initial bias needs biases",
            expected: "bias: true, or the cell's bias option at 0")
        }
        let weights = try context.initializers.lookup(options.$weightInit).make()
        let recurrent = try context.initializers.lookup(options.$recurrentInit).make()
        for slot in RecurrentNetwork<Float>.parameterLayout(for: shape, cell: cell) {
          let option: OptionSource
          let initializer: any Initializer
          switch slot.key.role {
          case .recurrent: (option, initializer) = (options.$recurrentInit, recurrent)
          case .input, .output: (option, initializer) = (options.$weightInit, weights)
          case .bias, .outputBias, .cell: continue
          }
          if !initializer.accepts(rows: slot.rows, columns: slot.columns) {
            throw option.error(
              "\(initializer.name) cannot initialise \(slot.name), which is "
                + "\(slot.rows)×\(slot.columns)",
              expected: "an initializer for \(slot.rows)×\(slot.columns) matrices")
          }
        }
        return ModelBlueprint(
          shape: shape, cell: cell, weightInitializer: weights, recurrentInitializer: recurrent,
          layerDropout: options.layerDropout)
      })
  }

  struct RecurrentModelOptions: SpecOptions {
    /// I and K: absent or null means inferred; a stated value must agree with the dataset
    /// (`Experiment.settle`).
    @SpecOption(range: 1..., help: "input size I; inferred from the dataset") var input: Int?
    @SpecOption(default: 32, range: 1..., help: "hidden units H per direction and layer")
    var hidden: Int
    @SpecOption(range: 1..., help: "output size K; inferred from the dataset") var output: Int?
    @SpecOption(
      default: "elman", help: "recurrent cell of every layer (runner list cells)",
      elidedAtDefault: true)
    var cell: String
    @SpecOption(
      default: 1, range: 1..., help: "stacked layers; each reads every direction of the one below",
      elidedAtDefault: true)
    var layers: Int
    @SpecOption(
      default: 0, minimum: 0, maximum: 1, maximumInclusive: false,
      help: "probability of zeroing an output a layer passes to the next, in training",
      elidedAtDefault: true)
    var layerDropout: Double
    @SpecOption(default: true, help: "biases on the hidden and output layers") var bias: Bool
    @SpecOption(
      default: "uniform",
      help: "initializer of the input and output weights U, V (runner list initializers)")
    var weightInit: String
    @SpecOption(
      default: "uniform", help: "initializer of the recurrent weights W (runner list initializers)")
    var recurrentInit: String
  }

  static let elmanCell = Component<CellFactory>(
    name: "elman",
    summary: "Elman unit: h = f(x U + h_prev W + c)",
    options: ElmanOptions(),
    make: { options, context in
      ElmanCell(activation: try context.activations.lookup(options.$activation).make())
    })

  struct ElmanOptions: SpecOptions {
    @SpecOption(default: "tanh", help: "hidden non-linearity f (runner list activations)")
    var activation: String
  }

  static let lstmCell = Component<CellFactory>(
    name: "lstm",
    summary: "long short-term memory as PyTorch's nn.LSTM: gates i, f, g, o; h = o ⊙ tanh(c)",
    options: LSTMOptions(),
    make: { options, _ in LSTMCell(forgetBias: options.forgetBias, peepholes: options.peepholes) })

  struct LSTMOptions: SpecOptions {
    @SpecOption(
      default: 0, help: "added to the forget gate's bias at initialisation (0 as in PyTorch)")
    var forgetBias: Double
    @SpecOption(
      default: false, help: "Graves' diagonal peephole weights from c to the gates i, f, o")
    var peepholes: Bool
  }

  static let gruCell = Component<CellFactory>(
    name: "gru",
    summary: "gated recurrent unit as PyTorch's nn.GRU: gates r, z, n; the reset gate scales "
      + "h_prev W_n + b_hn",
    make: { _, _ in GRUCell() })

  // MARK: Optimizers

  /// `weight_decay`, the last option of every optimizer.
  struct WeightDecay: SpecOptions {
    @SpecOption(default: 0, minimum: 0, help: "L2 penalty λ: g ← g + λθ") var weightDecay: Double

    init() {}

    /// AdamW's: decoupled, and 0.01 by default.
    init(decoupled: Bool) {
      if decoupled {
        _weightDecay = _weightDecay.defaulting(to: 0.01, help: "decoupled decay λ: θ ← θ − ηλθ")
      }
    }

    var value: Float { Float(weightDecay) }
  }

  static let sgd = Component<OptimizerFactory>(
    name: "sgd",
    summary: "stochastic gradient descent: v ← μv + g, θ ← θ − ηv (Nesterov optional)",
    options: SGDOptions(),
    make: { options in
      if options.nesterov && options.momentum == 0 {
        throw options.$nesterov.error(
          "Nesterov momentum needs a momentum above 0",
          expected: "momentum > 0, or nesterov: false")
      }
      return ConfiguredOptimizer(
        optimizer: SGD(
          momentum: Float(options.momentum), nesterov: options.nesterov,
          weightDecay: options.decay.value),
        learningRate: options.learningRate)
    })

  struct SGDOptions: SpecOptions {
    @SpecOption(default: 0.1, minimum: 0, minimumInclusive: false, help: "step size η")
    var learningRate: Double
    @SpecOption(
      default: 0, minimum: 0, maximum: 1, maximumInclusive: false,
      help: "momentum μ (0 = plain SGD)")
    var momentum: Double
    @SpecOption(default: false, help: "Nesterov momentum: θ ← θ − η(g + μv)") var nesterov: Bool
    @Include var decay: WeightDecay
  }

  static func adam(decoupled: Bool) -> Component<OptimizerFactory> {
    Component(
      name: decoupled ? "adamw" : "adam",
      summary: decoupled
        ? "Adam with decoupled weight decay (Loshchilov and Hutter): θ ← θ − ηλθ, then Adam"
        : "Adam (Kingma and Ba) with bias correction: θ ← θ − η·m̂/(√v̂ + ε)",
      options: AdamOptions(decoupled: decoupled),
      make: { options in
        ConfiguredOptimizer(
          optimizer: Adam(
            beta1: Float(options.beta1), beta2: Float(options.beta2),
            epsilon: Float(options.epsilon), weightDecay: options.decay.value,
            decoupledWeightDecay: decoupled),
          learningRate: options.learningRate)
      })
  }

  struct AdamOptions: SpecOptions {
    @SpecOption(default: 0.001, minimum: 0, minimumInclusive: false, help: "step size η")
    var learningRate: Double
    @SpecOption(
      default: 0.9, minimum: 0, maximum: 1, maximumInclusive: false,
      help: "decay β₁ of the first moment")
    var beta1: Double
    @SpecOption(
      default: 0.999, minimum: 0, maximum: 1, maximumInclusive: false,
      help: "decay β₂ of the second moment")
    var beta2: Double
    @SpecOption(default: 1e-8, minimum: 0, minimumInclusive: false, help: "ε added to √v̂")
    var epsilon: Double
    @Include var decay: WeightDecay

    init() {}

    init(decoupled: Bool) {
      _decay = Include(WeightDecay(decoupled: decoupled))
    }
  }

  static let rmsprop = Component<OptimizerFactory>(
    name: "rmsprop",
    summary: "RMSprop: v ← αv + (1−α)g², θ ← θ − η·g/(√v + ε)",
    options: RMSpropOptions(),
    make: { options in
      ConfiguredOptimizer(
        optimizer: RMSprop(
          alpha: Float(options.alpha), epsilon: Float(options.epsilon),
          weightDecay: options.decay.value),
        learningRate: options.learningRate)
    })

  struct RMSpropOptions: SpecOptions {
    @SpecOption(default: 0.01, minimum: 0, minimumInclusive: false, help: "step size η")
    var learningRate: Double
    @SpecOption(
      default: 0.99, minimum: 0, maximum: 1, maximumInclusive: false,
      help: "decay α of the squared-gradient average")
    var alpha: Double
    @SpecOption(default: 1e-8, minimum: 0, minimumInclusive: false, help: "ε added to √v")
    var epsilon: Double
    @Include var decay: WeightDecay
  }

  static let adagrad = Component<OptimizerFactory>(
    name: "adagrad",
    summary: "Adagrad (Duchi et al.): s ← s + g², θ ← θ − η·g/(√s + ε)",
    options: AdagradOptions(),
    make: { options in
      ConfiguredOptimizer(
        optimizer: Adagrad(epsilon: Float(options.epsilon), weightDecay: options.decay.value),
        learningRate: options.learningRate)
    })

  struct AdagradOptions: SpecOptions {
    @SpecOption(default: 0.01, minimum: 0, minimumInclusive: false, help: "step size η")
    var learningRate: Double
    @SpecOption(default: 1e-10, minimum: 0, minimumInclusive: false, help: "ε added to √s")
    var epsilon: Double
    @Include var decay: WeightDecay
  }

  static let rprop = Component<OptimizerFactory>(
    name: "rprop",
    summary: "Rprop (iRprop−): per-weight steps grown ×η₊ while the gradient keeps its sign, "
      + "shrunk ×η₋ when it flips",
    options: RpropOptions(),
    make: { options in
      let (low, high) = (Float(options.minimumStep), Float(options.maximumStep))
      if low > high {
        throw options.$minimumStep.error("minimum_step (\(low)) is above maximum_step (\(high))")
      }
      return ConfiguredOptimizer(
        optimizer: Rprop(
          increase: Float(options.increase), decrease: Float(options.decrease),
          minimumStep: low, maximumStep: high, weightDecay: options.decay.value),
        learningRate: options.learningRate)
    })

  struct RpropOptions: SpecOptions {
    @SpecOption(
      default: 0.01, minimum: 0, minimumInclusive: false,
      help: "initial step size Δ₀ of every weight")
    var learningRate: Double
    @SpecOption(
      default: 1.2, minimum: 1, minimumInclusive: false,
      help: "η₊: step growth while the sign holds")
    var increase: Double
    @SpecOption(
      default: 0.5, minimum: 0, minimumInclusive: false, maximum: 1, maximumInclusive: false,
      help: "η₋: step shrink when the sign flips")
    var decrease: Double
    @SpecOption(default: 1e-6, minimum: 0, minimumInclusive: false, help: "smallest step Δmin")
    var minimumStep: Double
    @SpecOption(default: 50, minimum: 0, minimumInclusive: false, help: "largest step Δmax")
    var maximumStep: Double
    @Include var decay: WeightDecay
  }
}

// MARK: - Schedules

extension Registry {
  static let constant = Component<ScheduleFactory>(
    name: "constant", summary: "the optimizer's learning rate throughout",
    make: { _, _ in ConstantSchedule() })

  static let step = Component<ScheduleFactory>(
    name: "step", summary: "η = η₀·γ^⌊(epoch − 1)/step_size⌋",
    options: StepOptions(),
    make: { options, _ in StepSchedule(stepSize: options.stepSize, gamma: options.gamma) })

  struct StepOptions: SpecOptions {
    @SpecOption(default: 10, range: 1..., help: "epochs between reductions") var stepSize: Int
    @SpecOption(
      default: 0.1, minimum: 0, minimumInclusive: false,
      help: "factor γ applied every step_size epochs")
    var gamma: Double
  }

  static let exponential = Component<ScheduleFactory>(
    name: "exponential", summary: "η = η₀·γ^(epoch − 1)",
    options: ExponentialOptions(),
    make: { options, _ in ExponentialSchedule(gamma: options.gamma) })

  struct ExponentialOptions: SpecOptions {
    @SpecOption(
      default: 0.95, minimum: 0, minimumInclusive: false, help: "factor γ applied every epoch")
    var gamma: Double
  }

  static let cosine = Component<ScheduleFactory>(
    name: "cosine",
    summary: "linear warm-up η₀·epoch/(warmup+1), then cosine annealing from η₀ towards "
      + "min_learning_rate over the remaining epochs",
    options: CosineOptions(),
    make: { options, context in
      if options.warmupEpochs >= context.epochs {
        throw options.$warmupEpochs.error(
          "warmup_epochs (\(options.warmupEpochs)) leaves no epoch of the \(context.epochs) to "
            + "anneal", expected: "fewer than training.epochs")
      }
      return CosineSchedule(
        epochs: context.epochs, warmupEpochs: options.warmupEpochs,
        floor: options.minLearningRate)
    })

  struct CosineOptions: SpecOptions {
    @SpecOption(default: 0, range: 0..., help: "epochs of linear warm-up") var warmupEpochs: Int
    @SpecOption(default: 0, minimum: 0, help: "the floor annealed towards") var minLearningRate:
      Double
  }

  static let plateau = Component<ScheduleFactory>(
    name: "plateau",
    summary: "multiply η by factor when a monitored metric stops improving for patience epochs",
    options: PlateauOptions(),
    make: { options, context in
      let (split, metric, goal) = try context.monitored.parse(options.metric, at: options.$metric)
      return PlateauSchedule(
        split: split, metric: metric, goal: goal, factor: options.factor,
        patience: options.patience, threshold: options.threshold, floor: options.minLearningRate)
    })

  struct PlateauOptions: SpecOptions {
    @SpecOption(default: "dev.loss", help: "split.metric to monitor, e.g. dev.accuracy")
    var metric: String
    @SpecOption(
      default: 0.1, minimum: 0, minimumInclusive: false, maximum: 1, maximumInclusive: false,
      help: "factor applied to η on a plateau")
    var factor: Double
    @SpecOption(default: 3, range: 0..., help: "epochs without improvement tolerated") var patience:
      Int
    @SpecOption(default: 1e-4, minimum: 0, help: "relative change that counts as an improvement")
    var threshold: Double
    @SpecOption(default: 0, minimum: 0, help: "η is never reduced below it") var minLearningRate:
      Double
  }
}

/// `train_sequences`, `dev_sequences` and `test_sequences`: the split sizes of a generated
/// dataset, included in its options with its own defaults.
public struct SplitSizes: SpecOptions {
  @SpecOption(default: 1000, range: 1..., help: "sequences in the train split")
  public var trainSequences: Int
  @SpecOption(default: 200, range: 0..., help: "sequences in the dev split")
  public var devSequences: Int
  @SpecOption(default: 200, range: 0..., help: "sequences in the test split")
  public var testSequences: Int

  /// 1,000, 200 and 200 sequences.
  public init() {}

  /// The sizes with defaults `train`, `dev` and `test`.
  public init(train: Int, dev: Int, test: Int) {
    _trainSequences = _trainSequences.defaulting(to: train)
    _devSequences = _devSequences.defaulting(to: dev)
    _testSequences = _testSequences.defaulting(to: test)
  }

  /// The splits of sequences of `minLength` … `maxLength` steps; lengths out of order are an
  /// error at `maxLengthSource`, the option that set `maxLength`.
  public func splits(
    minLength: Int, maxLength: Int, at maxLengthSource: OptionSource
  ) throws(SpecError) -> GeneratedSplits {
    guard maxLength >= minLength else {
      throw maxLengthSource.error(
        "max_length (\(maxLength)) is below min_length (\(minLength))",
        expected: "an integer ≥ \(minLength)")
    }
    return GeneratedSplits(
      trainSequences: trainSequences, devSequences: devSequences, testSequences: testSequences,
      minLength: minLength, maxLength: maxLength)
  }
}

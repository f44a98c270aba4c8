import Recur
import Tensors
import YAMLSpec

/// The kinds of component a spec names by `type:` (or, for activations and metrics, by name).
public enum ComponentKind: String, Sendable, CaseIterable, Codable {
  case dataset, model, cell, optimizer, schedule, activation, initializer, metric

  /// "datasets", "models" …, as `runner list` accepts them.
  public var plural: String { rawValue + "s" }
}

/// A registered implementation: its name, a line of help, its options, and how to build it.
///
/// The options are declared once, as a `SpecOptions`: the validator checks the spec against
/// them, fills their defaults, `runner list` prints them, and the factory receives the group
/// read back from the resolved section.
public struct Component<Factory: Sendable>: Sendable {
  /// The name a spec gives it (`type: sine-sign`, `cell: leaky`, `metrics: [accuracy]`).
  public let name: String
  /// One line of help for `runner list`.
  public let summary: String
  /// Its options: validated, defaulted and listed before the factory sees them.
  public let options: [OptionDescription]
  /// Builds it from its resolved section (a `DatasetFactory`, `CellFactory` …).
  public private(set) var make: Factory
  /// The module that declared the component, recorded in every run's manifest.
  public let module: String

  /// A component without options, declared in the calling file's module (taken from `fileID`).
  public init(name: String, summary: String, make: Factory, fileID: String = #fileID) {
    self.init(name: name, summary: summary, options: [], make: make, fileID: fileID)
  }

  init(
    name: String, summary: String, options: [OptionDescription], make: Factory, fileID: String
  ) {
    self.name = name
    self.summary = summary
    self.options = options
    self.make = make
    module = String(fileID.prefix { $0 != "/" })
  }

  /// The same component, its factory wrapped by `wrap` (to check or record its builds).
  public func wrapping(_ wrap: (Factory) -> Factory) -> Component {
    var wrapped = self
    wrapped.make = wrap(make)
    return wrapped
  }
}

extension Component {
  /// A component with the options of `template`, built from them and what its kind's factory
  /// receives besides (a dataset's data generator, a model's `ModelContext`, a cell's
  /// `CellContext`, a schedule's `ScheduleContext`).
  public init<Options: SpecOptions, Context, Product>(
    name: String, summary: String, options template: Options,
    make: @escaping @Sendable (Options, Context) throws -> Product, fileID: String = #fileID
  ) where Factory == @Sendable (ComponentOptions, Context) throws -> Product {
    self.init(
      name: name, summary: summary, options: template.optionDescriptions,
      make: { section, context in try make(section.read(Options.self), context) },
      fileID: fileID)
  }
}

extension Component where Factory == OptimizerFactory {
  /// An optimizer with the options of `template`, built from them.
  public init<Options: SpecOptions>(
    name: String, summary: String, options template: Options,
    make: @escaping @Sendable (Options) throws -> ConfiguredOptimizer, fileID: String = #fileID
  ) {
    self.init(
      name: name, summary: summary, options: template.optionDescriptions,
      make: { section in try make(section.read(Options.self)) }, fileID: fileID)
  }
}

/// Two components of one kind registered under one name.
public struct DuplicateComponent: Error, Sendable, CustomStringConvertible {
  public var kind: ComponentKind
  public var name: String
  /// The module of the component registered first, and of the second.
  public var modules: (first: String, second: String)

  public var description: String {
    "two \(kind.plural) are registered as '\(name)': one from \(modules.first), one from "
      + "\(modules.second); rename one of them"
  }
}

/// What a model factory builds: the network's shape and cell, how its weights start, and the
/// dropout between its layers.
public struct ModelBlueprint: Sendable {
  public var shape: NetworkShape
  public var cell: any RecurrentCell
  /// Initialises the input and output weights (U, V).
  public var weightInitializer: any Initializer
  /// Initialises the recurrent weights (W).
  public var recurrentInitializer: any Initializer
  /// Probability of zeroing an output a layer passes to the next, in training.
  public var layerDropout: Double

  public init(
    shape: NetworkShape, cell: any RecurrentCell,
    weightInitializer: any Initializer = UniformInitializer(),
    recurrentInitializer: any Initializer = UniformInitializer(), layerDropout: Double = 0
  ) {
    self.shape = shape
    self.cell = cell
    self.weightInitializer = weightInitializer
    self.recurrentInitializer = recurrentInitializer
    self.layerDropout = layerDropout
  }

  /// The parameters' keys and shapes.
  public var parameterLayout: [ParameterSlot] {
    RecurrentNetwork<Float>.parameterLayout(for: shape, cell: cell)
  }

  /// The cell in a few words for summaries: the activation of an Elman unit (`tanh`), else the
  /// cell's name, and the layers when there are several.
  public var describedCell: String {
    var text =
      if let elman = cell as? ElmanCell {
        elman.activation.name
      } else if let lstm = cell as? LSTMCell, lstm.peepholes {
        "lstm with peepholes"
      } else {
        cell.name
      }
    if shape.layers > 1 { text += ", \(shape.layers) layers" }
    return text
  }

  /// The parameters' rendered keys and shapes, as checkpoints and weight files are checked.
  public var parameterShapes: [(key: String, rows: Int, columns: Int)] {
    RecurrentNetwork<Float>.parameterShapes(for: shape, cell: cell)
  }

  /// Initial parameters drawn from `generator`.
  public func initialParameters<Scalar: BLASScalar>(
    _ type: Scalar.Type, generator: inout SeededGenerator
  ) -> ParameterSet<Scalar> {
    RecurrentNetwork<Scalar>.initialParameters(
      for: shape, cell: cell, weights: weightInitializer, recurrent: recurrentInitializer,
      generator: &generator)
  }

  /// The network with `parameters`, which must fit `parameterLayout`.
  public func network<Scalar: BLASScalar>(
    parameters: ParameterSet<Scalar>
  ) -> RecurrentNetwork<Scalar> {
    RecurrentNetwork(shape: shape, cell: cell, parameters: parameters)
  }
}

/// An optimizer with the learning rate its options name.
public struct ConfiguredOptimizer: Sendable {
  /// The optimizer, its state empty.
  public var optimizer: any Optimizer
  /// η₀, the rate the schedule starts from.
  public var learningRate: Double

  /// `optimizer` at base rate `learningRate`.
  public init(optimizer: any Optimizer, learningRate: Double) {
    self.optimizer = optimizer
    self.learningRate = learningRate
  }
}

// Factories report bad options as `SpecError`s (located through `ComponentOptions`); the
// assembler locates anything else they throw at their section.

/// Builds a dataset from its resolved options and the run's data generator.
public typealias DatasetFactory =
  @Sendable (ComponentOptions, SeededGenerator) throws -> any Dataset
/// Builds a model blueprint from its resolved section, with I and K already settled.
public typealias ModelFactory =
  @Sendable (ComponentOptions, ModelContext) throws -> ModelBlueprint
/// Builds a recurrent cell from the model section (the cell's own options are among its options).
public typealias CellFactory =
  @Sendable (ComponentOptions, CellContext) throws -> any RecurrentCell
/// Builds an optimizer and its base learning rate from its resolved options.
public typealias OptimizerFactory =
  @Sendable (ComponentOptions) throws -> ConfiguredOptimizer
/// Builds a learning-rate schedule from its resolved options and the training plan.
public typealias ScheduleFactory =
  @Sendable (ComponentOptions, ScheduleContext) throws -> any Schedule
/// Makes an activation (activations take no options).
public typealias ActivationFactory = @Sendable () -> any Activation
/// Makes an initializer (initializers take no options).
public typealias InitializerFactory = @Sendable () -> any Initializer
/// Makes a fresh tally of a metric; the trainer copies it for each split and epoch.
public typealias MetricFactory = @Sendable () -> any Metric

/// Sizes a model factory receives: I and K from the dataset (or the spec, when they agree) and
/// the task the dataset poses.
public struct ModelSizes: Sendable, Equatable {
  /// I.
  public var input: Int
  /// K.
  public var output: Int
  /// The task the dataset poses, which picks the output head and loss.
  public var task: TaskKind

  /// Sizes I and K for `task`.
  public init(input: Int, output: Int, task: TaskKind) {
    self.input = input
    self.output = output
    self.task = task
  }
}

/// What a model factory builds from besides its options.
public struct ModelContext: Sendable {
  public var sizes: ModelSizes
  /// The resolved model section, whose options include its cell's: what a cell factory reads.
  public var section: ComponentOptions
  /// The activations a model may name.
  public var activations: ComponentTable<ActivationFactory>
  /// The initializers a model may name.
  public var initializers: ComponentTable<InitializerFactory>
  /// The cells a model may name.
  public var cells: ComponentTable<CellFactory>

  /// `sizes` for the model `section`, with the components a model may name (a registry's
  /// `activations`, `initializers` and `cells`).
  public init(
    sizes: ModelSizes, section: ComponentOptions, activations: ComponentTable<ActivationFactory>,
    initializers: ComponentTable<InitializerFactory>, cells: ComponentTable<CellFactory>
  ) {
    self.sizes = sizes
    self.section = section
    self.activations = activations
    self.initializers = initializers
    self.cells = cells
  }
}

/// What a cell factory builds from besides its options.
public struct CellContext: Sendable {
  /// The activations a cell may name.
  public var activations: ComponentTable<ActivationFactory>

  /// A context whose cells name activations from `activations`.
  public init(activations: ComponentTable<ActivationFactory>) {
    self.activations = activations
  }
}

/// What a schedule factory builds from besides its options.
public struct ScheduleContext: Sendable {
  /// `training.epochs`.
  public var epochs: Int
  /// What a schedule may react to.
  public var monitored: MonitoredMetrics

  /// The context of a run of `epochs` epochs that measures `monitored`.
  public init(epochs: Int, monitored: MonitoredMetrics) {
    self.epochs = epochs
    self.monitored = monitored
  }
}

/// The `split.metric` values a run measures after every epoch, such as `dev.accuracy`.
public struct MonitoredMetrics: Sendable {
  /// The splits the dataset has.
  public var splits: [Split]
  /// `loss` and the metrics the spec measures, with their goals.
  public var metrics: [(name: String, goal: MetricGoal)]

  /// The values `metrics` (with `loss`) give on `splits`.
  public init(splits: [Split], metrics: [(name: String, goal: MetricGoal)]) {
    self.splits = splits
    self.metrics = metrics
  }

  /// Every `split.metric`, split by split.
  public var names: [String] {
    splits.flatMap { split in metrics.map { "\(split.rawValue).\($0.name)" } }
  }

  /// Reads `split.metric`, the value of the option at `source`.
  public func parse(
    _ text: String, at source: OptionSource
  ) throws(SpecError) -> (Split, String, MetricGoal) {
    let parts = text.split(separator: ".", maxSplits: 1).map(String.init)
    guard parts.count == 2, let split = Split(rawValue: parts[0]), splits.contains(split),
      let goal = metrics.first(where: { $0.name == parts[1] })?.goal
    else {
      var error = source.error(
        "no metric '\(text)' is measured in this run",
        expected: "one of: \(names.joined(separator: ", "))")
      error.suggestion = closestMatch(to: text, in: names)
      throw error
    }
    return (split, parts[1], goal)
  }
}

/// A component's resolved option mapping, with the key path it sits at for error messages.
public struct ComponentOptions: Sendable {
  /// The resolved mapping: every described option present, defaults filled in.
  public let node: SpecNode
  /// Its key path in the spec (`dataset`, `model`), the prefix of every error's key path.
  public let path: String

  /// The options in `node`, found at `path` of the spec. A factory receives them resolved; a
  /// plugin's own tests make them from a parsed mapping to call a factory directly.
  public init(node: SpecNode, path: String) {
    self.node = node
    self.path = path
  }

  /// The options read back into the component's `SpecOptions`.
  public func read<Options: SpecOptions>(_ type: Options.Type) throws(SpecError) -> Options {
    try SpecDecoder().decode(type, from: node, path: path)
  }

  /// An error located at option `key` (or at the section when the key is absent).
  public func error(at key: String, _ message: String, expected: String? = nil) -> SpecError {
    let located = node[key]
    return SpecError(
      message, at: located?.location ?? node.location, keyPath: "\(path).\(key)", expected: expected
    )
  }
}

/// An ordered table of components of one kind, looked up by name.
public struct ComponentTable<Factory: Sendable>: Sendable {
  public let kind: ComponentKind
  public private(set) var components: [Component<Factory>] = []

  /// An empty table of `kind`'s components.
  public init(kind: ComponentKind) {
    self.kind = kind
  }

  /// Adds `component`. Throws when one of the same name is registered already, naming both
  /// modules: a plugin's runner fails at start-up rather than shadowing a component.
  public mutating func register(_ component: Component<Factory>) throws(DuplicateComponent) {
    if let existing = self[component.name] {
      throw DuplicateComponent(
        kind: kind, name: component.name, modules: (existing.module, component.module))
    }
    components.append(component)
  }

  /// The registered names, in registration order.
  public var names: [String] { components.map(\.name) }

  /// The component registered as `name`, if any.
  public subscript(name: String) -> Component<Factory>? {
    components.first { $0.name == name }
  }

  /// The component the option at `source` names, or an error at its value.
  public func lookup(_ source: OptionSource) throws(SpecError) -> Component<Factory> {
    try lookup(source.node, path: source.keyPath)
  }

  /// The component `node` names, or an error at `node` listing the known names and the closest.
  public func lookup(_ node: SpecNode, path: String) throws(SpecError) -> Component<Factory> {
    guard case .scalar(let name, _) = node.content else {
      throw SpecError(
        "expected a \(kind.rawValue) name", at: node.location, keyPath: path,
        expected: "one of: \(names.sorted().joined(separator: ", "))")
    }
    if let component = self[name] { return component }
    throw SpecError(
      "unknown \(kind.rawValue) '\(name)'", at: node.location, keyPath: path,
      expected: "one of: \(names.sorted().joined(separator: ", "))",
      suggestion: closestMatch(to: name, in: names))
  }
}

/// Every component the runner can build, by kind. `Registry.standard` holds the built-in ones; a
/// package that adds its own registers them on a copy and runs specs against that.
public struct Registry: Sendable {
  public var datasets = ComponentTable<DatasetFactory>(kind: .dataset)
  public var models = ComponentTable<ModelFactory>(kind: .model)
  public var cells = ComponentTable<CellFactory>(kind: .cell)
  public var optimizers = ComponentTable<OptimizerFactory>(kind: .optimizer)
  public var schedules = ComponentTable<ScheduleFactory>(kind: .schedule)
  public var activations = ComponentTable<ActivationFactory>(kind: .activation)
  public var initializers = ComponentTable<InitializerFactory>(kind: .initializer)
  public var metrics = ComponentTable<MetricFactory>(kind: .metric)

  public init() {}

  /// Name, summary and options of every component of `kind`, in registration order.
  public func descriptions(of kind: ComponentKind) -> [ComponentDescription] {
    switch kind {
    case .dataset: datasets.components.map(ComponentDescription.init)
    case .model: models.components.map(ComponentDescription.init)
    case .cell: cells.components.map(ComponentDescription.init)
    case .optimizer: optimizers.components.map(ComponentDescription.init)
    case .schedule: schedules.components.map(ComponentDescription.init)
    case .activation: activations.components.map(ComponentDescription.init)
    case .initializer: initializers.components.map(ComponentDescription.init)
    case .metric: metrics.components.map(ComponentDescription.init)
    }
  }
}

/// A component as `runner list` shows it.
public struct ComponentDescription: Sendable {
  public var name: String
  public var summary: String
  public var options: [OptionDescription]

  init<Factory>(_ component: Component<Factory>) {
    name = component.name
    summary = component.summary
    options = component.options
  }
}

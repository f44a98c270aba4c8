import Recur
import Tensors
import YAMLSpec

/// Which metrics files a run writes: `metrics.csv`, `metrics.json`, a TensorBoard event file.
public enum MetricsFormat: String, Sendable, Codable, CaseIterable {
  case csv, json, tensorboard
}

/// The `training:` section.
public struct TrainingOptions: SpecOptions {
  @SpecOption(default: 10, range: 1..., help: "passes over the train split") public var epochs: Int
  @SpecOption(default: 16, range: 1..., help: "sequences per minibatch") public var batchSize: Int
  @SpecOption(default: true, help: "reshuffle the train split every epoch") public var shuffle: Bool
  @SpecOption(
    default: ["accuracy"],
    help: "metrics measured on every split after every epoch (runner list metrics)")
  public var metrics: [String]
  @SpecOption(
    minimum: 0, minimumInclusive: false,
    help: "scale gradients down to this global L2 norm (null: no clipping)")
  public var clipNorm: Double?
  @SpecOption(
    minimum: 0, minimumInclusive: false,
    help: "clamp every gradient entry to ±this, before clip_norm (null: no clipping)")
  public var clipValue: Double?
  @SpecOption(
    default: 1, range: 1..., help: "epochs between checkpoints (one is also written at the end)")
  public var checkpointEvery: Int
  @SpecOption(
    default: 0, minimum: 0, maximum: 1, maximumInclusive: false,
    help: "probability of dropping an input value or feature in training")
  public var inputDropout: Double
  @SpecOption(
    default: 0, minimum: 0, maximum: 1, maximumInclusive: false,
    help: "probability of zeroing a hidden output fed to the output layer in training")
  public var outputDropout: Double
  @SpecOption(
    default: 0, minimum: 0, help: "std. dev. of Gaussian noise added to dense inputs in training")
  public var inputNoise: Double
  @SpecOption(
    default: 0, minimum: 0,
    help: "std. dev. of Gaussian noise on the weights for each training batch")
  public var weightNoise: Double
  /// Truncated BPTT over streams (`TrainingPlan.bpttSteps`); nil trains on whole examples.
  @SpecOption(
    range: 1...,
    help: "truncated BPTT: each split as batch_size streams in segments of this many steps, "
      + "the state carried between segments (rnn, framewise classes; null: whole examples)",
    elidedAtDefault: true)
  public var bpttSteps: Int?

  /// The declared defaults.
  public init() {}

  /// The training-only perturbations these options ask for, drawing from `generator`; nil when
  /// they ask for none.
  /// `layerDropout` is the model's, between its stacked layers.
  public func noise(generator: SeededGenerator, layerDropout: Double = 0) -> TrainingNoise? {
    guard
      inputDropout > 0 || outputDropout > 0 || layerDropout > 0 || inputNoise > 0
        || weightNoise > 0
    else {
      return nil
    }
    return TrainingNoise(
      inputDropout: inputDropout, outputDropout: outputDropout, layerDropout: layerDropout,
      input: inputNoise, weight: weightNoise, generator: generator)
  }

  /// The clipping the options ask for.
  public var clipping: GradientClipping {
    GradientClipping(norm: clipNorm, value: clipValue)
  }

  static let options = TrainingOptions().optionDescriptions
}

/// `training.early_stopping`, a mapping or null.
struct EarlyStoppingOptions: SpecOptions {
  @SpecOption(default: "dev.loss", help: "split.metric to monitor, e.g. dev.accuracy")
  var metric: String
  @SpecOption(help: "whether smaller or larger is better (null: the metric's own)")
  var mode: MetricGoal?
  @SpecOption(default: 5, range: 1..., help: "epochs without improvement before stopping")
  var patience: Int
  @SpecOption(default: 0, minimum: 0, help: "smallest change that counts as improvement")
  var minDelta: Double

  static let options = EarlyStoppingOptions().optionDescriptions
}

/// The `output:` section.
public struct OutputOptions: SpecOptions {
  /// Root of the run directories, relative to the working directory unless absolute.
  @SpecOption(default: "results", help: "root folder; a run lands in <dir>/<name>/<run-id>/")
  public var dir: String
  @SpecOption(
    default: [.csv, .json, .tensorboard],
    help: "metrics files to write: metrics.csv, metrics.json, events.out.tfevents.*")
  public var formats: [MetricsFormat]

  /// The declared defaults.
  public init() {}

  static let options = OutputOptions().optionDescriptions
}

/// The top-level keys of a spec; sections are described by their components.
struct TopLevelOptions: SpecOptions {
  @SpecOption(help: "experiment name; runs land in <output.dir>/<name>/") var name: String
  @SpecOption(default: 0, range: 0..., help: "seed of every random draw in the run") var seed:
    UInt64

  static let options = TopLevelOptions().optionDescriptions
}

/// A spec assembled into components, ready to run: every option checked, every default filled,
/// the sizes the dataset implies settled.
public struct Experiment: Sendable {
  /// The resolved spec: what `spec.yaml` in the run directory holds.
  public let spec: SpecNode
  public let name: String
  public let seed: UInt64
  public let datasetType: String
  public let dataset: any Dataset
  public let modelType: String
  public let model: ModelBlueprint
  public let optimizerType: String
  public let optimizer: ConfiguredOptimizer
  public let scheduleType: String
  public let schedule: any Schedule
  public let training: TrainingOptions
  /// `training.early_stopping`, when the spec asks for it.
  public let earlyStopping: EarlyStopping?
  public let metrics: [any Metric]
  public let output: OutputOptions
  /// Every component the spec names, with the module that registered it, for provenance.
  public let components: [ComponentRecord]

  static let componentSections = ["dataset", "model", "optimizer", "schedule"]
  static let fixedSections = ["training", "output"]

  /// Loads the spec at `path`, applies `overrides` (`key.path=value`) and assembles it.
  public init(
    loading path: String, overrides: [String] = [], registry: Registry = .standard
  ) throws(SpecError) {
    let node = try SpecNode.load(contentsOf: path).applying(overrides: overrides)
    try self.init(spec: node, registry: registry)
  }

  /// Assembles a parsed spec tree. Every size is checked before anything is allocated (see
  /// `ResourceCheck`). A dataset read from files is taken from `datasets` when an earlier spec
  /// built the same dataset section there, and stored there otherwise; a generated dataset is
  /// never stored, since it draws from the seed, and is drawn only when its data is first read.
  ///
  /// A spec with faults throws the first one found, carrying every other independent fault
  /// (`SpecError.others`): those of each section checked on its own, so a report names them all.
  public init(
    spec root: SpecNode, registry: Registry = .standard, datasets: DatasetCache? = nil
  ) throws(SpecError) {
    do {
      try self.init(assembling: root, registry: registry, datasets: datasets)
    } catch {
      throw error.adding(Self.independentErrors(of: root, registry: registry))
    }
  }

  /// The faults of each part of `root` found on its own: the top-level keys, each component
  /// section's options (the model's with its cell's), the optimizer's own checks, and the fixed
  /// sections. Parts that need another part (the model's sizes, which need the dataset; the
  /// schedule's, which need the plan) are checked only in the assembly itself.
  static func independentErrors(of root: SpecNode, registry: Registry) -> [SpecError] {
    guard case .mapping = root.content, root.entry(for: "base") == nil else { return [] }
    var errors: [SpecError] = []
    func collect(_ body: () throws(SpecError) -> Void) {
      do { try body() } catch { errors.append(error) }
    }
    collect { () throws(SpecError) in
      _ = try root.resolved(
        against: TopLevelOptions.options, path: "",
        passThrough: Set(componentSections + fixedSections + ["sweep"]))
    }
    collect { () throws(SpecError) in _ = try section("dataset", of: root, table: registry.datasets)
    }
    collect { () throws(SpecError) in
      let cell = try cellOptions(of: root, registry: registry)
      _ = try section("model", of: root, table: registry.models, extraOptions: cell)
    }
    collect { () throws(SpecError) in
      _ = try build("optimizer", of: root, table: registry.optimizers) { component, options in
        try component.make(options)
      }
    }
    collect { () throws(SpecError) in
      _ = try section("schedule", of: root, table: registry.schedules, defaultType: "constant")
    }
    collect { () throws(SpecError) in
      _ = try fixedSection(
        "training", of: root, options: TrainingOptions.options, passThrough: ["early_stopping"])
    }
    collect { () throws(SpecError) in
      _ = try fixedSection("output", of: root, options: OutputOptions.options)
    }
    return errors
  }

  private init(
    assembling root: SpecNode, registry: Registry, datasets: DatasetCache?
  ) throws(SpecError) {
    let (top, topNode) = try Self.topLevel(of: root)
    name = top.name
    seed = top.seed
    let resources = ResourceCheck.machine
    let data = try Self.dataset(
      of: root, registry: registry, cache: datasets,
      generator: SeededGenerator(seed: seed).derived("data"), resources: resources)
    let model = try Self.model(
      of: root, registry: registry, shape: data.value.shape, resources: resources)
    let optimizer = try Self.build("optimizer", of: root, table: registry.optimizers) {
      component, options in try component.make(options)
    }
    let training = try Self.training(
      of: root, registry: registry, data: data, model: model, resources: resources)
    let schedule = try Self.build(
      "schedule", of: root, table: registry.schedules, defaultType: "constant"
    ) { component, options in
      try component.make(
        options, ScheduleContext(epochs: training.options.epochs, monitored: training.monitored))
    }
    let outputNode = try Self.fixedSection("output", of: root, options: OutputOptions.options)
    output = try SpecDecoder().decode(OutputOptions.self, from: outputNode, path: "output")

    (datasetType, dataset) = (data.type, data.value)
    (modelType, self.model) = (model.type, model.value)
    (optimizerType, self.optimizer) = (optimizer.type, optimizer.value)
    (scheduleType, self.schedule) = (schedule.type, schedule.value)
    self.training = training.options
    metrics = training.metrics
    earlyStopping = training.earlyStopping
    let sections = [
      ("dataset", data.node), ("model", model.node), ("optimizer", optimizer.node),
      ("schedule", schedule.node), ("training", training.node), ("output", outputNode),
    ]
    spec = SpecNode(
      .mapping(
        (topNode.entries ?? []).filter { TopLevelOptions.options.map(\.name).contains($0.key) }
          + sections.map { SpecNode.Entry(key: $0, keyLocation: $1.location, value: $1) }),
      location: root.location)
    components = Self.components(of: spec, registry: registry)
  }

  /// One component section assembled: the component's name, what its factory built, and the
  /// section as the resolved spec holds it.
  struct Built<Value> {
    var type: String
    /// The component's own options.
    var options: [OptionDescription]
    var value: Value
    var node: SpecNode
  }

  /// The top-level keys, checked and read, and the mapping they resolve to; a spec that is not
  /// a mapping, or is a sweep file, is an error.
  static func topLevel(of root: SpecNode) throws(SpecError) -> (TopLevelOptions, SpecNode) {
    guard case .mapping = root.content else {
      throw SpecError(
        "a spec must be a mapping", at: root.location,
        expected: "keys name, seed, dataset, model, optimizer, training, output")
    }
    if let base = root.entry(for: "base") {
      throw SpecError(
        "this is a sweep file over a base spec", at: base.keyLocation, keyPath: "base",
        expected: "runner sweep for a sweep file, or runner run with the base spec itself")
    }
    // `sweep:` belongs to `runner sweep` (SweepSpec); a single run ignores it.
    let node = try root.resolved(
      against: TopLevelOptions.options, path: "",
      passThrough: Set(componentSections + fixedSections + ["sweep"]))
    let options = try SpecDecoder().decode(TopLevelOptions.self, from: node)
    try checkName(options.name, at: options.$name)
    return (options, node)
  }

  /// The section at `key` resolved against its component's options (and `extraOptions`),
  /// changed by `prepare`, and built by `make` from the component it names.
  static func build<Factory, Value>(
    _ key: String, of root: SpecNode, table: ComponentTable<Factory>, defaultType: String? = nil,
    extraOptions: [OptionDescription] = [],
    prepare: (SpecNode) throws(SpecError) -> SpecNode = { $0 },
    _ make: (Component<Factory>, ComponentOptions) throws -> Value
  ) throws(SpecError) -> Built<Value> {
    let (component, resolved) = try section(
      key, of: root, table: table, defaultType: defaultType, extraOptions: extraOptions)
    let node = try prepare(resolved)
    let value = try building(key, at: node) {
      try make(component, ComponentOptions(node: node, path: key))
    }
    return Built(type: component.name, options: component.options, value: value, node: node)
  }

  /// The dataset: taken from `cache` when an earlier spec built the same section there, else
  /// built (drawing from `generator`) and stored there unless it is generated.
  static func dataset(
    of root: SpecNode, registry: Registry, cache: DatasetCache?, generator: SeededGenerator,
    resources: ResourceCheck
  ) throws(SpecError) -> Built<any Dataset> {
    try build(
      "dataset", of: root, table: registry.datasets,
      prepare: { node throws(SpecError) in
        try resources.checkSizes(of: node, path: "dataset")
        return node
      }
    ) { component, options in
      let key = DatasetCache.key(type: component.name, options: options.node)
      if let dataset = cache?.dataset(for: key) { return dataset }
      let dataset = try component.make(options, generator)
      if !(dataset is GeneratedDataset) { cache?.store(dataset, for: key) }
      return dataset
    }
  }

  /// The model, its sizes I and K settled from the dataset's `shape`; its section as the
  /// resolved spec holds it, the options added since specs were first written left out at
  /// their defaults.
  static func model(
    of root: SpecNode, registry: Registry, shape: DatasetShape, resources: ResourceCheck
  ) throws(SpecError) -> Built<ModelBlueprint> {
    let cellOptions = try cellOptions(of: root, registry: registry)
    var built = try build(
      "model", of: root, table: registry.models, extraOptions: cellOptions,
      prepare: { node throws(SpecError) in
        try resources.checkSizes(of: node, path: "model")
        let withInput = try settle("input", in: node, to: shape.inputSize, what: "input features")
        return try settle("output", in: withInput, to: shape.outputSize, what: "classes")
      }
    ) { component, options in
      try component.make(
        options,
        ModelContext(
          sizes: ModelSizes(input: shape.inputSize, output: shape.outputSize, task: shape.task),
          section: options, activations: registry.activations,
          initializers: registry.initializers, cells: registry.cells))
    }
    built.node = built.node.eliding(defaultsOf: cellOptions + built.options)
    return built
  }

  /// The `training:` section read, with what it names: the metrics, early stopping, and the
  /// values a schedule may monitor; checked against the data and model for size and for
  /// truncated BPTT.
  struct TrainingSection {
    var options: TrainingOptions
    var metrics: [any Metric]
    var earlyStopping: EarlyStopping?
    var monitored: MonitoredMetrics
    /// The section as the resolved spec holds it, early stopping resolved (or null).
    var node: SpecNode
  }

  static func training(
    of root: SpecNode, registry: Registry, data: Built<any Dataset>, model: Built<ModelBlueprint>,
    resources: ResourceCheck
  ) throws(SpecError) -> TrainingSection {
    let node = try fixedSection(
      "training", of: root, options: TrainingOptions.options, passThrough: ["early_stopping"])
    try resources.checkSizes(of: node, path: "training")
    let options = try SpecDecoder().decode(TrainingOptions.self, from: node, path: "training")
    let shape = data.value.shape
    try resources.check(
      shape: shape, generated: data.value is GeneratedDataset, model: model.value.shape,
      cell: model.value.cell, batchSize: options.batchSize,
      dataset: ComponentOptions(node: data.node, path: "dataset"),
      modelOptions: ComponentOptions(node: model.node, path: "model"),
      training: ComponentOptions(node: node, path: "training"))
    var metrics: [any Metric] = []
    for (index, item) in (options.$metrics.node.items ?? []).enumerated() {
      metrics.append(try registry.metrics.lookup(item, path: "training.metrics.\(index)").make())
    }
    if options.bpttSteps != nil {
      try checkStreams(model: model.value, task: shape.task, at: options.$bpttSteps)
    }
    let monitored = MonitoredMetrics(
      splits: shape.availableSplits,
      metrics: [("loss", .min)] + metrics.map { ($0.name, $0.goal) })
    var earlyStopping: EarlyStopping?
    var resolvedStopping = SpecNode.Content.null
    if let stopping = node["early_stopping"], !stopping.isNull {
      let path = "training.early_stopping"
      let resolved = try stopping.resolved(against: EarlyStoppingOptions.options, path: path)
      let read = try SpecDecoder().decode(EarlyStoppingOptions.self, from: resolved, path: path)
      let (split, metric, goal) = try monitored.parse(read.metric, at: read.$metric)
      earlyStopping = EarlyStopping(
        split: split, metric: metric, goal: read.mode ?? goal, patience: read.patience,
        minDelta: read.minDelta)
      resolvedStopping = resolved.content
    }
    return TrainingSection(
      options: options, metrics: metrics, earlyStopping: earlyStopping, monitored: monitored,
      node: node.removing("early_stopping").replacing("early_stopping", with: resolvedStopping)
        .eliding(defaultsOf: TrainingOptions.options))
  }
  /// The components a resolved spec names, in spec order, each with its registering module.
  static func components(of spec: SpecNode, registry: Registry) -> [ComponentRecord] {
    func record<F>(
      _ kind: ComponentKind, _ node: SpecNode?, in table: ComponentTable<F>
    )
      -> ComponentRecord?
    {
      guard let name = node?.scalar, let component = table[name] else { return nil }
      return ComponentRecord(kind: kind, name: name, module: component.module)
    }
    let model = spec["model"]
    var records = [
      record(.dataset, spec["dataset"]?["type"], in: registry.datasets),
      record(.model, model?["type"], in: registry.models),
      record(
        .cell, model?["cell"] ?? SpecNode(.string("elman"), location: spec.location),
        in: registry.cells),
      record(.activation, model?["activation"], in: registry.activations),
      record(.initializer, model?["weight_init"], in: registry.initializers),
      record(.initializer, model?["recurrent_init"], in: registry.initializers),
      record(.optimizer, spec["optimizer"]?["type"], in: registry.optimizers),
      record(.schedule, spec["schedule"]?["type"], in: registry.schedules),
    ]
    for item in spec["training"]?["metrics"]?.items ?? [] {
      records.append(record(.metric, item, in: registry.metrics))
    }
    var seen = Set<String>()
    return records.compactMap { $0 }.filter { seen.insert("\($0.kind) \($0.name)").inserted }
  }

  /// The training plan the spec describes.
  public var plan: TrainingPlan {
    TrainingPlan(
      epochs: training.epochs, batchSize: training.batchSize, shuffle: training.shuffle,
      bpttSteps: training.bpttSteps)
  }

  /// Truncated BPTT carries the forward direction's state from segment to segment of a stream
  /// of framewise classes: a model with a backward direction, or another task, is an error at
  /// `training.bptt_steps`.
  static func checkStreams(
    model: ModelBlueprint, task: TaskKind, at source: OptionSource
  ) throws(SpecError) {
    guard model.shape.directions == [.forward] else {
      throw source.error(
        "bptt_steps carries the state of one forward direction, but this model also runs "
          + "backward (\(model.shape.directions.map(\.rawValue).joined(separator: " + ")))",
        expected: "model.type: rnn, or bptt_steps: null")
    }
    guard task == .framewise else {
      throw source.error(
        "bptt_steps reads the data as streams of framewise classes, but this dataset's task "
          + "is \(task.rawValue)",
        expected: "a framewise dataset (e.g. type: text), or bptt_steps: null")
    }
  }

  // MARK: Assembly: the one path from a spec to a trainer

  /// The model's initial weights, drawn from the run's `init` stream with the spec's
  /// initializers.
  public func initialParameters<Scalar: BLASScalar>(
    _ type: Scalar.Type = Float.self
  ) -> ParameterSet<Scalar> {
    var generator = SeededGenerator(seed: seed).derived("init")
    return model.initialParameters(Scalar.self, generator: &generator)
  }

  /// The spec's network with `parameters` (by default its initial weights).
  public func network(parameters: ParameterSet<Float>? = nil) -> RecurrentNetwork<Float> {
    model.network(parameters: parameters ?? initialParameters(Float.self))
  }

  /// A trainer of `network` on `dataset` (by default the spec's) with everything the spec asks
  /// for: optimizer, plan, metrics, schedule, clipping, early stopping, dropout and noise, each
  /// random stream derived from the seed.
  public func trainer(
    for network: any SequenceModel<Float>, on dataset: (any Dataset)? = nil
  ) -> Trainer {
    let generator = SeededGenerator(seed: seed)
    var trainer = Trainer(
      network: network, optimizer: optimizer.optimizer, dataset: dataset ?? self.dataset,
      plan: plan, learningRate: optimizer.learningRate, metrics: metrics,
      shuffler: generator.derived("shuffle"), schedule: schedule, clipping: training.clipping)
    trainer.earlyStopping = earlyStopping
    trainer.noise = training.noise(
      generator: generator.derived("noise"), layerDropout: model.layerDropout)
    return trainer
  }

  /// A component section: a mapping whose `type` names a registered component; its other keys are
  /// that component's options, resolved against its description. A section with a
  /// `defaultType` may be left out and then stands for that component with its defaults.
  static func section<Factory>(
    _ key: String, of root: SpecNode, table: ComponentTable<Factory>, defaultType: String? = nil,
    extraOptions: [OptionDescription] = []
  ) throws(SpecError) -> (Component<Factory>, SpecNode) {
    let known = "one of: \(table.names.sorted().joined(separator: ", "))"
    let absent = defaultType.map {
      SpecNode(
        .mapping([
          SpecNode.Entry(
            key: "type", keyLocation: root.location,
            value: SpecNode(.string($0), location: root.location))
        ]),
        location: root.location)
    }
    guard let node = root[key] ?? absent else {
      throw SpecError(
        "missing section '\(key)'", at: root.location, keyPath: key,
        expected: "a mapping with 'type:' \(known)")
    }
    guard case .mapping = node.content else {
      throw SpecError(
        "expected a mapping with 'type:'", at: node.location, keyPath: key,
        expected: "type: \(known)")
    }
    guard let typeNode = node["type"] else {
      throw SpecError(
        "missing 'type' in section '\(key)'", at: node.location, keyPath: "\(key).type",
        expected: known)
    }
    let component = try table.lookup(typeNode, path: "\(key).type")
    let resolved = try node.resolved(
      against: merged(component.options, extraOptions), path: key, passThrough: ["type"])
    return (component, resolved)
  }

  /// A section's own options with `extra` ones (a cell's, in the model section) placed after
  /// its `layer_dropout`, so that in resolved specs an Elman cell's `activation` keeps the place
  /// it had before cells could be chosen; at the end for sections without it.
  static func merged(
    _ options: [OptionDescription], _ extra: [OptionDescription]
  ) -> [OptionDescription] {
    guard !extra.isEmpty else { return options }
    let split = options.firstIndex { $0.name == "layer_dropout" }.map { $0 + 1 } ?? options.count
    return Array(options[..<split]) + extra + options[split...]
  }

  /// The options of the cell the model section names (`model.cell`, by default `elman`), which
  /// the section takes besides the model's own. An option of another cell is an error at its
  /// key that names the cell it belongs to.
  static func cellOptions(
    of root: SpecNode, registry: Registry
  ) throws(SpecError) -> [OptionDescription] {
    guard let model = root["model"], case .mapping(let entries) = model.content else { return [] }
    let named = model["cell"] ?? SpecNode(.string("elman"), location: model.location)
    let cell = try registry.cells.lookup(named, path: "model.cell")
    let own = Set(
      cell.options.map(\.name) + (registry.models.components.flatMap { $0.options.map(\.name) }))
    for entry in entries where !own.contains(entry.key) {
      guard
        let owner = registry.cells.components.first(where: {
          $0.options.contains { $0.name == entry.key }
        })
      else { continue }
      let takes = cell.options.map(\.name)
      throw SpecError(
        "'\(entry.key)' is an option of the \(owner.name) cell, not of \(cell.name)",
        at: entry.keyLocation, keyPath: "model.\(entry.key)",
        expected: takes.isEmpty
          ? "no cell options for \(cell.name)"
          : "\(cell.name) takes: \(takes.joined(separator: ", "))")
    }
    return cell.options
  }

  /// Runs a component factory. Factories report bad options as located `SpecError`s; anything
  /// else they throw is located at their section.
  static func building<T>(
    _ path: String, at node: SpecNode, _ factory: () throws -> T
  ) throws(SpecError) -> T {
    do {
      return try factory()
    } catch let error as SpecError {
      throw error
    } catch {
      throw SpecError("cannot build \(path): \(error)", at: node.location, keyPath: path)
    }
  }

  /// A section with a fixed set of options; absent means all defaults.
  static func fixedSection(
    _ key: String, of root: SpecNode, options: [OptionDescription],
    passThrough: Set<String> = []
  ) throws(SpecError) -> SpecNode {
    let node = root[key] ?? SpecNode(.mapping([]), location: root.location)
    return try node.resolved(against: options, path: key, passThrough: passThrough)
  }

  /// Fills a size the dataset implies into the model section, or reports a stated size that
  /// disagrees with it.
  static func settle(
    _ key: String, in node: SpecNode, to inferred: Int, what: String
  ) throws(SpecError) -> SpecNode {
    if let stated = node[key], !stated.isNull {
      if case .scalar(let text, _) = stated.content, Int(text) == inferred { return node }
      throw SpecError(
        "model.\(key) is \(stated.scalar ?? "?") but the dataset has \(inferred) \(what)",
        at: stated.location, keyPath: "model.\(key)",
        expected: "\(inferred), or leave '\(key)' out to infer it")
    }
    return node.replacing(key, with: .integer(inferred))
  }

  /// A name becomes a folder: it must be one plain path component.
  static func checkName(_ name: String, at source: OptionSource) throws(SpecError) {
    let allowed = name.unicodeScalars.allSatisfy {
      $0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0)
    }
    guard !name.isEmpty, allowed, name != ".", name != ".." else {
      throw source.error(
        "'\(name)' cannot name a folder", expected: "letters, digits, '-', '_' and '.'")
    }
  }
}

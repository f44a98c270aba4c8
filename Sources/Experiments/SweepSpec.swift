import Foundation
import Recur
import Tensors
import YAMLSpec

/// A spec with a `sweep:` section: the search space, the seeds and the metric that ranks the
/// trials, checked against the spec it varies.
///
///     sweep:
///       method: grid            # or random
///       trials: 20              # random only
///       seeds: [1, 2, 3]        # every configuration runs once per seed
///       metric: {name: dev.accuracy, goal: max}
///       parameters:
///         model.hidden: [32, 64, 128]
///         optimizer.learning_rate: {distribution: log_uniform, min: 0.001, max: 0.3}
///       slurm: {partition: debug, time: "1:00:00"}   # see SlurmOptions
public struct SweepSpec: Sendable {
  /// How configurations are chosen.
  public enum Method: String, Sendable, Decodable, CaseIterable {
    /// Every combination of the listed values.
    case grid
    /// `trials` configurations drawn from the parameters' distributions.
    case random
  }

  /// The values one parameter takes.
  public enum Domain: Sendable {
    /// One of the listed values (each keeps its location in the sweep file).
    case choice([SpecNode])
    /// Uniform in [min, max].
    case uniform(min: Double, max: Double)
    /// exp of uniform in [ln min, ln max]; min > 0.
    case logUniform(min: Double, max: Double)
    /// An integer uniform in min…max, both included.
    case intUniform(min: Int, max: Int)
  }

  /// One swept key of the spec.
  public struct Parameter: Sendable {
    /// The dotted key path in the spec, e.g. `model.hidden`.
    public var path: String
    public var domain: Domain
    /// The parameter's value in the sweep file (the list or the distribution mapping); drawn
    /// values are located here.
    public var node: SpecNode
  }

  /// The metric that ranks trials: a split and a column of its metrics, and which way is better.
  public struct Objective: Sendable, Equatable {
    public var split: Split
    /// `loss` or a registered metric's name.
    public var metric: String
    public var goal: MetricGoal

    public init(split: Split, metric: String, goal: MetricGoal) {
      self.split = split
      self.metric = metric
      self.goal = goal
    }

    /// `dev.accuracy`.
    public var name: String { "\(split.rawValue).\(metric)" }

    /// Whether `a` is better than `b`.
    public func prefers(_ a: Double, over b: Double) -> Bool {
      goal == .max ? a > b : a < b
    }
  }

  public var method: Method
  /// The number of drawn configurations (random only).
  public var trials: Int?
  /// Every configuration runs once per seed, in this order.
  public var seeds: [UInt64]
  /// Seeds the draws of a random sweep.
  public var samplerSeed: UInt64
  public var objective: Objective
  public var parameters: [Parameter]
  /// The spec every trial starts from: overrides applied, `sweep:` removed, not yet resolved.
  public var base: SpecNode
  /// The base spec assembled, as a single run would.
  public var baseExperiment: Experiment
  /// The `sweep:` section with its defaults filled, without `slurm`.
  public var section: SpecNode
  /// The `sweep.slurm:` section (every default when absent), for `--executor slurm`.
  public var slurm: SlurmOptions
  /// The `slurm:` entry as written, for `sweep.yaml`.
  public var slurmSection: SpecNode.Entry?

  /// The `sweep:` section's own options (`metric`, `parameters` and `slurm` are read apart).
  struct Options: SpecOptions {
    @SpecOption(default: .grid, help: "grid or random") var method: Method
    @SpecOption(range: 1..., help: "configurations drawn by a random sweep") var trials: Int?
    @SpecOption(
      range: 0..., help: "every configuration runs once per seed (default: the spec's seed)")
    var seeds: [UInt64]?
    @SpecOption(default: 0, range: 0..., help: "seed of a random sweep's draws")
    var samplerSeed: UInt64

    static let descriptions = Options().optionDescriptions
  }

  /// `sweep.metric`: what ranks the trials.
  struct MetricOptions: SpecOptions {
    @SpecOption(help: "split.metric, e.g. dev.accuracy or dev.loss") var name: String
    @SpecOption(help: "max or min (default: the metric's own; min for loss)")
    var goal: MetricGoal?

    static let descriptions = MetricOptions().optionDescriptions
  }

  static let distributionNames = ["uniform", "log_uniform", "int_uniform"]

  /// Loads a sweep: a spec with a `sweep:` section, or a file holding `base: <spec path>` (relative
  /// to the file) and `sweep:`. `overrides` apply to the combined document, so they reach both the
  /// spec (`model.bias=false`) and the sweep (`sweep.seeds=[1,2]`); a comma list
  /// (`model.hidden=32,64`, `seed=1,2`) sweeps its values (see `applyingCommandLine`). A spec
  /// without a `sweep:` section is swept by its comma lists alone, ranked by `dev.loss` (or
  /// `train.loss` when the dataset has no dev split) unless `sweep.metric` is given.
  public static func load(
    contentsOf path: String, overrides: [String] = [], registry: Registry = .standard
  ) throws(SpecError) -> SweepSpec {
    var document = try SpecNode.load(contentsOf: path)
    if let baseNode = document["base"] {
      document = try combining(document, base: baseNode, loadedFrom: path)
    }
    let fileHasSection = document.entry(for: "sweep") != nil
    return try SweepSpec(
      document: applyingCommandLine(overrides, to: document), registry: registry,
      defaultObjective: !fileHasSection)
  }

  /// A sweep file `base: spec.yaml` + `sweep:` as one document: the base spec's entries, then
  /// the sweep section.
  static func combining(
    _ document: SpecNode, base baseNode: SpecNode, loadedFrom path: String
  ) throws(SpecError) -> SpecNode {
    for entry in document.entries ?? [] where entry.key != "base" && entry.key != "sweep" {
      throw SpecError(
        "unknown key '\(entry.key)' in a sweep file with 'base:'", at: entry.keyLocation,
        keyPath: entry.key,
        expected: "only 'base' and 'sweep'; put spec keys in the base spec or pass overrides")
    }
    guard case .scalar(let relative, _) = baseNode.content, !baseNode.isNull, !relative.isEmpty
    else {
      throw SpecError(
        "expected the path of a spec, found \(baseNode.kindDescription)", at: baseNode.location,
        keyPath: "base")
    }
    let folder = (path as NSString).deletingLastPathComponent
    let basePath =
      relative.hasPrefix("/") || folder.isEmpty
      ? relative : (folder as NSString).appendingPathComponent(relative)
    let baseDocument: SpecNode
    do {
      baseDocument = try SpecNode.load(contentsOf: basePath)
    } catch  where error.location == nil {
      throw SpecError(error.message, at: baseNode.location, keyPath: "base")
    }
    guard var entries = baseDocument.entries else {
      throw SpecError(
        "the base spec must be a mapping", at: baseDocument.location, keyPath: "base")
    }
    if let own = baseDocument.entry(for: "sweep") {
      throw SpecError(
        "the base spec has a sweep section of its own", at: own.keyLocation, keyPath: "sweep",
        expected: "a base spec without 'sweep:'")
    }
    if let sweep = document.entry(for: "sweep") { entries.append(sweep) }
    return SpecNode(.mapping(entries), location: baseDocument.location)
  }

  /// Checks a combined document: the spec (as `runner run` would), then the sweep section
  /// against it. With `defaultObjective`, a section without `metric` ranks trials by `dev.loss`
  /// (`train.loss` when the dataset has no dev split).
  public init(
    document: SpecNode, registry: Registry = .standard, defaultObjective: Bool = false
  ) throws(SpecError) {
    guard let entries = document.entries else {
      throw SpecError("a sweep spec must be a mapping", at: document.location)
    }
    guard let sweepEntry = document.entry(for: "sweep") else {
      throw SpecError(
        "no 'sweep:' section", at: document.location, keyPath: "sweep",
        expected: "a sweep: mapping with method, seeds, metric and parameters, "
          + "or comma lists of values on the command line, e.g. model.hidden=32,64")
    }
    base = SpecNode(.mapping(entries.filter { $0.key != "sweep" }), location: document.location)
    baseExperiment = try Experiment(spec: base, registry: registry)
    let resolved = try sweepEntry.value.resolved(
      against: Options.descriptions, path: "sweep",
      passThrough: ["metric", "parameters", "slurm"])
    // Where the trials run is no part of the sweep's identity.
    slurmSection = resolved.entry(for: "slurm")
    slurm = try SlurmOptions(section: slurmSection?.value)
    section = SpecNode(
      .mapping((resolved.entries ?? []).filter { $0.key != "slurm" }), location: resolved.location)

    let top = try SpecDecoder().decode(Options.self, from: section, path: "sweep")
    method = top.method
    trials = top.trials
    samplerSeed = top.samplerSeed
    switch (method, trials) {
    case (.random, nil):
      throw SpecError(
        "a random sweep needs 'trials'", at: section.location, keyPath: "sweep.trials",
        expected: "an integer ≥ 1: the number of configurations to draw")
    case (.grid, .some):
      throw SpecError(
        "'trials' applies to random sweeps only", at: top.$trials.node.location,
        keyPath: "sweep.trials",
        expected: "method: random, or no 'trials' (a grid runs every combination)")
    default: break
    }
    seeds = top.seeds ?? [baseExperiment.seed]
    if seeds.isEmpty {
      throw SpecError(
        "'seeds' is empty", at: top.$seeds.node.location, keyPath: "sweep.seeds",
        expected: "at least one seed")
    }
    for (index, seed) in seeds.enumerated() where seeds[..<index].contains(seed) {
      throw SpecError(
        "seed \(seed) is listed twice", at: top.$seeds.node.items![index].location,
        keyPath: "sweep.seeds.\(index)", expected: "distinct seeds")
    }
    if defaultObjective, section["metric"] == nil {
      let split: Split = baseExperiment.dataset.availableSplits.contains(.dev) ? .dev : .train
      objective = Objective(split: split, metric: "loss", goal: .min)
    } else {
      objective = try Self.objective(in: section, experiment: baseExperiment)
    }
    parameters = try Self.parameters(in: section, method: method, experiment: baseExperiment)
    try checkTrialCount(memory: ResourceCheck.machine.memory)
  }

  /// The number of trials the sweep expands to, before repeated draws are merged; nil when it
  /// does not fit in an `Int`.
  public var trialCount: Int? {
    var configurations = Checked(trials ?? 1)
    if method == .grid {
      for parameter in parameters {
        guard case .choice(let items) = parameter.domain else { continue }
        configurations = configurations * items.count
      }
    }
    return (configurations * seeds.count).value
  }

  /// Bytes a planned trial holds, estimated: its resolved spec as nodes, about 16 bytes per
  /// character of the base spec's YAML, and 1 kB besides.
  var bytesPerTrial: Int { 16 * baseExperiment.spec.yamlText().utf8.count + 1024 }

  /// Checks, before any trial is expanded, that the trials can be counted and their plan held
  /// in `memory` bytes: an error at `sweep.trials` (random) or `sweep.parameters` (grid).
  func checkTrialCount(memory: Int) throws(SpecError) {
    let node = (method == .random ? section["trials"] : section["parameters"]) ?? section
    let keyPath = method == .random ? "sweep.trials" : "sweep.parameters"
    let what =
      method == .random
      ? "\(trials ?? 0) configurations × \(seeds.count) seed\(seeds.count == 1 ? "" : "s")"
      : "the product of the parameters' values × \(seeds.count) seed"
        + (seeds.count == 1 ? "" : "s")
    let limit = ResourceCheck.sizeLimit
    guard let count = trialCount, count <= limit else {
      throw SpecError(
        "the sweep has more than \(limit) trials (\(what))", at: node.location, keyPath: keyPath,
        expected: "fewer values or seeds")
    }
    let bytes = DatasetShape.saturating(Double(count) * Double(bytesPerTrial))
    guard bytes <= memory else {
      throw SpecError(
        "the sweep has \(count) trials (\(what)): planning holds every trial's resolved spec, "
          + "about \(ResourceCheck.text(bytesPerTrial)) each, \(ResourceCheck.text(bytes)) in all, "
          + "more than this machine's \(ResourceCheck.text(memory))",
        at: node.location, keyPath: keyPath,
        expected: "at most about \(memory / bytesPerTrial) trials on this machine")
    }
  }

  static func objective(
    in section: SpecNode, experiment: Experiment
  ) throws(SpecError) -> Objective {
    guard let node = section["metric"] else {
      throw SpecError(
        "missing required option 'metric'", at: section.location, keyPath: "sweep.metric",
        expected: "{name: split.metric, goal: max|min}, e.g. {name: dev.accuracy, goal: max}")
    }
    let resolved = try node.resolved(against: MetricOptions.descriptions, path: "sweep.metric")
    let options = try SpecDecoder().decode(MetricOptions.self, from: resolved, path: "sweep.metric")
    let name = options.name
    let metricNames = ["loss"] + experiment.metrics.map(\.name)
    let known = Split.allCases.flatMap { split in metricNames.map { "\(split.rawValue).\($0)" } }
    let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
    guard parts.count == 2, let split = Split(rawValue: parts[0]), metricNames.contains(parts[1])
    else {
      var error = options.$name.error(
        "unknown metric '\(name)'",
        expected: "split.metric, one of: \(known.joined(separator: ", "))")
      error.suggestion = closestMatch(to: name, in: known)
      throw error
    }
    let goal = options.goal ?? experiment.metrics.first { $0.name == parts[1] }?.goal ?? .min
    return Objective(split: split, metric: parts[1], goal: goal)
  }

  static func parameters(
    in section: SpecNode, method: Method, experiment: Experiment
  ) throws(SpecError) -> [Parameter] {
    let example =
      "e.g. model.hidden: [16, 32] or optimizer.learning_rate: "
      + "{distribution: log_uniform, min: 0.001, max: 0.3}"
    guard let node = section["parameters"], let entries = node.entries, !entries.isEmpty else {
      throw SpecError(
        "a sweep needs at least one parameter",
        at: section["parameters"]?.location ?? section.location, keyPath: "sweep.parameters",
        expected: "a mapping of key paths to values, \(example)")
    }
    let known = experiment.spec.keyPaths
    var parameters: [Parameter] = []
    for entry in entries {
      let keyPath = "sweep.parameters.\(entry.key)"
      if entry.key == "seed" {
        throw SpecError(
          "the seed is not a parameter", at: entry.keyLocation, keyPath: keyPath,
          expected: "sweep.seeds: [1, 2, 3] to run every configuration once per seed")
      }
      guard experiment.spec.node(atPath: entry.key) != nil else {
        throw SpecError(
          "'\(entry.key)' is not a key of the spec", at: entry.keyLocation, keyPath: keyPath,
          expected: "a key path of the resolved spec (runner validate prints it)",
          suggestion: closestMatch(to: entry.key, in: known))
      }
      let domain = try Self.domain(of: entry.value, keyPath: keyPath)
      if method == .grid, case .choice = domain {
      } else if method == .grid {
        throw SpecError(
          "a grid sweep takes lists of values", at: entry.value["distribution"]!.location,
          keyPath: keyPath + ".distribution",
          expected: "a list such as [0.01, 0.1], or method: random to draw from a distribution")
      }
      parameters.append(Parameter(path: entry.key, domain: domain, node: entry.value))
    }
    return parameters
  }

  static func domain(of node: SpecNode, keyPath: String) throws(SpecError) -> Domain {
    switch node.content {
    case .sequence(let items):
      guard !items.isEmpty else {
        throw SpecError(
          "the list of values is empty", at: node.location, keyPath: keyPath,
          expected: "at least one value")
      }
      return .choice(items)
    case .mapping:
      let described = try node.resolved(
        against: [
          .choice(
            "distribution", distributionNames, default: nil,
            help: "uniform, log_uniform or int_uniform")
        ], path: keyPath, passThrough: ["min", "max"])
      let distribution = described["distribution"]?.scalar ?? ""
      let isInteger = distribution == "int_uniform"
      let bounds: [OptionDescription] =
        isInteger
        ? [
          .integer("min", default: nil, help: "smallest value"),
          .integer("max", default: nil, help: "largest value"),
        ]
        : [
          .number("min", default: nil, help: "lower bound"),
          .number("max", default: nil, help: "upper bound"),
        ]
      let resolved = try node.resolved(
        against: bounds, path: keyPath, passThrough: ["distribution"])
      let minNode = resolved["min"]!
      if isInteger {
        // Integers are read as integers (a bound beyond 2⁵³ does not survive a Double), and the
        // number of values max − min + 1 must be an Int.
        struct Bounds: Decodable {
          var min: Int
          var max: Int
        }
        let decoded = try SpecDecoder().decode(Bounds.self, from: resolved, path: keyPath)
        guard decoded.min <= decoded.max else {
          throw SpecError(
            "min \(minNode.scalar ?? "") is greater than max \(resolved["max"]!.scalar ?? "")",
            at: minNode.location, keyPath: keyPath + ".min", expected: "min ≤ max")
        }
        let (span, overflow) = decoded.max.subtractingReportingOverflow(decoded.min)
        guard !overflow, span < Int.max else {
          throw SpecError(
            "the range \(decoded.min)…\(decoded.max) holds more integers than can be counted",
            at: minNode.location, keyPath: keyPath + ".min",
            expected: "max − min below \(Int.max)")
        }
        return .intUniform(min: decoded.min, max: decoded.max)
      }
      struct Bounds: Decodable {
        var min: Double
        var max: Double
      }
      let decoded = try SpecDecoder().decode(Bounds.self, from: resolved, path: keyPath)
      guard decoded.min.isFinite, decoded.max.isFinite else {
        throw SpecError(
          "the bounds must be finite", at: minNode.location, keyPath: keyPath + ".min",
          expected: "finite min and max")
      }
      guard decoded.min <= decoded.max else {
        throw SpecError(
          "min \(minNode.scalar ?? "") is greater than max \(resolved["max"]!.scalar ?? "")",
          at: minNode.location, keyPath: keyPath + ".min", expected: "min ≤ max")
      }
      guard distribution == "log_uniform" else {
        return .uniform(min: decoded.min, max: decoded.max)
      }
      guard decoded.min > 0 else {
        throw SpecError(
          "log_uniform needs a positive min, found \(minNode.scalar ?? "")",
          at: minNode.location, keyPath: keyPath + ".min", expected: "min > 0")
      }
      return .logUniform(min: decoded.min, max: decoded.max)
    case .scalar:
      throw SpecError(
        "expected a list of values or a distribution, found \(node.kindDescription)",
        at: node.location, keyPath: keyPath,
        expected: "[a, b, …] or {distribution: uniform|log_uniform|int_uniform, min: …, max: …}")
    }
  }
}

import Foundation
import Recur
import Tensors
import YAMLSpec

/// One run of a sweep: a configuration (a value per parameter) and a seed, assembled and checked
/// like a single run.
public struct SweepTrial: Sendable {
  /// 1-based, in expansion order; names the folder `trial-NNN`.
  public var number: Int
  /// 0-based index of the configuration; the trials of one configuration differ only in seed.
  public var configuration: Int
  /// A value per parameter, in the sweep's parameter order.
  public var values: [SpecNode]
  public var seed: UInt64
  /// The resolved spec (`Experiment.spec`): what the trial's `spec.yaml` holds.
  public var spec: SpecNode
  /// SHA-256 of the resolved spec (seed included): the trial's identity.
  public var sha256: String

  /// The metrics files the trial's spec asks for (`output.formats`, resolved).
  public var formats: [MetricsFormat] {
    (spec["output"]?["formats"]?.items ?? []).compactMap { $0.scalar.flatMap(MetricsFormat.init) }
  }

  /// `trial-007`.
  public var folderName: String {
    let digits = String(number)
    return "trial-" + String(repeating: "0", count: max(0, 3 - digits.count)) + digits
  }
}

/// A sweep expanded into its trials, every one assembled before any runs.
public struct SweepPlan: Sendable {
  public var spec: SweepSpec
  public var trials: [SweepTrial]
  /// SHA-256 over the resolved sweep section and every trial's identity.
  public var sha256: String

  /// The short id naming the sweep's folder: `sweep-<id>`.
  public var id: String { String(sha256.prefix(10)) }

  /// The number of distinct configurations.
  public var configurationCount: Int { (trials.map(\.configuration).max() ?? -1) + 1 }

  /// Expands `spec`: a grid in the order of nested loops over the parameters as written (the
  /// last one fastest), or `trials` random draws from `SeededGenerator(seed: sampler_seed)
  /// .derived("sweep")`, each parameter drawn in order; then every configuration once per seed.
  /// Each trial's spec is the base spec with the values set at their key paths (located where
  /// the sweep file gives them) and its seed, assembled with `Experiment(spec:)`: the first
  /// trial that does not assemble is an error naming it. A configuration drawn twice runs once.
  ///
  /// Trials are assembled grouped by their resolved dataset section, so that a dataset read
  /// from files is read once for all the trials that share it and released before the next
  /// group's is read; a generated dataset is never drawn here. The plan keeps each trial's
  /// resolved spec, not its data.
  public init(_ spec: SweepSpec, registry: Registry = .standard) throws(SpecError) {
    self.spec = spec
    var candidates: [Candidate] = []
    for (configuration, values) in Self.configurations(of: spec).enumerated() {
      for (index, seed) in spec.seeds.enumerated() {
        var node = spec.base
        for (parameter, value) in zip(spec.parameters, values) {
          node = node.setting(value, atPath: parameter.path)
        }
        let seedLocation = spec.section["seeds"]?.items?[index].location ?? spec.section.location
        node = node.setting(SpecNode(.integer(Int(seed)), location: seedLocation), atPath: "seed")
        candidates.append(
          Candidate(configuration: configuration, values: values, seed: seed, node: node))
      }
    }
    let (specs, failure) = Self.assemble(candidates, base: spec.baseExperiment, registry: registry)

    var trials: [SweepTrial] = []
    var seen = Set<String>()
    var configuration = -1
    var counted: Int?
    for (candidate, resolved) in zip(candidates, specs) {
      let sha256 = Fingerprint.sha256(resolved.yamlText())
      guard seen.insert(sha256).inserted else { continue }
      if counted != candidate.configuration {
        counted = candidate.configuration
        configuration += 1
      }
      trials.append(
        SweepTrial(
          number: trials.count + 1, configuration: configuration, values: candidate.values,
          seed: candidate.seed, spec: resolved, sha256: sha256))
    }
    if let (index, error) = failure {
      let candidate = candidates[index]
      var located = error
      let settings = zip(spec.parameters, candidate.values).map { "\($0.path)=\($1.flowText)" }
      let named = (settings + ["seed=\(candidate.seed)"]).joined(separator: ", ")
      located.message = "trial \(trials.count + 1) (\(named)): " + error.message
      throw located
    }
    self.trials = trials
    sha256 = Fingerprint.sha256(
      spec.section.yamlText() + trials.map(\.sha256).joined(separator: "\n"))
  }

  /// A trial's configuration, values, seed and spec before it is assembled.
  struct Candidate {
    var configuration: Int
    var values: [SpecNode]
    var seed: UInt64
    var node: SpecNode
  }

  /// Assembles the candidates, one group of candidates with the same dataset section at a time
  /// (the base spec's dataset shared with every group that names it), up to the first that does
  /// not assemble: the resolved specs of the candidates before it, in candidate order, and its
  /// index and error.
  static func assemble(
    _ candidates: [Candidate], base: Experiment, registry: Registry
  ) -> (specs: [SpecNode], failure: (index: Int, error: SpecError)?) {
    var specs = [SpecNode?](repeating: nil, count: candidates.count)
    var failure: (index: Int, error: SpecError)?
    var groups: [String: [Int]] = [:]
    var order: [String] = []
    for (index, candidate) in candidates.enumerated() {
      do {
        let (component, node) = try Experiment.section(
          "dataset", of: candidate.node, table: registry.datasets)
        let key = DatasetCache.key(type: component.name, options: node)
        if groups[key] == nil { order.append(key) }
        groups[key, default: []].append(index)
      } catch {
        if index < failure?.index ?? Int.max { failure = (index, error) }
      }
    }
    let cache = DatasetCache()
    let baseKey = DatasetCache.key(type: base.datasetType, options: base.spec["dataset"]!)
    for key in order {
      cache.removeAll()
      if !(base.dataset is GeneratedDataset) { cache.store(base.dataset, for: baseKey) }
      for index in groups[key]! where index < failure?.index ?? Int.max {
        do {
          specs[index] = try Experiment(
            spec: candidates[index].node, registry: registry, datasets: cache
          ).spec
        } catch {
          failure = (index, error)
        }
      }
    }
    let assembled = failure?.index ?? candidates.count
    return (specs[..<assembled].map { $0! }, failure)
  }

  /// The configurations, each a value per parameter.
  static func configurations(of spec: SweepSpec) -> [[SpecNode]] {
    switch spec.method {
    case .grid:
      var result: [[SpecNode]] = [[]]
      for parameter in spec.parameters {
        guard case .choice(let items) = parameter.domain else { continue }
        result = result.flatMap { prefix in items.map { prefix + [$0] } }
      }
      return result
    case .random:
      var generator = SeededGenerator(seed: spec.samplerSeed).derived("sweep")
      return (0..<(spec.trials ?? 0)).map { _ in
        spec.parameters.map { draw($0, with: &generator) }
      }
    }
  }

  /// One value of a parameter, located at the parameter's node in the sweep file.
  static func draw(
    _ parameter: SweepSpec.Parameter, with generator: inout SeededGenerator
  )
    -> SpecNode
  {
    let content: SpecNode.Content
    switch parameter.domain {
    case .choice(let items):
      return items[generator.integer(below: items.count)]
    case .uniform(let min, let max):
      content = .number(generator.uniform(in: min...max))
    case .logUniform(let min, let max):
      let value = Foundation.exp(generator.uniform(in: Foundation.log(min)...Foundation.log(max)))
      content = .number(Swift.min(Swift.max(value, min), max))
    case .intUniform(let min, let max):
      content = .integer(min + generator.integer(below: max - min + 1))
    }
    return SpecNode(content, location: parameter.node.location)
  }
}

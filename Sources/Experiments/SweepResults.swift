import Foundation
import Recur

/// Where a trial stands.
public enum TrialStatus: String, Sendable, Codable {
  /// Not started.
  case pending
  /// Submitted to Slurm and waiting in its queue (`runner sweep --status`).
  case queued
  /// A worker runs it now.
  case running
  /// Finished; its metrics are final.
  case completed
  /// Stopped by a loss that became NaN or infinite; final too (a rerun would diverge again).
  case diverged
  /// Stopped by an error; runs again when the sweep resumes.
  case failed
  /// Left unfinished by a stopped sweep or a signal (a `running` manifest whose process is
  /// gone, or an `interrupted` one); continues when the sweep resumes.
  case interrupted

  /// Whether the trial is over for good: a resumed sweep skips it.
  public var isFinal: Bool { self == .completed || self == .diverged }
}

/// One row of `sweep.csv` and `sweep.json`.
public struct SweepRow: Sendable {
  public var trial: Int
  public var configuration: Int
  /// The parameters' values in one line each, in the sweep's parameter order.
  public var parameters: [String]
  public var seed: UInt64
  public var status: TrialStatus
  public var message: String?
  /// The sweep metric: best over epochs (with its first epoch) and after the last epoch.
  public var best: Double?
  public var bestEpoch: Int?
  public var final: Double?
  /// The loss on the sweep metric's split: best and final.
  public var bestLoss: Double?
  public var finalLoss: Double?
  public var epochs: Int?
  /// Wall time from the run's start to its end.
  public var seconds: Double?

  public init(
    trial: Int, configuration: Int, parameters: [String], seed: UInt64, status: TrialStatus,
    message: String? = nil, best: Double? = nil, bestEpoch: Int? = nil, final: Double? = nil,
    bestLoss: Double? = nil, finalLoss: Double? = nil, epochs: Int? = nil, seconds: Double? = nil
  ) {
    self.trial = trial
    self.configuration = configuration
    self.parameters = parameters
    self.seed = seed
    self.status = status
    self.message = message
    self.best = best
    self.bestEpoch = bestEpoch
    self.final = final
    self.bestLoss = bestLoss
    self.finalLoss = finalLoss
    self.epochs = epochs
    self.seconds = seconds
  }
}

/// A mean and its sample standard deviation (n − 1 in the denominator; nil for n < 2).
public struct MeanAndDeviation: Sendable, Equatable {
  public var mean: Double
  public var standardDeviation: Double?

  public init(_ values: [Double]) {
    let n = Double(values.count)
    mean = values.reduce(0, +) / n
    let mean = self.mean
    standardDeviation =
      values.count < 2
      ? nil
      : (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot()
  }
}

/// One configuration aggregated over its completed seeds: a row of `summary.csv`.
public struct ConfigurationSummary: Sendable {
  public var configuration: Int
  public var parameters: [String]
  /// Completed trials (seeds) aggregated.
  public var n: Int
  /// Over seeds, of each trial's best and final value of the sweep metric; nil when n = 0.
  public var best: MeanAndDeviation?
  public var final: MeanAndDeviation?
  /// The trial numbers of the configuration, in seed order.
  public var trials: [Int]
}

/// The tables of a sweep: a row per trial read from the trial folders, and the summary per
/// configuration.
public enum SweepResults {
  /// Reads one trial's folder: status `pending` when it holds no manifest; else the manifest's
  /// status, when its spec hash is the trial's (`interrupted`: stopped by a signal with a
  /// checkpoint). A manifest left `running` is `interrupted`,
  /// or `running` while another live process owns the folder (`FolderLock`); a `completed` one
  /// is `failed` (so it runs again and is not counted) when a file it promises is missing
  /// (`RunDirectory.missingFiles`). The sweep metric and loss come from the metrics file.
  public static func row(
    for trial: SweepTrial, in folder: URL, objective: SweepSpec.Objective, running: Bool = false
  ) -> SweepRow {
    var row = SweepRow(
      trial: trial.number, configuration: trial.configuration,
      parameters: trial.values.map(\.flowText), seed: trial.seed,
      status: running ? .running : .pending)
    guard !running,
      let data = FileManager.default.contents(
        atPath: folder.appendingPathComponent("manifest.json").path)
    else { return row }
    guard let manifest = try? JSONDecoder().decode(Manifest.self, from: data),
      manifest.specSHA256 == trial.sha256
    else {
      row.status = .failed
      row.message = "manifest.json is unreadable or belongs to another spec"
      return row
    }
    row.message = manifest.message
    switch manifest.status {
    case .running:
      if let owner = FolderLock.owner(of: folder) {
        row.status = .running
        row.message = "in use by runner process \(owner.holder.map(String.init) ?? "(pid unknown)")"
      } else {
        row.status = .interrupted
      }
    case .completed:
      let missing = RunDirectory(url: folder, id: folder.lastPathComponent)
        .missingFiles(promisedBy: manifest, formats: trial.formats)
      if missing.isEmpty {
        row.status = .completed
      } else {
        row.status = .failed
        row.message =
          "incomplete: the manifest says completed but \(missing.joined(separator: ", ")) "
          + "\(missing.count == 1 ? "is" : "are") missing"
      }
    case .diverged: row.status = .diverged
    case .failed: row.status = .failed
    case .interrupted: row.status = .interrupted
    }
    if let finished = manifest.finished.flatMap(Manifest.date(from:)),
      let started = Manifest.date(from: manifest.started)
    {
      row.seconds = finished.timeIntervalSince(started)
    }
    guard let table = try? MetricsTable.load(from: folder) else { return row }
    let split = objective.split.rawValue
    let values = table.series(objective.metric, split: split)
    let losses = table.series("loss", split: split)
    row.epochs = table.lastEpoch
    if let best = values.min(by: { objective.prefers($0.value, over: $1.value) }) {
      row.best = best.value
      row.bestEpoch = best.epoch
    }
    row.final = values.last.map(\.value)
    row.bestLoss = losses.map(\.value).filter { !$0.isNaN }.min()
    row.finalLoss = losses.last.map(\.value)
    return row
  }

  /// Aggregates the completed trials of each configuration over their seeds, sorted by the mean
  /// of the best value (best first); configurations with nothing completed come last, in order.
  public static func summarize(
    _ rows: [SweepRow], objective: SweepSpec.Objective
  ) -> [ConfigurationSummary] {
    let groups = Dictionary(grouping: rows, by: \.configuration)
    let summaries = groups.keys.sorted().map { configuration -> ConfigurationSummary in
      let group = groups[configuration]!.sorted { $0.trial < $1.trial }
      let done = group.filter { $0.status == .completed }
      let best = done.compactMap(\.best)
      let final = done.compactMap(\.final)
      return ConfigurationSummary(
        configuration: configuration, parameters: group[0].parameters, n: done.count,
        best: best.isEmpty ? nil : MeanAndDeviation(best),
        final: final.isEmpty ? nil : MeanAndDeviation(final), trials: group.map(\.trial))
    }
    return summaries.enumerated().sorted { lhs, rhs in
      switch (lhs.element.best?.mean, rhs.element.best?.mean) {
      case (let a?, let b?) where a != b: return objective.prefers(a, over: b)
      case (.some, nil): return true
      case (nil, .some): return false
      default: return lhs.offset < rhs.offset
      }
    }.map(\.element)
  }

  /// `sweep.csv`: trial, a column per parameter, seed, status, the metric's best, best epoch and
  /// final value, the loss's best and final (on the metric's split), epochs, seconds, message.
  public static func csv(_ rows: [SweepRow], spec: SweepSpec) -> String {
    let name = spec.objective.name
    let loss = "\(spec.objective.split.rawValue).loss"
    var header = ["trial"] + spec.parameters.map(\.path) + ["seed", "status"]
    header += ["\(name).best", "\(name).best_epoch", "\(name).final"]
    if spec.objective.metric != "loss" { header += ["\(loss).best", "\(loss).final"] }
    header += ["epochs", "seconds", "message"]
    var records = [header]
    for row in rows {
      var fields = [String(row.trial)] + row.parameters + [String(row.seed), row.status.rawValue]
      fields += [text(row.best), row.bestEpoch.map(String.init) ?? "", text(row.final)]
      if spec.objective.metric != "loss" { fields += [text(row.bestLoss), text(row.finalLoss)] }
      fields += [row.epochs.map(String.init) ?? "", text(row.seconds), row.message ?? ""]
      records.append(fields)
    }
    return CSV.text(records)
  }

  /// `sweep.json`: the sweep's identity, metric and parameters, and a record per trial.
  public static func json(_ rows: [SweepRow], plan: SweepPlan) throws -> Data {
    let spec = plan.spec
    let trials: [JSONValue] = zip(rows, plan.trials).map { row, trial in
      var parameters: [String: JSONValue] = [:]
      for (parameter, value) in zip(spec.parameters, row.parameters) {
        parameters[parameter.path] = .string(value)
      }
      var record: [String: JSONValue] = [
        "trial": .integer(row.trial), "folder": .string(trial.folderName),
        "configuration": .integer(row.configuration), "spec_sha256": .string(trial.sha256),
        "seed": .integer(Int(row.seed)), "parameters": .object(parameters),
        "status": .string(row.status.rawValue),
        "message": row.message.map(JSONValue.string) ?? .null,
        "\(spec.objective.split.rawValue).loss": .object([
          "best": number(row.bestLoss), "final": number(row.finalLoss),
        ]),
        "epochs": row.epochs.map(JSONValue.integer) ?? .null, "seconds": number(row.seconds),
      ]
      // Ranked by the loss itself, the objective's entry (with its best epoch) is the loss's.
      record[spec.objective.name] = .object([
        "best": number(row.best), "best_epoch": row.bestEpoch.map(JSONValue.integer) ?? .null,
        "final": number(row.final),
      ])
      return .object(record)
    }
    let document: JSONValue = .object([
      "sweep_id": .string(plan.id), "sweep_sha256": .string(plan.sha256),
      "method": .string(spec.method.rawValue),
      "seeds": .array(spec.seeds.map { .integer(Int($0)) }),
      "metric": .object([
        "name": .string(spec.objective.name), "goal": .string(spec.objective.goal.rawValue),
      ]),
      "parameters": .array(spec.parameters.map { .string($0.path) }),
      "trials": .array(trials),
    ])
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return try encoder.encode(document) + Data("\n".utf8)
  }

  /// `summary.csv`: a row per configuration, best first: its parameters, n, and mean and sample
  /// standard deviation over seeds of the best and the final value of the sweep metric.
  public static func summaryCSV(_ summaries: [ConfigurationSummary], spec: SweepSpec) -> String {
    let name = spec.objective.name
    let header =
      ["rank"] + spec.parameters.map(\.path)
      + ["n", "\(name).best.mean", "\(name).best.std", "\(name).final.mean", "\(name).final.std"]
      + ["trials"]
    var records = [header]
    for (rank, summary) in summaries.enumerated() {
      let fields =
        [String(rank + 1)] + summary.parameters + [String(summary.n)]
        + [text(summary.best?.mean), text(summary.best?.standardDeviation)]
        + [text(summary.final?.mean), text(summary.final?.standardDeviation)]
        + [summary.trials.map(String.init).joined(separator: " ")]
      records.append(fields)
    }
    return CSV.text(records)
  }

  static func text(_ value: Double?) -> String {
    value.map { String($0) } ?? ""
  }

  static func number(_ value: Double?) -> JSONValue {
    value.map(JSONValue.number) ?? .null
  }
}

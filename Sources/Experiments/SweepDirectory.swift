import Foundation
import YAMLSpec

/// The folder `<output.dir>/<name>/sweep-<id>/` of one sweep: `sweep.yaml` (the sweep as run),
/// `sweep.json` and `sweep.csv` (a row per trial), `summary.csv` (a row per configuration),
/// `best.yaml`, and a run folder `trial-NNN/` per trial.
public struct SweepDirectory: Sendable {
  public let plan: SweepPlan
  public let files: RunDirectory

  public var url: URL { files.url }

  /// The default folder of a plan: `<output.dir>/<name>/sweep-<id>`.
  public static func defaultURL(for plan: SweepPlan) -> URL {
    URL(fileURLWithPath: plan.spec.baseExperiment.output.dir, isDirectory: true)
      .appendingPathComponent(plan.spec.baseExperiment.name, isDirectory: true)
      .appendingPathComponent("sweep-\(plan.id)", isDirectory: true)
  }

  /// Opens the sweep's folder, creating it when new, and owns it while the value lives: another
  /// live process owning it (a sweep) is `FolderInUse`. A folder whose `sweep.json` records
  /// another sweep is a `SpecError`: its trials belong to a different spec. Temporaries left by
  /// killed processes are removed.
  public static func open(_ plan: SweepPlan, at url: URL) throws -> SweepDirectory {
    let files = try RunDirectory.own(url)
    try checkRecord(of: plan, at: url)
    try files.removeStaleTemporaries()
    let directory = SweepDirectory(plan: plan, files: files)
    var section = plan.spec.section
    if let slurm = plan.spec.slurmSection, case .mapping(let entries) = section.content {
      section = SpecNode(.mapping(entries + [slurm]), location: section.location)
    }
    var document = plan.spec.base.entries ?? []
    document.append(
      SpecNode.Entry(key: "sweep", keyLocation: plan.spec.section.location, value: section))
    try files.write(
      SpecNode(.mapping(document), location: plan.spec.base.location).yamlText(),
      to: "sweep.yaml")
    return directory
  }

  /// The sweep's folder, read without owning it (for `runner sweep --status` while trials run):
  /// the folder must exist and hold this sweep's `sweep.json`.
  public static func inspect(_ plan: SweepPlan, at url: URL) throws -> SweepDirectory {
    guard FileManager.default.fileExists(atPath: url.appendingPathComponent("sweep.json").path)
    else {
      throw SpecError(
        "\(url.relativePath) holds no sweep (no sweep.json)",
        expected: "a folder runner sweep made")
    }
    try checkRecord(of: plan, at: url)
    return SweepDirectory(plan: plan, files: RunDirectory(url: url, id: url.lastPathComponent))
  }

  /// A `sweep.json` in `url` that records another sweep is a `SpecError`.
  static func checkRecord(of plan: SweepPlan, at url: URL) throws(SpecError) {
    let recordURL = url.appendingPathComponent("sweep.json")
    if let data = FileManager.default.contents(atPath: recordURL.path) {
      let record = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
      let recorded = record?["sweep_sha256"] as? String
      guard recorded == plan.sha256 else {
        throw SpecError(
          "\(url.relativePath) holds a different sweep (sha256 \(recorded?.prefix(10) ?? "?") …, "
            + "this one is \(plan.id) …)",
          expected: "the spec and overrides that made it, or another --directory")
      }
    }
  }

  /// The run folder of a trial.
  public func folder(of trial: SweepTrial) -> URL {
    url.appendingPathComponent(trial.folderName, isDirectory: true)
  }

  /// A row per trial, read from the trial folders; `running` trials are not read.
  public func rows(running: Set<Int> = []) -> [SweepRow] {
    plan.trials.map {
      SweepResults.row(
        for: $0, in: folder(of: $0), objective: plan.spec.objective,
        running: running.contains($0.number))
    }
  }

  /// Rewrites `sweep.csv`, `sweep.json` and `summary.csv` (each atomically), and `best.yaml`
  /// (the resolved spec of the best configuration's first completed trial) once a configuration
  /// has completed. Returns the summary, best first.
  @discardableResult
  public func writeResults(_ rows: [SweepRow]) throws -> [ConfigurationSummary] {
    try files.write(SweepResults.csv(rows, spec: plan.spec), to: "sweep.csv")
    try files.write(try SweepResults.json(rows, plan: plan), to: "sweep.json")
    let summary = SweepResults.summarize(rows, objective: plan.spec.objective)
    try files.write(SweepResults.summaryCSV(summary, spec: plan.spec), to: "summary.csv")
    if let best = summary.first, best.n > 0,
      let number = best.trials.first(where: { rows[$0 - 1].status == .completed })
    {
      try files.write(plan.trials[number - 1].spec.yamlText(), to: "best.yaml")
    }
    return summary
  }
}

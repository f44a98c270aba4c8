import ArgumentParser
import Experiments
import Foundation
import YAMLSpec

/// `runner sweep <spec> [overrides…]`: every trial of a sweep, checked up front.
struct Sweep: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract:
      "Run every trial of a spec's sweep: section and of comma lists such as model.hidden=32,64 "
      + "(or list them with --dry-run).",
    discussion: """
      Every trial is assembled and checked before the first one starts. Trials land in \
      <output.dir>/<name>/sweep-<id>/trial-NNN/, where the id is a hash of the sweep; running \
      the same command again resumes it. With --executor slurm the trials not completed and \
      not queued are submitted as one Slurm job array (slurm/array.sh in the sweep's folder) \
      and the command returns; runner sweep <sweep folder> --status, --wait and --collect \
      follow them. A sweep folder in place of the spec reads the sweep.yaml there.
      """)

  /// Where the trials run.
  enum Executor: String, ExpressibleByArgument, CaseIterable {
    /// Child processes of this command, --workers at once.
    case local
    /// Tasks of one Slurm job array.
    case slurm
  }

  @OptionGroup var arguments: SpecArguments

  @Flag(name: .long, help: "List the trials (number, parameters, seed) without running them.")
  var dryRun = false

  @Option(help: "Trials run at once, each in its own runner process.")
  var workers = 1

  @Flag(help: "Stop at the first trial that fails or diverges.")
  var failFast = false

  @Option(
    help: ArgumentHelp(
      "OPENBLAS_NUM_THREADS of every trial process (the BLAS threads per worker).",
      valueName: "n"))
  var blasThreads = 1

  @Option(
    help: ArgumentHelp(
      "The sweep's folder, instead of <output.dir>/<name>/sweep-<id>.", valueName: "folder"))
  var directory: String?

  @Option(help: "Where the trials run: local (child processes) or slurm (a job array).")
  var executor = Executor.local

  @Flag(help: "Print where every trial stands (from the trial folders and squeue) and return.")
  var status = false

  @Flag(help: "Wait until no trial is queued or running; exit 1 unless all completed.")
  var wait = false

  @Flag(help: "Write sweep.csv, summary.csv and best.yaml from the trials finished so far.")
  var collect = false

  @Option(help: ArgumentHelp("Seconds between looks while --wait waits.", valueName: "seconds"))
  var poll = 10.0

  func validate() throws {
    guard poll > 0 else { throw ValidationError("--poll must be positive") }
    if executor == .slurm, failFast {
      throw ValidationError(
        "--fail-fast applies to --executor local only (Slurm's tasks run independently)")
    }
    guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
    guard blasThreads >= 1 else { throw ValidationError("--blas-threads must be at least 1") }
  }

  func run() throws {
    var isFolder: ObjCBool = false
    let given =
      FileManager.default.fileExists(atPath: arguments.spec, isDirectory: &isFolder)
        && isFolder.boolValue
      ? URL(fileURLWithPath: arguments.spec, isDirectory: true) : nil
    if given != nil, directory != nil {
      throw ValidationError("give the sweep folder or --directory, not both")
    }
    let spec = try SweepSpec.load(
      contentsOf: given?.appendingPathComponent("sweep.yaml").path ?? arguments.spec,
      overrides: arguments.overrides, registry: RunnerContext.registry)
    let plan = try SweepPlan(spec, registry: RunnerContext.registry)
    let folder =
      given ?? directory.map { URL(fileURLWithPath: $0, isDirectory: true) }
      ?? SweepDirectory.defaultURL(for: plan)
    Console.line(
      "sweep \(plan.id): \(spec.method.rawValue), \(plan.configurationCount) configurations × "
        + "\(spec.seeds.count) seed\(spec.seeds.count == 1 ? "" : "s") = \(plan.trials.count) trials, "
        + "ranked by \(spec.objective.name) (\(spec.objective.goal.rawValue)) → \(folder.relativePath)"
    )
    if dryRun {
      Console.line(Self.table(of: plan))
      return
    }
    if status || wait || collect {
      try follow(plan, folder: folder)
      return
    }
    if executor == .slurm {
      try submit(plan, folder: folder)
      return
    }
    let sweep = try SweepDirectory.open(plan, at: folder)
    var scheduler = try TrialScheduler(
      sweep: sweep, workers: workers, failFast: failFast, blasThreads: blasThreads)
    let outcome = try scheduler.run()
    let rows = sweep.rows()
    let summary = try sweep.writeResults(rows)
    Console.line(Self.report(summary, plan: plan, folder: folder))
    if case .interrupted = outcome {
      Console.line("interrupted: run the same command again to resume")
      throw ExitCode(130)
    }
    if rows.contains(where: { $0.status != .completed }) { throw Exit.failure }
  }

  /// Submits the trials that are not final and not queued or running to Slurm.
  func submit(_ plan: SweepPlan, folder: URL) throws {
    let sweep = try SweepDirectory.open(plan, at: folder)
    let jobs = SlurmExecutor.jobs(in: folder)
    guard let queue = SlurmExecutor.queue(jobs) else {
      throw SlurmError("squeue failed: cannot tell which of the sweep's trials are queued")
    }
    let rows = SlurmExecutor.rows(sweep, queue: queue)
    let waiting = rows.filter { $0.status == .queued || $0.status == .running }.count
    let chosen = plan.trials.filter {
      let status = rows[$0.number - 1].status
      return !status.isFinal && status != .queued && status != .running
    }
    try sweep.writeResults(rows)
    guard !chosen.isEmpty else {
      Console.line(
        "nothing to submit: \(plan.trials.count - waiting) trials finished, \(waiting) queued or "
          + "running")
      return
    }
    let job = try SlurmExecutor.submit(chosen, of: sweep, rows: rows, options: plan.spec.slurm)
    try sweep.writeResults(
      SlurmExecutor.rows(sweep, queue: SlurmExecutor.queue(SlurmExecutor.jobs(in: folder))))
    let array = SlurmJobArray.arraySpec(
      chosen.map(\.number), maxParallel: plan.spec.slurm.maxParallel)
    Console.line(
      "submitted Slurm job \(job): array \(array) (\(chosen.count) trials"
        + (waiting > 0 ? ", \(waiting) already queued or running" : "") + ") with "
        + "\(folder.relativePath)/\(SlurmExecutor.scriptName)\n"
        + "follow it: runner sweep \(folder.relativePath) --status (or --wait, --collect)")
  }

  /// `--status`, `--wait` and `--collect`.
  func follow(_ plan: SweepPlan, folder: URL) throws {
    let sweep = try SweepDirectory.inspect(plan, at: folder)
    func current() -> [SweepRow] {
      let jobs = SlurmExecutor.jobs(in: folder)
      let queue = SlurmExecutor.queue(jobs)
      if queue == nil {
        Console.error("warning: squeue failed; statuses are the trial folders' alone\n")
      }
      return SlurmExecutor.rows(sweep, queue: queue)
    }
    var rows = current()
    if wait {
      var last = ""
      while true {
        let line = Self.counts(rows)
        if line != last { Console.line(line) }
        last = line
        if !rows.contains(where: { $0.status == .queued || $0.status == .running }) { break }
        usleep(UInt32(min(poll, 3600) * 1_000_000))
        rows = current()
      }
    }
    if status || !collect {
      Console.line(Self.statusTable(rows, sweep: sweep))
      Console.line(Self.counts(rows))
    }
    if collect {
      let owned = try SweepDirectory.open(plan, at: folder)
      let summary = try owned.writeResults(rows)
      Console.line(Self.report(summary, plan: plan, folder: folder))
    }
    if wait, rows.contains(where: { $0.status != .completed }) { throw Exit.failure }
  }

  /// `4 trials: 1 pending, 1 queued, …`, every status counted.
  static func counts(_ rows: [SweepRow]) -> String {
    let order: [TrialStatus] = [
      .pending, .queued, .running, .completed, .failed, .interrupted, .diverged,
    ]
    return "\(rows.count) trials: "
      + order.map { status in "\(rows.filter { $0.status == status }.count) \(status.rawValue)" }
      .joined(separator: ", ")
  }

  /// A line per trial: number, status, seed, parameters, the Slurm task and node of its
  /// manifest, and the message.
  static func statusTable(_ rows: [SweepRow], sweep: SweepDirectory) -> String {
    let header =
      ["trial", "status", "seed"] + sweep.plan.spec.parameters.map(\.path) + [
        "slurm", "node", "message",
      ]
    let lines = zip(rows, sweep.plan.trials).map { row, trial -> [String] in
      let data = FileManager.default.contents(
        atPath: sweep.folder(of: trial).appendingPathComponent("manifest.json").path)
      let task = data.flatMap { try? JSONDecoder().decode(Manifest.self, from: $0) }?.slurm
      let job = task.map { task in
        task.arrayJobID.map { "\($0)_\(task.arrayTaskID.map(String.init) ?? "?")" } ?? task.jobID
      }
      return [trial.folderName, row.status.rawValue, String(row.seed)] + row.parameters + [
        job ?? "–", task?.node ?? "–", row.message ?? "",
      ]
    }
    let widths = header.indices.dropLast().map { column in
      ([header] + lines).map { $0[column].count }.max() ?? 0
    }
    return ([header] + lines).map { line in
      (zip(line, widths).map { Format.left($0, $1 + 2) }.joined() + (line.last ?? ""))
        .trimmingCharacters(in: .whitespaces)
    }.joined(separator: "\n")
  }

  /// The end of a sweep: the best configuration and where its spec is.
  static func report(_ summary: [ConfigurationSummary], plan: SweepPlan, folder: URL) -> String {
    guard let best = summary.first, let mean = best.best?.mean else {
      return "no configuration completed; results in \(folder.relativePath)"
    }
    let settings = zip(plan.spec.parameters, best.parameters).map { "\($0.path)=\($1)" }
    let deviation = best.best?.standardDeviation.map { " ± \(Format.fixed($0, 4))" } ?? ""
    return "best: \(settings.joined(separator: " ")): \(plan.spec.objective.name) (best epoch) "
      + "\(Format.fixed(mean, 4))\(deviation) over \(best.n) seed\(best.n == 1 ? "" : "s")\n"
      + "results: \(folder.relativePath)/summary.csv, sweep.csv, best.yaml"
  }

  /// The trials as a table: number, a column per parameter, seed, the start of the spec hash.
  static func table(of plan: SweepPlan) -> String {
    let header = ["trial"] + plan.spec.parameters.map(\.path) + ["seed", "spec sha256"]
    let rows = plan.trials.map { trial in
      [String(trial.folderName.dropFirst("trial-".count))] + trial.values.map(\.flowText)
        + [String(trial.seed), String(trial.sha256.prefix(12))]
    }
    let widths = header.indices.map { column in
      ([header] + rows).map { $0[column].count }.max() ?? 0
    }
    return ([header] + rows).map { row in
      zip(row, widths).map { Format.left($0, $1 + 2) }.joined()
        .trimmingCharacters(in: .whitespaces)
    }.joined(separator: "\n")
  }
}

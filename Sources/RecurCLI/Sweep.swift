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
      the same command again resumes it.
      """)

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

  func validate() throws {
    guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
    guard blasThreads >= 1 else { throw ValidationError("--blas-threads must be at least 1") }
  }

  func run() throws {
    let spec = try SweepSpec.load(
      contentsOf: arguments.spec, overrides: arguments.overrides,
      registry: RunnerContext.registry)
    let plan = try SweepPlan(spec, registry: RunnerContext.registry)
    let folder =
      directory.map { URL(fileURLWithPath: $0, isDirectory: true) }
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

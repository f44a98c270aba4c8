import ArgumentParser
import Experiments
import Foundation
import YAMLSpec

/// `runner sweep <spec> [overrides…]`: every trial of a sweep, checked up front.
struct Sweep: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run every trial of a spec's sweep: section (or list them with --dry-run).",
    discussion: """
      Every trial is assembled and checked before the first one starts. Trials land in \
      <output.dir>/<name>/sweep-<id>/trial-NNN/, where the id is a hash of the sweep; running \
      the same command again resumes it.
      """)

  @OptionGroup var arguments: SpecArguments

  @Flag(name: .long, help: "List the trials (number, parameters, seed) without running them.")
  var dryRun = false

  func run() throws {
    let spec = try SweepSpec.load(contentsOf: arguments.spec, overrides: arguments.overrides)
    let plan = try SweepPlan(spec)
    let folder = URL(fileURLWithPath: spec.baseExperiment.output.dir)
      .appendingPathComponent(spec.baseExperiment.name).appendingPathComponent("sweep-\(plan.id)")
    Console.line(
      "sweep \(plan.id): \(spec.method.rawValue), \(plan.configurationCount) configurations × "
        + "\(spec.seeds.count) seed\(spec.seeds.count == 1 ? "" : "s") = \(plan.trials.count) trials, "
        + "ranked by "
        + "\(spec.objective.name) (\(spec.objective.goal.rawValue)) → \(folder.relativePath)")
    if dryRun { Console.line(Self.table(of: plan)) }
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

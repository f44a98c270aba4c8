import ArgumentParser
import Experiments
import Foundation

/// `runner reproduce <run-dir>`: run a stored spec again and compare the metrics.
struct Reproduce: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run a run directory's spec.yaml again (same seed) and compare the metrics.",
    discussion: """
      The new run gets a run directory of its own. Every metrics column but the wall-clock \
      ones (seconds, tokens_per_second) is compared row by row and every difference printed. \
      Exits 0 when the metrics are identical, 1 otherwise.
      """)

  @Argument(help: "A run directory (holding spec.yaml and metrics.csv or metrics.json).")
  var runDirectory: String

  func run() throws {
    let stored = URL(fileURLWithPath: runDirectory, isDirectory: true)
    let experiment = try Experiment.stored(in: stored, registry: RunnerContext.registry)
    guard let storedMetrics = try MetricsTable.load(from: stored) else {
      throw ValidationError("\(runDirectory) holds no metrics.csv or metrics.json to compare")
    }
    let outcome = try ExperimentRun.run(
      experiment, commandLine: CommandLine.arguments, observer: TerminalObserver(quiet: true))
    let newMetrics = try MetricsTable.load(from: outcome.directory.url)
    let differences = MetricsComparison.differences(
      stored: storedMetrics, new: newMetrics ?? MetricsTable(columns: [], rows: []))
    Console.line("reran \(runDirectory) → \(outcome.directory.url.relativePath)")
    if differences.isEmpty {
      Console.line(
        "identical: \(storedMetrics.rows.count) rows compared "
          + "(\(MetricsComparison.wallClockColumns.sorted().joined(separator: ", ")) ignored)")
      return
    }
    Console.line("\(differences.count) differences:")
    for line in differences { Console.line("  " + line) }
    throw Exit.failure
  }
}

import ArgumentParser
import Experiments
import Foundation
import Recur

/// `runner run <spec> [overrides…]`: train once, leave a run directory.
struct Run: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Train the spec's model and write a run directory (the default command).")

  @OptionGroup var arguments: SpecArguments

  @Flag(name: .long, help: "Print only the summary, no epoch lines.")
  var quiet = false

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Write the run into this folder (created when missing; it must not hold a run or be in "
        + "use by another runner) instead of a new timestamped one; runner sweep places its "
        + "trials this way.",
      valueName: "folder"))
  var runDirectory: String?

  func run() throws {
    let experiment = try arguments.experiment()
    let observer = TerminalObserver(quiet: quiet)
    StopRequest.install()
    let outcome = try ExperimentRun.run(
      experiment, commandLine: CommandLine.arguments, observer: observer,
      directory: runDirectory.map { URL(fileURLWithPath: $0, isDirectory: true) })
    Console.line(Summary(experiment: experiment, outcome: outcome).text)
    try Exit.check(outcome)
  }
}

/// Prints a line per epoch to standard output and, when standard error is a terminal, a live
/// progress bar there.
final class TerminalObserver: RunObserver {
  let quiet: Bool
  let live = isatty(STDERR_FILENO) == 1
  private var lastDraw = Date.distantPast
  /// Per metric column, whether it prints as a percentage.
  private var proportions: [Bool] = []

  init(quiet: Bool) {
    self.quiet = quiet
  }

  func runStarted(_ experiment: Experiment, directory: RunDirectory, resumingAfter epoch: Int) {
    proportions = experiment.metrics.map(\.isProportion)
    guard !quiet else { return }
    let shape = experiment.model.shape
    let resuming = epoch > 0 ? ", resuming after epoch \(epoch)" : ""
    Console.line(
      "\(experiment.name): \(experiment.modelType) I=\(shape.inputSize) H=\(shape.hiddenSize) "
        + "K=\(shape.outputSize) on \(experiment.datasetType), "
        + "\(experiment.plan.epochs) epochs\(resuming) → \(directory.url.relativePath)")
  }

  func batchFinished(epoch: Int, batch: Int, of batches: Int) {
    guard live, !quiet else { return }
    // Ten redraws a second are enough for the eye and cost nothing against training.
    let now = Date()
    guard batch == batches || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
    lastDraw = now
    let width = 30
    let filled = width * batch / max(batches, 1)
    let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
    Console.error("\r  epoch \(epoch) [\(bar)] \(batch)/\(batches)")
  }

  func epochFinished(_ records: [EpochRecord], of epochs: Int) {
    guard !quiet, let first = records.first else { return }
    if live { Console.error("\r\u{1B}[2K") }
    var line = "epoch \(Format.right(String(first.epoch), String(epochs).count))/\(epochs)"
    for record in records {
      line += "  \(record.split.rawValue) loss \(Format.fixed(record.loss, 4))"
      for (metric, prototype) in zip(record.metrics, proportions) {
        line +=
          " \(metric.name) \(metric.value.map { Format.metric($0, proportion: prototype) } ?? "–")"
      }
    }
    if let train = records.first(where: { $0.split == .train }) {
      line += "  \(Format.rate(train.tokensPerSecond)) tok/s \(Format.fixed(train.seconds, 1))s"
    }
    Console.line(line)
  }
}

import ArgumentParser
import Experiments
import Foundation

/// `runner resume <run-dir>`: continue a run that was stopped.
struct Resume: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Continue a stopped or killed run from its last checkpoint.",
    discussion: """
      Reads the run's spec.yaml and checkpoint/, and trains the remaining epochs in the same \
      run directory. With the same seed, the run ends with exactly the metrics and weights of \
      one that never stopped. Refused (exit 2), changing nothing, while another runner owns the \
      run directory: the run itself, or another resume.
      """)

  @Argument(help: "The run directory, e.g. results/brnn-tagging/20261127-034501-123.")
  var runDirectory: String

  @Flag(name: .long, help: "Print only the summary, no epoch lines.")
  var quiet = false

  func run() throws {
    let url = URL(fileURLWithPath: runDirectory, isDirectory: true)
    StopRequest.install()
    let (experiment, outcome) = try ExperimentRun.resume(
      url, commandLine: CommandLine.arguments, observer: TerminalObserver(quiet: quiet),
      registry: RunnerContext.registry)
    Console.line(Summary(experiment: experiment, outcome: outcome).text)
    try Exit.check(outcome)
  }
}

import ArgumentParser
import Experiments
import Foundation

/// `runner trial <folder>`: run or resume one trial folder, as a Slurm array task does.
struct Trial: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run a trial folder's spec.yaml, or resume it (what a sweep's Slurm tasks run).",
    discussion: """
      A folder without a manifest runs its spec.yaml there; an interrupted run (or a running \
      one whose process is gone) resumes from its checkpoint; a failed one starts over; a \
      completed or diverged one is left alone (exit 0 and 1). SIGTERM or SIGINT stops the run \
      after its current batch with a checkpoint (exit 143 or 130), so a requeued task \
      continues where it stopped.
      """)

  @Argument(help: "The trial folder, holding spec.yaml.")
  var folder: String

  @Flag(name: .long, help: "Print only the summary, no epoch lines.")
  var quiet = false

  func run() throws {
    let url = URL(fileURLWithPath: folder, isDirectory: true)
    let observer = TerminalObserver(quiet: quiet)
    StopRequest.install()
    switch try Self.action(for: url) {
    case .leave(let status):
      Console.line("\(url.relativePath): \(status.rawValue); left as it is")
      if status != .completed { throw Exit.failure }
    case .resume:
      let (experiment, outcome) = try ExperimentRun.resume(
        url, commandLine: CommandLine.arguments, observer: observer,
        registry: RunnerContext.registry)
      Console.line(Summary(experiment: experiment, outcome: outcome).text)
      try Exit.check(outcome)
    case .start(let clear):
      let specURL = url.appendingPathComponent("spec.yaml")
      if clear {
        // Owned while emptied; the run takes the folder over at once.
        let directory = try RunDirectory.own(url)
        guard let spec = FileManager.default.contents(atPath: specURL.path) else {
          throw RunFileError(path: specURL.path, reason: "missing")
        }
        try directory.removeContents()
        try directory.write(spec, to: "spec.yaml")
      }
      let experiment = try Experiment(loading: specURL.path, registry: RunnerContext.registry)
      let outcome = try ExperimentRun.run(
        experiment, commandLine: CommandLine.arguments, observer: observer, directory: url)
      Console.line(Summary(experiment: experiment, outcome: outcome).text)
      try Exit.check(outcome)
    }
  }

  enum Action: Equatable {
    /// Completed or diverged: nothing to do.
    case leave(Manifest.Status)
    case resume
    /// Run the spec, after emptying the folder of a failed attempt (`true`).
    case start(clear: Bool)
  }

  /// What the folder's manifest calls for. A folder another live process owns is
  /// `FolderInUse`; an unreadable manifest is a `ResumeError`.
  static func action(for url: URL) throws -> Action {
    let manifestURL = url.appendingPathComponent("manifest.json")
    guard let data = FileManager.default.contents(atPath: manifestURL.path) else {
      return .start(clear: false)
    }
    if let owner = FolderLock.owner(of: url) { throw owner }
    let manifest: Manifest
    do {
      manifest = try JSONDecoder().decode(Manifest.self, from: data)
    } catch {
      throw ResumeError(path: manifestURL.path, reason: "unreadable manifest (\(error))")
    }
    switch manifest.status {
    case .completed, .diverged: return .leave(manifest.status)
    case .interrupted, .running: return .resume
    case .failed: return .start(clear: true)
    }
  }
}

extension Exit {
  /// Success for a completed run; 128 + the signal for one a signal stopped (`interrupted`);
  /// `failure` otherwise.
  static func check(_ outcome: RunOutcome) throws {
    switch outcome.status {
    case .completed: return
    case .interrupted: throw ExitCode(StopRequest.exitCode(for: StopRequest.received ?? SIGTERM))
    default: throw failure
    }
  }
}

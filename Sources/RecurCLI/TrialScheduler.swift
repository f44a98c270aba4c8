import CProcess
import Experiments
import Foundation

/// Set by SIGINT while a sweep runs; the scheduler polls it.
nonisolated(unsafe) private var interruptRequested: sig_atomic_t = 0

/// Runs a sweep's unfinished trials as child `runner run` processes, up to `workers` at once,
/// and reports each as it ends. A trial process dies with the sweep (`bindToSweep`); a trial
/// folder that another live process owns is left alone.
struct TrialScheduler {
  /// The environment variable that gives a trial process the sweep's process id.
  static let sweepVariable = "RECUR_SWEEP_PID"

  enum Outcome {
    /// Every trial ran, or `--fail-fast` stopped the sweep at a failure.
    case finished
    /// SIGINT stopped the sweep.
    case interrupted
  }

  private struct Worker {
    var trial: SweepTrial
    var process: Process
    var started: Date
  }

  let sweep: SweepDirectory
  let workers: Int
  let failFast: Bool
  let environment: [String: String]
  let executable: URL

  init(sweep: SweepDirectory, workers: Int, failFast: Bool, blasThreads: Int) throws {
    self.sweep = sweep
    self.workers = workers
    self.failFast = failFast
    var environment = ProcessInfo.processInfo.environment
    environment["OPENBLAS_NUM_THREADS"] = String(blasThreads)
    environment[Self.sweepVariable] = String(getpid())
    self.environment = environment
    executable = Self.currentExecutable()
  }

  /// This process's executable: /proc/self/exe where there is one, else argv[0].
  static func currentExecutable() -> URL {
    if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
      return URL(fileURLWithPath: path)
    }
    return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
  }

  /// Runs the trials that are not final, in order; rewrites the results after each one ends.
  mutating func run() throws -> Outcome {
    let rows = sweep.rows()
    var pending = sweep.plan.trials.filter { !rows[$0.number - 1].status.isFinal }
    let total = sweep.plan.trials.count
    var done = total - pending.count
    var failures = 0
    let skipped = done
    if skipped > 0 {
      Console.line(
        "resuming: \(skipped) of \(total) trials already finished, \(pending.count) to run")
    }
    try sweep.writeResults(rows)
    if pending.isEmpty { return .finished }

    interruptRequested = 0
    let previous = signal(SIGINT) { _ in interruptRequested = 1 }
    defer { signal(SIGINT, previous) }

    var running: [Worker] = []
    var stopping = false
    var durations: [Double] = []
    while !pending.isEmpty || !running.isEmpty {
      if interruptRequested != 0, !stopping {
        stopping = true
        Console.error("\nstopping: interrupting \(running.count) running trials\n")
        for worker in running where worker.process.isRunning { worker.process.interrupt() }
      }
      while !stopping, running.count < workers, !pending.isEmpty {
        guard let worker = try start(pending.removeFirst()) else { continue }
        running.append(worker)
        try sweep.writeResults(sweep.rows(running: Set(running.map(\.trial.number))))
      }
      var index = 0
      while index < running.count {
        let worker = running[index]
        guard !worker.process.isRunning else {
          index += 1
          continue
        }
        running.remove(at: index)
        let row = SweepResults.row(
          for: worker.trial, in: sweep.folder(of: worker.trial),
          objective: sweep.plan.spec.objective)
        let seconds = Date().timeIntervalSince(worker.started)
        durations.append(seconds)
        done += 1
        var status = row.status
        var message = row.message
        if status == .interrupted || status == .pending {
          // Killed by a signal, or stopped by one after writing a checkpoint (exit 128 + n).
          let signalled =
            worker.process.terminationReason == .uncaughtSignal
            || [SIGINT, SIGTERM].map(StopRequest.exitCode).contains(
              worker.process.terminationStatus)
          status = signalled ? .interrupted : .failed
          if status == .failed {
            message = lastLine(
              of: sweep.folder(of: worker.trial).appendingPathComponent("runner.log"))
          }
        }
        try sweep.writeResults(sweep.rows(running: Set(running.map(\.trial.number))))
        switch status {
        case .completed:
          Console.line(
            "\(worker.trial.folderName) completed in \(Format.fixed(seconds, 1)) s: "
              + "\(sweep.plan.spec.objective.name) "
              + (row.best.map { Format.fixed($0, 4) } ?? "–"))
        case .interrupted:
          done -= 1
          Console.line("\(worker.trial.folderName) interrupted")
        default:
          failures += 1
          Console.error(
            "\(worker.trial.folderName) \(status.rawValue): \(message ?? "no message")\n")
          if failFast, !stopping {
            stopping = true
            pending.removeAll()
          }
        }
        let left = pending.count + running.count
        let eta =
          durations.isEmpty
          ? "–"
          : Self.duration(
            durations.reduce(0, +) / Double(durations.count) * Double(left)
              / Double(min(workers, max(left, 1))))
        Console.line(
          "  \(done)/\(total) done, \(running.count) running, \(failures) failed, ETA \(eta)")
      }
      if !running.isEmpty || !pending.isEmpty { usleep(20_000) }
      if stopping, running.isEmpty, interruptRequested != 0 { return .interrupted }
      if stopping, running.isEmpty { break }
    }
    return .finished
  }

  /// Starts a trial in its folder, emptied but for its lock file, holding its resolved spec; its
  /// output goes to `runner.log` there. Nil, changing nothing, when another live process owns
  /// the folder.
  private func start(_ trial: SweepTrial) throws -> Worker? {
    let folder = sweep.folder(of: trial)
    do {
      try prepare(trial, in: folder)
    } catch let busy as FolderInUse {
      Console.error("\(trial.folderName) left alone: \(busy)\n")
      return nil
    }
    let logURL = folder.appendingPathComponent("runner.log")
    guard let log = FileHandle(forWritingAtPath: logURL.path) else {
      throw RunFileError(path: logURL.path, reason: "cannot be opened for writing")
    }
    defer { try? log.close() }
    let process = Process()
    process.executableURL = executable
    process.arguments = [
      "run", folder.appendingPathComponent("spec.yaml").path, "--quiet", "--run-directory",
      folder.path,
    ]
    process.environment = environment
    process.standardOutput = log
    process.standardError = log
    process.standardInput = FileHandle.nullDevice
    do {
      try process.run()
    } catch {
      throw RunFileError(path: executable.path, error: error)
    }
    return Worker(trial: trial, process: process, started: Date())
  }

  /// Owns the trial's folder while it empties it (what a failed or interrupted attempt left)
  /// and writes its spec and an empty `runner.log`. The lock goes with the directory value on
  /// return, for the trial process to take: the sweep's own lock keeps other sweeps out
  /// meanwhile.
  private func prepare(_ trial: SweepTrial, in folder: URL) throws {
    let directory = try RunDirectory.own(folder)
    try directory.removeContents()
    try directory.write(trial.spec.yamlText(), to: "spec.yaml")
    try directory.write(Data(), to: "runner.log")
  }

  /// In a trial process, one whose environment names its sweep (`sweepVariable`): binds the
  /// process's life to the sweep's, so that a sweep stopped by any signal, SIGKILL included,
  /// takes its trials with it (`cprocess_die_with_parent`), and exits at once, touching nothing,
  /// when the sweep is already gone. The variable is removed from the environment.
  static func bindToSweep() {
    guard let value = getenv(sweepVariable).map({ String(cString: $0) }) else { return }
    unsetenv(sweepVariable)
    guard let sweep = Int32(value), sweep > 1 else {
      Console.error("error: \(sweepVariable)=\(value) is not a process id\n")
      Foundation.exit(Exit.usage.rawValue)
    }
    switch cprocess_die_with_parent(sweep) {
    case 0: return
    case 1: Console.error("error: the sweep that started this trial (pid \(sweep)) has exited\n")
    default:
      Console.error(
        "error: cannot bind this trial to its sweep (pid \(sweep)): "
          + "\(String(cString: strerror(errno)))\n")
    }
    Foundation.exit(Exit.failure.rawValue)
  }

  private func lastLine(of url: URL) -> String? {
    guard let text = try? String(contentsOf: url, encoding: .utf8) else { return nil }
    return text.split(separator: "\n").last { $0.contains("error") }.map(String.init)
      ?? text.split(separator: "\n").last.map(String.init)
  }

  /// `1:05` or `2:03:10`.
  static func duration(_ seconds: Double) -> String {
    let total = Int(seconds.rounded())
    let (hours, minutes, rest) = (total / 3600, total / 60 % 60, total % 60)
    let twoDigits = { (value: Int) in value < 10 ? "0\(value)" : String(value) }
    return hours > 0
      ? "\(hours):\(twoDigits(minutes)):\(twoDigits(rest))" : "\(minutes):\(twoDigits(rest))"
  }
}

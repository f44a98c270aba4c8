import Experiments
import Foundation

/// Set by SIGINT while a sweep runs; the scheduler polls it.
nonisolated(unsafe) private var interruptRequested: sig_atomic_t = 0

/// Runs a sweep's unfinished trials as child `runner run` processes, up to `workers` at once,
/// and reports each as it ends.
struct TrialScheduler {
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
        let trial = pending.removeFirst()
        running.append(try start(trial))
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
          status = worker.process.terminationReason == .uncaughtSignal ? .interrupted : .failed
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

  /// Starts a trial in a fresh folder holding its resolved spec; its output goes to
  /// `runner.log` there.
  private func start(_ trial: SweepTrial) throws -> Worker {
    let folder = sweep.folder(of: trial)
    if FileManager.default.fileExists(atPath: folder.path) {
      try FileManager.default.removeItem(at: folder)
    }
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let specURL = folder.appendingPathComponent("spec.yaml")
    try Data(trial.spec.yamlText().utf8).write(to: specURL)
    let logURL = folder.appendingPathComponent("runner.log")
    try Data().write(to: logURL)
    let log = try FileHandle(forWritingTo: logURL)
    let process = Process()
    process.executableURL = executable
    process.arguments = ["run", specURL.path, "--quiet", "--run-directory", folder.path]
    process.environment = environment
    process.standardOutput = log
    process.standardError = log
    process.standardInput = FileHandle.nullDevice
    try process.run()
    try log.close()
    return Worker(trial: trial, process: process, started: Date())
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

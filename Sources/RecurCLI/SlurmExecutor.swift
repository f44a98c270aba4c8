import Experiments
import Foundation

/// Runs a command found on PATH and captures what it printed; nil when it cannot be started.
struct ExternalCommand {
  var status: Int32
  var output: String
  var errors: String

  static func run(_ name: String, _ arguments: [String]) -> ExternalCommand? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [name] + arguments
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    process.standardInput = FileHandle.nullDevice
    do {
      try process.run()
    } catch {
      return nil
    }
    // Read both pipes before waiting, so that a long output cannot block the command.
    let errorData = ThreadedRead(errors.fileHandleForReading)
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    // env exits 127 when the command is not on PATH.
    guard process.terminationStatus != 127 else { return nil }
    return ExternalCommand(
      status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
      errors: String(decoding: errorData.wait(), as: UTF8.self))
  }
}

/// Reads a file handle to its end on a thread of its own.
private final class ThreadedRead: @unchecked Sendable {
  private var data = Data()
  private let done = DispatchSemaphore(value: 0)

  init(_ handle: FileHandle) {
    Thread.detachNewThread { [self] in
      data = handle.readDataToEndOfFile()
      done.signal()
    }
  }

  func wait() -> Data {
    done.wait()
    return data
  }
}

/// A sweep's trials as Slurm array tasks: the job script, the submission, and where each
/// submitted task stands. Task N of an array runs `trial-NNN` of the sweep folder with
/// `runner trial`; the jobs submitted are recorded in `slurm/jobs.tsv`.
struct SlurmExecutor {
  static let scriptName = SlurmJobArray.scriptName
  static let jobsName = "slurm/jobs.tsv"

  /// One submission: its array job id and the trial numbers it holds.
  struct Job: Equatable {
    var id: String
    var trials: [Int]
  }

  /// What Slurm says of one array task: its state (`PENDING`, `RUNNING`, …) and the reason.
  struct TaskState: Equatable {
    var job: String
    var state: String
    var reason: String

    var isQueued: Bool {
      [
        "PENDING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "CONFIGURING", "RESIZING",
        "SUSPENDED",
      ].contains(state)
    }
    var isRunning: Bool { ["RUNNING", "COMPLETING", "STAGE_OUT", "SIGNALING"].contains(state) }
  }

  /// The jobs recorded in `slurm/jobs.tsv`: a line per submission, `<job id>\t<array spec>`.
  static func jobs(in sweep: URL) -> [Job] {
    guard
      let text = try? String(
        contentsOf: sweep.appendingPathComponent(jobsName), encoding: .utf8)
    else { return [] }
    return text.split(separator: "\n").compactMap { line in
      let fields = line.split(separator: "\t").map(String.init)
      guard fields.count >= 2, let trials = SlurmJobArray.numbers(inArraySpec: fields[1]) else {
        return nil
      }
      return Job(id: fields[0], trials: trials)
    }
  }

  /// Per trial number, the latest recorded job that holds it.
  static func latestJob(of jobs: [Job]) -> [Int: String] {
    var latest: [Int: String] = [:]
    for job in jobs {
      for trial in job.trials { latest[trial] = job.id }
    }
    return latest
  }

  /// Per trial number, what `squeue` says of its task in the latest job that holds it; tasks it
  /// does not list have ended. Nil when squeue cannot be asked.
  static func queue(_ jobs: [Job]) -> [Int: TaskState]? {
    guard !jobs.isEmpty else { return [:] }
    let latest = latestJob(of: jobs)
    // All of the user's tasks: asking by job id fails once a job has left Slurm's memory.
    guard let result = ExternalCommand.run("squeue", ["-h", "-r", "-o", "%F|%K|%T|%r"]),
      result.status == 0
    else { return nil }
    var states: [Int: TaskState] = [:]
    for line in result.output.split(separator: "\n") {
      let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
      guard fields.count >= 4, let task = Int(fields[1]), latest[task] == fields[0] else {
        continue
      }
      states[task] = TaskState(job: fields[0], state: fields[2], reason: fields[3])
    }
    return states
  }

  /// How a task that left no manifest ended, from `sacct` where accounting is configured, and
  /// the last line of its output file.
  static func ending(of trial: Int, job: String, sweep: URL) -> String {
    var parts: [String] = []
    if let result = ExternalCommand.run(
      "sacct", ["-n", "-P", "-X", "-j", "\(job)_\(trial)", "-o", "State,ExitCode"]),
      result.status == 0,
      let line = result.output.split(separator: "\n").first
    {
      parts.append("Slurm says \(line.replacingOccurrences(of: "|", with: ", exit "))")
    } else {
      parts.append("no accounting record")
    }
    let log = sweep.appendingPathComponent("slurm/\(job)_\(trial).out")
    if let text = try? String(contentsOf: log, encoding: .utf8),
      let last = text.split(separator: "\n").last
    {
      parts.append("slurm/\(log.lastPathComponent): \(last)")
    }
    return "the Slurm task \(job)_\(trial) ended without a manifest ("
      + parts.joined(separator: "; ") + ")"
  }

  /// The rows of the trial folders, corrected by what Slurm says: a trial whose task waits is
  /// `queued`; one whose task runs is `running`; one submitted, not in the queue and without a
  /// manifest is `failed`, with how its task ended. Without Slurm (`queue` nil, or no job
  /// recorded), the rows are the folders'.
  static func rows(_ sweep: SweepDirectory, queue: [Int: TaskState]?) -> [SweepRow] {
    let latest = latestJob(of: jobs(in: sweep.url))
    return sweep.rows().map { row in
      var row = row
      guard let job = latest[row.trial], !row.status.isFinal else { return row }
      if let task = queue?[row.trial] {
        if task.isQueued, row.status != .running {
          row.status = .queued
          row.message =
            "job \(job)_\(row.trial) \(task.state.lowercased())"
            + (task.reason == "None" ? "" : " (\(task.reason))")
        } else if task.isRunning {
          row.status = .running
          row.message = "job \(job)_\(row.trial) running"
        }
      } else if queue != nil, row.status == .pending {
        row.status = .failed
        row.message = ending(of: row.trial, job: job, sweep: sweep.url)
      }
      return row
    }
  }

  /// Writes `slurm/array.sh`, gets every trial to submit ready (a pending or failed trial's
  /// folder emptied and given its spec; an interrupted one kept for its checkpoint), submits
  /// them as one array job and records it. Returns the job id.
  static func submit(
    _ trials: [SweepTrial], of sweep: SweepDirectory, rows: [SweepRow], options: SlurmOptions
  ) throws -> String {
    let folder = sweep.url.appendingPathComponent("slurm", isDirectory: true)
    do {
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    } catch {
      throw RunFileError(path: folder.path, error: error)
    }
    let files = RunDirectory(url: folder, id: "slurm")
    let script = sweep.url.appendingPathComponent(scriptName)
    try files.write(
      SlurmJobArray.script(
        sweepID: sweep.plan.id, folder: sweep.url, options: options,
        runner: TrialScheduler.currentExecutable(),
        workingDirectory: FileManager.default.currentDirectoryPath),
      to: "array.sh")
    chmod(script.path, 0o755)
    for trial in trials where rows[trial.number - 1].status != .interrupted {
      let directory = try RunDirectory.own(sweep.folder(of: trial))
      try directory.removeContents()
      try directory.write(trial.spec.yamlText(), to: "spec.yaml")
    }
    let numbers = trials.map(\.number)
    let arguments = SlurmJobArray.sbatchArguments(
      trials: numbers, maxParallel: options.maxParallel, script: script)
    guard let result = ExternalCommand.run("sbatch", arguments) else {
      throw SlurmError("sbatch is not on PATH: is this a Slurm login node?")
    }
    guard result.status == 0,
      let job = result.output.split(separator: "\n").last?.split(separator: ";").first
        .map(String.init), Int(job) != nil
    else {
      throw SlurmError(
        "sbatch \(arguments.joined(separator: " ")) failed (exit \(result.status)): "
          + (result.errors + result.output).trimmingCharacters(in: .whitespacesAndNewlines))
    }
    let recorded = jobs(in: sweep.url) + [Job(id: job, trials: numbers)]
    try files.write(
      recorded.map { "\($0.id)\t\(SlurmJobArray.arraySpec($0.trials, maxParallel: nil))\n" }
        .joined(),
      to: "jobs.tsv")
    return job
  }
}

/// Slurm refused or could not be asked.
struct SlurmError: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}

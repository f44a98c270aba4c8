import Foundation
import Testing

/// `runner sweep` end to end on tiny sweeps: what runs, what resumes, what is written.
@Suite struct SweepTests {
  static let spec = """
    name: tiny
    seed: 1
    dataset:
      type: synthetic-tagging
      train_sequences: 20
      dev_sequences: 10
      test_sequences: 5
      max_length: 8
    model:
      type: rnn
      hidden: 4
    optimizer:
      type: sgd
    training:
      epochs: 2
    output:
      dir: out
    sweep:
      seeds: [1, 2]
      metric: {name: dev.accuracy}
      parameters:
        optimizer.learning_rate: [0.1, 0.05]

    """

  /// Two trials long enough (about a second each in a debug build) to be caught training.
  static let longer = """
    name: tiny
    seed: 1
    dataset:
      type: synthetic-tagging
      train_sequences: 1500
      dev_sequences: 10
      test_sequences: 5
      max_length: 8
    model:
      type: rnn
      hidden: 8
    optimizer:
      type: sgd
    training:
      epochs: 6
    output:
      dir: out
    sweep:
      seeds: [1, 2]
      metric: {name: dev.accuracy}
      parameters:
        optimizer.learning_rate: [0.1]

    """

  /// The one sweep folder under `out/tiny/`.
  static func sweepFolder(in workspace: URL) throws -> URL {
    let parent = workspace.appendingPathComponent("out/tiny")
    let names = try FileManager.default.contentsOfDirectory(atPath: parent.path)
    #expect(names.count == 1)
    return parent.appendingPathComponent(try #require(names.first))
  }

  static func manifest(_ sweep: URL, _ trial: String) throws -> [String: Any] {
    try RunnerTests.json(sweep.appendingPathComponent("\(trial)/manifest.json"))
  }

  static func csv(_ url: URL) throws -> [[String]] {
    try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map {
      $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }
  }

  @Test func aSweepRunsEveryTrialAndResumesOnlyTheUnfinished() throws {
    let workspace = try RunnerTests.workspace(Self.spec)
    let first = try RunnerProcess.run(["sweep", "spec.yaml", "--workers", "2"], in: workspace)
    #expect(first.status == 0, "\(first.errors)")
    #expect(first.output.contains("4/4 done"))
    let sweep = try Self.sweepFolder(in: workspace)
    let record = try RunnerTests.json(sweep.appendingPathComponent("sweep.json"))
    let trials = try #require(record["trials"] as? [[String: Any]])
    #expect(trials.map { $0["status"] as? String } == Array(repeating: "completed", count: 4))
    let names = ["trial-001", "trial-002", "trial-003", "trial-004"]
    var started: [String: String] = [:]
    for (name, trial) in zip(names, trials) {
      let manifest = try Self.manifest(sweep, name)
      #expect(manifest["status"] as? String == "completed")
      // The trial's identity is the hash of the spec the child ran.
      #expect(manifest["spec_sha256"] as? String == trial["spec_sha256"] as? String)
      started[name] = manifest["started"] as? String
    }
    #expect(trials.map { $0["seed"] as? Int } == [1, 2, 1, 2])

    // Interrupt trial 2 after the fact (its manifest left `running`) and lose trial 3.
    let manifestURL = sweep.appendingPathComponent("trial-002/manifest.json")
    let text = try String(contentsOf: manifestURL, encoding: .utf8)
    try text.replacingOccurrences(of: "\"completed\"", with: "\"running\"")
      .write(to: manifestURL, atomically: true, encoding: .utf8)
    try FileManager.default.removeItem(at: sweep.appendingPathComponent("trial-003"))

    let second = try RunnerProcess.run(["sweep", "spec.yaml", "--workers", "2"], in: workspace)
    #expect(second.status == 0, "\(second.errors)")
    #expect(second.output.contains("resuming: 2 of 4 trials already finished, 2 to run"))
    #expect(try Self.sweepFolder(in: workspace) == sweep)
    for name in names {
      let manifest = try Self.manifest(sweep, name)
      #expect(manifest["status"] as? String == "completed")
      let same = manifest["started"] as? String == started[name]
      #expect(same == (name == "trial-001" || name == "trial-004"), "\(name)")
    }

    let third = try RunnerProcess.run(["sweep", "spec.yaml"], in: workspace)
    #expect(third.status == 0)
    #expect(third.output.contains("resuming: 4 of 4 trials already finished, 0 to run"))
    let best = try String(contentsOf: sweep.appendingPathComponent("best.yaml"), encoding: .utf8)
    #expect(best.contains("learning_rate:"))
    let summary = try Self.csv(sweep.appendingPathComponent("summary.csv"))
    #expect(summary.count == 3)
    #expect(summary[1][2] == "2")
  }

  @Test func aDivergingTrialIsReportedAndTheOthersRun() throws {
    let workspace = try RunnerTests.workspace(
      Self.spec.replacingOccurrences(of: "[0.1, 0.05]", with: "[.inf, 0.05]"))
    let result = try RunnerProcess.run(["sweep", "spec.yaml"], in: workspace)
    #expect(result.status == 1)
    #expect(result.errors.contains("trial-001 diverged: training diverged"))
    #expect(result.errors.contains("trial-002 diverged: training diverged"))
    let rows = try Self.csv(try Self.sweepFolder(in: workspace).appendingPathComponent("sweep.csv"))
    #expect(rows.dropFirst().map { $0[3] } == ["diverged", "diverged", "completed", "completed"])

    let workspace2 = try RunnerTests.workspace(
      Self.spec.replacingOccurrences(of: "[0.1, 0.05]", with: "[.inf, 0.05]"))
    let stopped = try RunnerProcess.run(["sweep", "spec.yaml", "--fail-fast"], in: workspace2)
    #expect(stopped.status == 1)
    let statuses = try Self.csv(
      try Self.sweepFolder(in: workspace2).appendingPathComponent("sweep.csv")
    ).dropFirst().map { $0[3] }
    #expect(statuses == ["diverged", "pending", "pending", "pending"])
  }

  /// A trial folder that another live process owns (here the test, holding its lock as a
  /// `runner resume` of it would) is neither read as interrupted nor touched.
  @Test func aTrialFolderAnotherProcessOwnsIsLeftAlone() throws {
    let workspace = try RunnerTests.workspace(Self.spec)
    let first = try RunnerProcess.run(["sweep", "spec.yaml", "sweep.seeds=[1]"], in: workspace)
    #expect(first.status == 0, "\(first.errors)")
    let sweep = try Self.sweepFolder(in: workspace)
    let trial = sweep.appendingPathComponent("trial-002")
    let manifestURL = trial.appendingPathComponent("manifest.json")
    let text = try String(contentsOf: manifestURL, encoding: .utf8)
      .replacingOccurrences(of: "\"completed\"", with: "\"running\"")
    try text.write(to: manifestURL, atomically: true, encoding: .utf8)
    let files = try FileManager.default.contentsOfDirectory(atPath: trial.path).sorted()

    let descriptor = open(trial.appendingPathComponent(".lock").path, O_RDWR)
    try #require(descriptor >= 0)
    defer { close(descriptor) }
    try #require(flock(descriptor, LOCK_EX | LOCK_NB) == 0)
    let pid = Array("\(getpid())\n".utf8)
    try #require(
      ftruncate(descriptor, 0) == 0 && pwrite(descriptor, pid, pid.count, 0) == pid.count)
    let held = try RunnerProcess.run(["sweep", "spec.yaml", "sweep.seeds=[1]"], in: workspace)
    #expect(held.status == 1)
    #expect(
      held.errors.contains(
        "trial-002 left alone: \(trial.path) is in use by runner process \(getpid())"),
      "\(held.errors)")
    #expect(try String(contentsOf: manifestURL, encoding: .utf8) == text)
    #expect(try FileManager.default.contentsOfDirectory(atPath: trial.path).sorted() == files)
    let rows = try Self.csv(sweep.appendingPathComponent("sweep.csv"))
    #expect(rows[2][3] == "running")
    #expect(rows[2].last == "in use by runner process \(getpid())")

    flock(descriptor, LOCK_UN)
    let after = try RunnerProcess.run(["sweep", "spec.yaml", "sweep.seeds=[1]"], in: workspace)
    #expect(after.status == 0, "\(after.errors)")
    #expect(after.output.contains("resuming: 1 of 2 trials already finished, 1 to run"))
    #expect(try Self.manifest(sweep, "trial-002")["status"] as? String == "completed")
  }

  @Test func aFolderOfAnotherSweepIsRefused() throws {
    let workspace = try RunnerTests.workspace(Self.spec)
    let first = try RunnerProcess.run(
      ["sweep", "spec.yaml", "--directory", "here", "sweep.seeds=[1]"], in: workspace)
    #expect(first.status == 0, "\(first.errors)")
    let second = try RunnerProcess.run(
      ["sweep", "spec.yaml", "--directory", "here", "training.epochs=1"], in: workspace)
    #expect(second.status == 2)
    #expect(second.errors.contains("here holds a different sweep"))
  }

  @Test func dryRunListsTheTrialsAndRunsNothing() throws {
    let workspace = try RunnerTests.workspace(Self.spec)
    let result = try RunnerProcess.run(["sweep", "spec.yaml", "--dry-run"], in: workspace)
    #expect(result.status == 0, "\(result.errors)")
    let lines = result.output.split(separator: "\n").map {
      $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
    }
    #expect(lines[1].prefix(3) == ["trial", "optimizer.learning_rate", "seed"])
    #expect(
      lines.dropFirst(2).map { Array($0.prefix(3)) } == [
        ["001", "0.1", "1"], ["002", "0.1", "2"], ["003", "0.05", "1"], ["004", "0.05", "2"],
      ])
    #expect(!FileManager.default.fileExists(atPath: workspace.appendingPathComponent("out").path))
  }

  static func trials(_ sweep: URL) -> [URL] {
    ["trial-001", "trial-002"].map { sweep.appendingPathComponent($0) }
  }

  /// Starts `runner sweep` into `folder`, waits until both its trials train, and kills it with
  /// SIGKILL: the sweep process alone, or its whole process group. Checks that the trials died
  /// with it, mid-training; returns the pids of the sweep and of its trials.
  static func killMidSweep(
    in workspace: URL, folder: String, group: Bool
  ) throws -> (sweep: Int32, trials: [Int32]) {
    let sweep = try RunnerProcess.start(
      ["sweep", "spec.yaml", "--workers", "2", "--directory", folder], in: workspace)
    let trials = Self.trials(workspace.appendingPathComponent(folder))
    var pids: [Int32] = []
    let training = RunnerProcess.wait(seconds: 60) {
      pids = trials.compactMap(RunnerProcess.lockHolder).filter {
        $0 != sweep.processIdentifier && RunnerProcess.isAlive($0)
      }
      return pids.count == 2
        && trials.allSatisfy {
          FileManager.default.fileExists(atPath: $0.appendingPathComponent("manifest.json").path)
        }
    }
    try #require(training, "the trials were not caught training")
    if group {
      // Foundation starts a child in a process group of its own.
      try #require(getpgid(sweep.processIdentifier) == sweep.processIdentifier)
      kill(-sweep.processIdentifier, SIGKILL)
    } else {
      kill(sweep.processIdentifier, SIGKILL)
    }
    sweep.waitUntilExit()
    #expect(sweep.terminationReason == .uncaughtSignal)
    // The kernel kills the trials as the sweep dies; their exit takes a moment.
    let gone = RunnerProcess.wait(seconds: 2) { !pids.contains(where: RunnerProcess.isAlive) }
    #expect(gone, "trials outlived their sweep: \(pids.filter(RunnerProcess.isAlive))")
    let statuses = try trials.map {
      try RunnerTests.json($0.appendingPathComponent("manifest.json"))["status"] as? String
    }
    #expect(statuses.contains("running"), "no trial was killed mid-training: \(statuses)")
    return (sweep.processIdentifier, pids)
  }

  /// Every trial of the sweep in `folder` left what the trial of the same number left in
  /// `reference`: the same files, metrics (but the wall-clock columns) and weights, and the
  /// same rows in `sweep.csv` (but the seconds).
  static func expectSameResults(_ folder: URL, as reference: URL) throws {
    let manager = FileManager.default
    for (trial, expected) in zip(Self.trials(folder), Self.trials(reference)) {
      let name = trial.lastPathComponent
      // The TensorBoard event file is named after the time it was started.
      func files(_ folder: URL) throws -> [String] {
        try manager.contentsOfDirectory(atPath: folder.path).map {
          $0.hasPrefix("events.out.tfevents.") ? "events.out.tfevents" : $0
        }.sorted()
      }
      #expect(try files(trial) == files(expected), "\(name)")
      let rows = try RunnerTests.csvRows(trial)
      #expect(rows.first?.suffix(2) == ["seconds", "tokens_per_second"])
      #expect(rows.count == 1 + 6 * 3)
      #expect(
        rows.map { Array($0.prefix(5)) }
          == (try RunnerTests.csvRows(expected)).map { Array($0.prefix(5)) }, "\(name)")
      for file in ["model.safetensors", "spec.yaml", "confusion-dev.csv"] {
        #expect(
          try Data(contentsOf: trial.appendingPathComponent(file))
            == Data(contentsOf: expected.appendingPathComponent(file)), "\(name)/\(file)")
      }
      let manifest = try RunnerTests.json(trial.appendingPathComponent("manifest.json"))
      #expect(manifest["status"] as? String == "completed", "\(name)")
    }
    func timeless(_ sweep: URL) throws -> [[String]] {
      let rows = try Self.csv(sweep.appendingPathComponent("sweep.csv"))
      let seconds = try #require(rows.first?.firstIndex(of: "seconds"))
      return rows.map { row in row.enumerated().filter { $0.offset != seconds }.map(\.element) }
    }
    let rows = try timeless(folder)
    #expect(rows.dropFirst().map { $0[3] } == ["completed", "completed"])
    #expect(rows == (try timeless(reference)))
  }

  /// SIGKILL of a sweep, and of its whole process group, mid-training: its trials die with it,
  /// and the rerun ends with what an uninterrupted sweep leaves. A second sweep on the folder
  /// while the rerun runs is refused; temporaries of the killed processes are removed; a
  /// completed trial whose model is gone runs again.
  @Test func aKilledSweepLosesNothing() throws {
    let workspace = try RunnerTests.workspace(Self.longer)
    let straight = try RunnerProcess.run(
      ["sweep", "spec.yaml", "--workers", "2", "--directory", "straight"], in: workspace)
    #expect(straight.status == 0, "\(straight.errors)")
    let reference = workspace.appendingPathComponent("straight")
    let manager = FileManager.default

    for (folder, group) in [("killed", false), ("grouped", true)] {
      let killed = try Self.killMidSweep(in: workspace, folder: folder, group: group)
      let sweep = workspace.appendingPathComponent(folder)
      let trial = sweep.appendingPathComponent("trial-001")
      let stale = [
        sweep.appendingPathComponent(".sweep.csv.tmp-\(killed.sweep)"),
        trial.appendingPathComponent(".metrics.csv.tmp-\(killed.trials[0])"),
        trial.appendingPathComponent(".checkpoint.tmp-\(killed.trials[0])"),
      ]
      try Data("trial,optim".utf8).write(to: stale[0])
      try Data("epoch,sp".utf8).write(to: stale[1])
      // The killed trial may have left this very folder itself.
      try manager.createDirectory(at: stale[2], withIntermediateDirectories: true)
      try Data([0, 1]).write(to: stale[2].appendingPathComponent("model.safetensors"))

      // One trial at a time the first time round, so that the rerun lasts long enough for a
      // second sweep to meet it.
      let rerun = try RunnerProcess.start(
        ["sweep", "spec.yaml", "--workers", group ? "2" : "1", "--directory", folder],
        in: workspace)
      if !group {
        let owned = RunnerProcess.wait(seconds: 30) {
          RunnerProcess.lockHolder(sweep) == rerun.processIdentifier
        }
        #expect(owned)
        let second = try RunnerProcess.run(
          ["sweep", "spec.yaml", "--directory", folder], in: workspace)
        #expect(second.status == 2)
        #expect(
          second.errors.contains(
            "\(sweep.path) is in use by runner process \(rerun.processIdentifier)"),
          "\(second.errors)")
        #expect(rerun.isRunning, "the rerun ended before a second sweep could meet it")
      }
      rerun.waitUntilExit()
      #expect(rerun.terminationStatus == 0)
      try Self.expectSameResults(sweep, as: reference)
      for url in stale {
        #expect(!manager.fileExists(atPath: url.path), "\(url.lastPathComponent)")
      }
    }

    let sweep = workspace.appendingPathComponent("killed")
    let damaged = sweep.appendingPathComponent("trial-001")
    let started = try RunnerTests.json(damaged.appendingPathComponent("manifest.json"))["started"]
    try manager.removeItem(at: damaged.appendingPathComponent("model.safetensors"))
    let repaired = try RunnerProcess.run(
      ["sweep", "spec.yaml", "--directory", "killed"], in: workspace)
    #expect(repaired.status == 0, "\(repaired.errors)")
    #expect(repaired.output.contains("resuming: 1 of 2 trials already finished, 1 to run"))
    let restarted = try RunnerTests.json(damaged.appendingPathComponent("manifest.json"))
    #expect(restarted["started"] as? String != started as? String)
    try Self.expectSameResults(sweep, as: reference)
  }
}

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
}

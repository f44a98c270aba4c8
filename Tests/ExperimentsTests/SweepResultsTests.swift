import Experiments
import Foundation
import Recur
import Testing
import YAMLSpec

@Suite struct SweepResultsTests {
  static let accuracy = SweepSpec.Objective(split: .dev, metric: "accuracy", goal: .max)

  static func row(
    _ trial: Int, _ configuration: Int, best: Double, status: TrialStatus = .completed
  )
    -> SweepRow
  {
    SweepRow(
      trial: trial, configuration: configuration, parameters: ["c\(configuration)"], seed: 1,
      status: status, best: best, final: best - 0.1)
  }

  @Test func configurationsAreAggregatedOverSeedsAndRanked() throws {
    let rows = [
      Self.row(1, 0, best: 0.5), Self.row(2, 0, best: 0.7), Self.row(3, 0, best: 0.9),
      Self.row(4, 1, best: 0.8), Self.row(5, 1, best: 0.9),
      Self.row(6, 1, best: 0.99, status: .failed),
      Self.row(7, 2, best: 0.1, status: .diverged),
    ]
    let summary = SweepResults.summarize(rows, objective: Self.accuracy)
    #expect(summary.map(\.configuration) == [1, 0, 2])
    // Configuration 1: the failed seed is left out; mean (0.8 + 0.9)/2 = 0.85, sample standard
    // deviation √(((−0.05)² + 0.05²)/(2 − 1)) = √0.005 ≈ 0.0707107.
    #expect(summary[0].n == 2)
    #expect(abs(summary[0].best!.mean - 0.85) < 1e-12)
    #expect(abs(summary[0].best!.standardDeviation! - 0.005.squareRoot()) < 1e-12)
    #expect(summary[0].trials == [4, 5, 6])
    // Configuration 0: mean (0.5 + 0.7 + 0.9)/3 = 0.7; √((0.04 + 0 + 0.04)/2) = 0.2.
    #expect(abs(summary[1].best!.mean - 0.7) < 1e-12)
    #expect(abs(summary[1].best!.standardDeviation! - 0.2) < 1e-12)
    #expect(abs(summary[1].final!.mean - 0.6) < 1e-12)
    #expect(summary[2].n == 0)
    #expect(summary[2].best == nil)

    let byLoss = SweepResults.summarize(
      rows, objective: .init(split: .dev, metric: "loss", goal: .min))
    #expect(byLoss.map(\.configuration) == [0, 1, 2])
  }

  /// `sweep.csv` and `summary.csv` quote through `CSV.field`: a list-valued parameter (commas),
  /// a message with quotes and a line break read back field for field.
  @Test func csvFilesReadBackThroughTheCSVReader() throws {
    let document = try SpecNode.parse(
      """
      name: s
      dataset: {type: synthetic-tagging}
      model: {type: rnn, hidden: 4}
      optimizer: {type: sgd}
      training: {epochs: 1}
      sweep:
        seeds: [1]
        metric: {name: dev.accuracy}
        parameters:
          training.metrics: [[accuracy, sequence_accuracy], [accuracy]]

      """, sourceName: "s.yaml")
    let spec = try SweepSpec(document: document)
    let message = "failed: \"x\" was\r\nnot found"
    let rows = [
      SweepRow(
        trial: 1, configuration: 0, parameters: ["[accuracy, sequence_accuracy]"], seed: 1,
        status: .failed, message: message),
      SweepRow(
        trial: 2, configuration: 1, parameters: ["[accuracy]"], seed: 1, status: .completed,
        best: 0.5, bestEpoch: 1, final: 0.25),
    ]
    func read(_ text: String) throws -> [[String]] {
      try CSV.records(in: TextFile(path: "t.csv", bytes: Array(text.utf8))).map(\.fields)
    }
    let trials = try read(SweepResults.csv(rows, spec: spec))
    #expect(trials.count == 3)
    #expect(trials.allSatisfy { $0.count == trials[0].count })
    #expect(trials[0].prefix(3) == ["trial", "training.metrics", "seed"])
    #expect(trials[1][1] == "[accuracy, sequence_accuracy]")
    #expect(trials[1].last == message)
    #expect(trials[2].prefix(4) == ["2", "[accuracy]", "1", "completed"])
    let summary = SweepResults.summarize(rows, objective: spec.objective)
    let configurations = try read(SweepResults.summaryCSV(summary, spec: spec))
    #expect(
      configurations.map { $0[1] } == [
        "training.metrics", "[accuracy]",
        "[accuracy, sequence_accuracy]",
      ])
  }

  @Test func oneSeedHasNoDeviation() {
    let single = MeanAndDeviation([0.25])
    #expect(single.mean == 0.25)
    #expect(single.standardDeviation == nil)
  }
}

/// The rows read from real trial folders: a completed trial counts only while every file it
/// promises exists, and one another process owns is not taken for interrupted.
@Suite struct SweepRowTests {
  struct Silent: RunObserver {
    func runStarted(_ experiment: Experiment, directory: RunDirectory, resumingAfter epoch: Int) {}
    func batchFinished(epoch: Int, batch: Int, of batches: Int) {}
    func epochFinished(_ records: [EpochRecord], of epochs: Int) {}
  }

  static func sweep() throws -> SweepDirectory {
    let plan = try SweepPlanTests.plan(
      """
      sweep:
        metric: {name: dev.accuracy}
        parameters:
          optimizer.learning_rate: [0.1, 0.05]

      """)
    let folder = try RunDirectoryTests.scratch().appendingPathComponent("sweep")
    let sweep = try SweepDirectory.open(plan, at: folder)
    for trial in plan.trials {
      let outcome = try ExperimentRun.run(
        try Experiment(spec: trial.spec), commandLine: ["test"], observer: Silent(),
        directory: sweep.folder(of: trial))
      #expect(outcome.status == .completed)
    }
    return sweep
  }

  @Test func aCompletedTrialMissingAPromisedFileIsFailedAndNotCounted() throws {
    let sweep = try Self.sweep()
    #expect(sweep.rows().map(\.status) == [.completed, .completed])
    let secondFolder = sweep.folder(of: sweep.plan.trials[1])
    let manifest = try JSONDecoder().decode(
      Manifest.self, from: Data(contentsOf: secondFolder.appendingPathComponent("manifest.json")))
    #expect(manifest.files?.contains("confusion-dev.csv") == true)
    #expect(manifest.files?.contains("manifest.json") == false)

    let manager = FileManager.default
    // One file every run promises, and one only the manifest's list names.
    try manager.removeItem(
      at: sweep.folder(of: sweep.plan.trials[0]).appendingPathComponent("model.safetensors"))
    try manager.removeItem(at: secondFolder.appendingPathComponent("confusion-dev.csv"))
    let rows = sweep.rows()
    #expect(rows.map(\.status) == [.failed, .failed])
    #expect(
      rows[0].message
        == "incomplete: the manifest says completed but model.safetensors is missing")
    #expect(rows[1].message?.contains("confusion-dev.csv is missing") == true)
    let summary = try sweep.writeResults(rows)
    #expect(summary.map(\.n) == [0, 0])
    #expect(!manager.fileExists(atPath: sweep.url.appendingPathComponent("best.yaml").path))
  }

  @Test func aRunningTrialIsInterruptedUnlessALiveProcessOwnsIt() throws {
    let sweep = try Self.sweep()
    let folder = sweep.folder(of: sweep.plan.trials[1])
    let manifestURL = folder.appendingPathComponent("manifest.json")
    let text = try String(contentsOf: manifestURL, encoding: .utf8)
    try text.replacingOccurrences(of: "\"completed\"", with: "\"running\"")
      .write(to: manifestURL, atomically: true, encoding: .utf8)
    #expect(sweep.rows()[1].status == .interrupted)
    var lock: FolderLock? = try FolderLock.acquire(folder)
    let row = sweep.rows()[1]
    #expect(row.status == .running)
    #expect(row.message == "in use by runner process \(getpid())")
    #expect(lock != nil)
    lock = nil
    #expect(sweep.rows()[1].status == .interrupted)
  }
}

import Foundation
import Testing

/// Hydra's override forms on the built `runner`: +key, ++key, ~key, and comma lists that sweep.
@Suite struct OverrideFormsTests {
  /// SweepTests' spec without its sweep: section.
  static let spec = String(
    SweepTests.spec[..<SweepTests.spec.range(of: "sweep:")!.lowerBound])

  @Test func validateAppliesEachForm() throws {
    let workspace = try RunnerTests.workspace(Self.spec)
    let result = try RunnerProcess.run(
      ["validate", "spec.yaml", "+model.bias=false", "++model.hidden=6", "~training.epochs"],
      in: workspace)
    #expect(result.status == 0, "\(result.errors)")
    #expect(result.output.contains("bias: false"))
    #expect(result.output.contains("hidden: 6"))
    // The removed key takes its default.
    #expect(result.output.contains("epochs: 10"))

    let exists = try RunnerProcess.run(["validate", "spec.yaml", "+model.hidden=6"], in: workspace)
    #expect(exists.status == 2)
    #expect(exists.errors.hasPrefix("<override 1>:1:8: error: cannot add 'model.hidden'"))
    #expect(exists.errors.contains("+model.hidden=6\n         ^"))
  }

  @Test func aCommaListOutsideASweepIsAnError() throws {
    let workspace = try RunnerTests.workspace(Self.spec)
    let result = try RunnerProcess.run(["spec.yaml", "model.hidden=4,8"], in: workspace)
    #expect(result.status == 2)
    #expect(
      result.errors.hasPrefix(
        "<override 1>:1:15: error: 'model.hidden=4,8' is a comma list of values"),
      "\(result.errors)")
    #expect(!FileManager.default.fileExists(atPath: workspace.appendingPathComponent("out").path))
  }

  @Test func commaListsSweepASpecWithoutASweepSection() throws {
    let workspace = try RunnerTests.workspace(Self.spec)
    let dryRun = try RunnerProcess.run(
      ["sweep", "spec.yaml", "optimizer.learning_rate=0.1,0.05", "seed=1,2", "--dry-run"],
      in: workspace)
    #expect(dryRun.status == 0, "\(dryRun.errors)")
    #expect(dryRun.output.contains("ranked by dev.loss (min)"))
    let lines = dryRun.output.split(separator: "\n").map {
      $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
    }
    #expect(lines[1].prefix(3) == ["trial", "optimizer.learning_rate", "seed"])
    #expect(
      lines.dropFirst(2).map { Array($0.prefix(3)) } == [
        ["001", "0.1", "1"], ["002", "0.1", "2"], ["003", "0.05", "1"], ["004", "0.05", "2"],
      ])

    // Run for real: every trial is a run directory with its own event file.
    let result = try RunnerProcess.run(
      ["sweep", "spec.yaml", "model.hidden=2,3", "training.epochs=1"], in: workspace)
    #expect(result.status == 0, "\(result.errors)")
    let sweep = try SweepTests.sweepFolder(in: workspace)
    for trial in ["trial-001", "trial-002"] {
      #expect(try EventFileSteps.steps(inRun: sweep.appendingPathComponent(trial)) == [0, 0, 1])
    }
    // Ranked by dev.loss, each trial's record has the loss once, with its best epoch.
    let document = try RunnerTests.json(sweep.appendingPathComponent("sweep.json"))
    let trials = try #require(document["trials"] as? [[String: Any]])
    #expect(trials.count == 2)
    let loss = try #require(trials.first?["dev.loss"] as? [String: Any])
    #expect(loss["best_epoch"] as? Int == 1)
    #expect((loss["best"] as? Double) == (loss["final"] as? Double))
  }
}

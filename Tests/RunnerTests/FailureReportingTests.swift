import Foundation
import Testing

/// What a run that stops early says and keeps: a divergence names what the run directory holds,
/// a failed write names what it was writing, and the manifest never stays `running`.
@Suite struct FailureReportingTests {
  static let spec = """
    name: failing
    seed: 1
    dataset:
      type: parity
      train_sequences: 64
      dev_sequences: 16
      test_sequences: 16
      max_length: 5
    model:
      type: rnn
      hidden: 4
    optimizer:
      type: sgd
      learning_rate: 0.05
    training:
      epochs: 3
      checkpoint_every: 2
    output:
      dir: out

    """

  static func workspace() throws -> URL {
    let directory = try RunnerProcess.scratchDirectory()
    try spec.write(
      to: directory.appendingPathComponent("spec.yaml"), atomically: true, encoding: .utf8)
    return directory
  }

  static func onlyRun(in workspace: URL) throws -> URL {
    let parent = workspace.appendingPathComponent("out/failing")
    let runs = try FileManager.default.contentsOfDirectory(atPath: parent.path)
    try #require(runs.count == 1)
    return parent.appendingPathComponent(runs[0])
  }

  static func manifest(_ run: URL) throws -> [String: Any] {
    let data = try Data(contentsOf: run.appendingPathComponent("manifest.json"))
    return try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
  }

  @Test func aRunThatDivergesInItsFirstEpochSaysItKeptNothing() throws {
    let workspace = try Self.workspace()
    defer { try? FileManager.default.removeItem(at: workspace) }
    let result = try RunnerProcess.run(
      ["spec.yaml", "optimizer.learning_rate=1e30", "--quiet"], in: workspace)
    #expect(result.status == 1)
    let run = try Self.onlyRun(in: workspace)
    let manifest = try Self.manifest(run)
    #expect(manifest["status"] as? String == "diverged")
    let message = try #require(manifest["message"] as? String)
    #expect(message.contains("of epoch 1"), "\(message)")
    #expect(message.hasSuffix("; no epoch finished, so the run kept no weights"), "\(message)")
    #expect(!message.contains("checkpoint holds"))
    #expect(result.output.contains("no epoch finished"))
    for file in ["checkpoint", "model.safetensors"] {
      #expect(!FileManager.default.fileExists(atPath: run.appendingPathComponent(file).path))
    }
    let evaluation = try RunnerProcess.run(["evaluate", run.path], in: workspace)
    #expect(evaluation.status == 2)
    #expect(evaluation.errors.contains("note: the run diverged: "))
    #expect(evaluation.errors.contains("no epoch finished"))
  }

  @Test func aRunThatDivergesLaterKeepsItsLastGoodModelForEvaluate() throws {
    let workspace = try Self.workspace()
    defer { try? FileManager.default.removeItem(at: workspace) }
    // The rate is 0.05 in epoch 1 and 0.05·10³⁰ from epoch 2: the loss is finite after
    // epoch 1, and not in epoch 2. The checkpoint (every 2 epochs) was never written.
    let result = try RunnerProcess.run(
      ["spec.yaml", "schedule.type=exponential", "schedule.gamma=1e30", "--quiet"],
      in: workspace)
    #expect(result.status == 1)
    let run = try Self.onlyRun(in: workspace)
    let message = try #require(try Self.manifest(run)["message"] as? String)
    #expect(message.contains("of epoch 2"), "\(message)")
    #expect(
      message.contains(
        "; model.safetensors holds the weights after epoch 1, the last with finite losses "
          + "(runner evaluate reads it)"), "\(message)")
    #expect(!message.contains("checkpoint/"))
    #expect(!FileManager.default.fileExists(atPath: run.appendingPathComponent("checkpoint").path))

    // Evaluated again, the kept model gives epoch 1's dev loss.
    let rows = try String(contentsOf: run.appendingPathComponent("metrics.csv"), encoding: .utf8)
      .split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
    let devLoss = try #require(rows.first { $0.count > 2 && $0[0] == "1" && $0[1] == "dev" }?[2])
    let evaluation = try RunnerProcess.run(
      ["evaluate", run.path, "--split", "dev"], in: workspace)
    #expect(evaluation.status == 0, "\(evaluation.errors)")
    #expect(evaluation.errors.contains("note: the run diverged: "))
    let printed = try #require(
      evaluation.output.split(separator: " ", omittingEmptySubsequences: true).dropFirst(2).first)
    #expect(abs(try #require(Double(printed)) - (try #require(Double(devLoss)))) < 1e-4)
  }

  @Test func onAFullDiskTheFirstFailedWriteIsNamedAndTheManifestIsClosed() throws {
    let workspace = try Self.workspace()
    defer { try? FileManager.default.removeItem(at: workspace) }
    // A 64 kB tmpfs holds the spec, the manifest and the metrics but not the checkpoint of a
    // 160,000-weight model. Mounting needs root; without it the test has nothing to check.
    let disk = workspace.appendingPathComponent("out")
    try FileManager.default.createDirectory(at: disk, withIntermediateDirectories: true)
    guard Self.mount(["-t", "tmpfs", "-o", "size=64k", "tmpfs", disk.path]) else {
      print("skipped: cannot mount a tmpfs here (needs root)")
      return
    }
    defer { _ = Self.mount([disk.path], unmount: true) }
    let result = try RunnerProcess.run(
      [
        "spec.yaml", "dataset.type=synthetic-tagging", "dataset.max_length=6",
        "model.type=brnn", "model.hidden=256", "training.epochs=1", "--quiet",
      ], in: workspace)
    #expect(result.status == 1)
    let parent = workspace.appendingPathComponent("out/failing")
    let run = parent.appendingPathComponent(
      try #require(try FileManager.default.contentsOfDirectory(atPath: parent.path).first))
    let manifest = try Self.manifest(run)
    #expect(manifest["status"] as? String == "failed")
    let message = try #require(manifest["message"] as? String)
    #expect(message.hasPrefix("cannot write the checkpoint: "), "\(message)")
    #expect(message.contains(".checkpoint.tmp-"))
    #expect(!message.contains("manifest"))
    #expect(result.output.contains("cannot write the checkpoint"))
  }

  /// Runs mount (or umount) and says whether it succeeded.
  static func mount(_ arguments: [String], unmount: Bool = false) -> Bool {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: unmount ? "/bin/umount" : "/bin/mount")
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return false }
    process.waitUntilExit()
    return process.terminationStatus == 0
  }
}

import Foundation
import Testing

/// SIGTERM and SIGINT (what Slurm sends before it preempts, requeues or times out a job) stop a
/// run after its batch with a mid-epoch checkpoint; the run resumes to the bits of one that
/// never stopped. `runner trial` runs, resumes or leaves a trial folder.
@Suite struct InterruptTests {
  /// About a second per epoch in a debug build on a quiet machine (more under load), so that a
  /// signal sent 0.3 s into an epoch lands inside it, with every generator the trainer draws
  /// from (shuffle, dropout, input and weight noise) in use.
  static let spec = """
    name: stop
    seed: 11
    dataset:
      type: synthetic-tagging
      train_sequences: 9000
      dev_sequences: 20
      test_sequences: 10
      max_length: 8
    model:
      type: brnn
      hidden: 8
    optimizer:
      type: adam
      learning_rate: 0.01
    training:
      epochs: 3
      batch_size: 8
      input_dropout: 0.1
      output_dropout: 0.2
      weight_noise: 0.01
      checkpoint_every: 2
    output:
      dir: out

    """

  /// Batches per epoch: 9000 sequences in batches of 8.
  static let batches = 1125

  static func trainerState(_ run: URL) throws -> [String: Any] {
    try #require(
      RunnerTests.json(run.appendingPathComponent("checkpoint/trainer.json"))["trainer"]
        as? [String: Any])
  }

  /// Starts `arguments`, waits until `ready` holds, sends `signal`; the exit status.
  static func interrupt(
    _ arguments: [String], in workspace: URL, signal: Int32, after delay: Double,
    when ready: () -> Bool
  ) throws -> Int32 {
    let process = try RunnerProcess.start(arguments, in: workspace)
    _ = RunnerProcess.wait(seconds: 120) { ready() || !process.isRunning }
    usleep(UInt32(delay * 1_000_000))
    kill(process.processIdentifier, signal)
    process.waitUntilExit()
    return process.terminationStatus
  }

  /// Runs `spec.yaml` straight into `straight/`, then into `cut/` stopped by SIGTERM 0.3 s after
  /// its first epoch's metrics exist, and checks that it stopped inside epoch 2 with a
  /// mid-epoch checkpoint. Returns the cut run, its trainer state and that partial epoch.
  static func runStraightAndCut(
    in workspace: URL
  ) throws -> (run: URL, state: [String: Any], partial: [String: Any]) {
    let straight = try RunnerProcess.run(
      ["spec.yaml", "--quiet", "--run-directory", "straight"], in: workspace)
    #expect(straight.status == 0, "\(straight.errors)")
    let run = workspace.appendingPathComponent("cut")
    let metrics = run.appendingPathComponent("metrics.csv")
    let status = try interrupt(
      ["spec.yaml", "--quiet", "--run-directory", "cut"], in: workspace, signal: SIGTERM,
      after: 0.3
    ) { FileManager.default.fileExists(atPath: metrics.path) }
    #expect(status == 143)
    let state = try trainerState(run)
    let partial = try #require(
      state["partial_epoch"] as? [String: Any], "the stop fell on an epoch's end: \(state)")
    #expect(partial["epoch"] as? Int == 2)
    #expect(state["completed_epochs"] as? Int == 1)
    return (run, state, partial)
  }

  /// The metrics (all but the timing columns) and `files` of `run` are those of `reference`.
  static func expectSameResults(
    _ run: URL, as reference: URL, files: [String] = ["model.safetensors"],
    sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    #expect(
      try RunnerTests.csvRows(run).map { Array($0.prefix(5)) }
        == RunnerTests.csvRows(reference).map { Array($0.prefix(5)) },
      sourceLocation: sourceLocation)
    for file in files {
      #expect(
        try Data(contentsOf: run.appendingPathComponent(file))
          == Data(contentsOf: reference.appendingPathComponent(file)), "\(file)",
        sourceLocation: sourceLocation)
    }
  }

  @Test func aSignalledRunStopsMidEpochAndResumesToTheSameBits() throws {
    let workspace = try RunnerTests.workspace(Self.spec)
    // SIGTERM during epoch 2 (the metrics of epoch 1 exist; no checkpoint was due yet).
    let (run, state, partial) = try Self.runStraightAndCut(in: workspace)
    let manifest = try RunnerTests.json(run.appendingPathComponent("manifest.json"))
    #expect(manifest["status"] as? String == "interrupted")
    #expect((manifest["message"] as? String)?.contains("by signal 15") == true)
    let done = try #require(partial["batches_done"] as? Int)
    #expect(done > 0 && done < Self.batches)

    // SIGINT during the resume, via runner trial (an interrupted folder resumes).
    let second = try Self.interrupt(
      ["trial", "cut", "--quiet"], in: workspace, signal: SIGINT, after: 0.5
    ) { RunnerProcess.lockHolder(run) != nil && FolderLockProbe.isHeld(run) }
    #expect(second == 130)
    let again = try RunnerTests.json(run.appendingPathComponent("manifest.json"))
    #expect(again["status"] as? String == "interrupted")
    #expect((again["resumed"] as? [String])?.count == 1)
    let later = try Self.trainerState(run)
    let position = { (state: [String: Any]) in
      (state["completed_epochs"] as? Int ?? 0) * Self.batches
        + ((state["partial_epoch"] as? [String: Any])?["batches_done"] as? Int ?? 0)
    }
    #expect(position(later) > position(state), "the resume made no progress before SIGINT")

    let last = try RunnerProcess.run(["trial", "cut", "--quiet"], in: workspace)
    #expect(last.status == 0, "\(last.errors)")
    try Self.expectSameResults(
      run, as: workspace.appendingPathComponent("straight"),
      files: ["model.safetensors", "confusion-dev.csv", "confusion-train.csv"])
    let final = try RunnerTests.json(run.appendingPathComponent("manifest.json"))
    #expect(final["status"] as? String == "completed")
    #expect((final["resumed"] as? [String])?.count == 2)

    // A completed trial is left alone.
    let modified =
      try FileManager.default.attributesOfItem(
        atPath: run.appendingPathComponent("manifest.json").path)[.modificationDate] as? Date
    let leave = try RunnerProcess.run(["trial", "cut"], in: workspace)
    #expect(leave.status == 0)
    #expect(leave.output.contains("cut: completed; left as it is"), "\(leave.output)")
    #expect(
      try FileManager.default.attributesOfItem(
        atPath: run.appendingPathComponent("manifest.json").path)[.modificationDate] as? Date
        == modified)
  }

  /// A character language model (truncated BPTT, an LSTM) stopped by SIGTERM between two
  /// segments: its checkpoint holds the state the next segment starts from, and the resume ends
  /// with the bits of a run that never stopped.
  @Test func aSignalledLanguageModelResumesFromItsCarriedState() throws {
    let spec = """
      name: lm-stop
      seed: 3
      dataset:
        type: text
        train: train.txt
        dev_fraction: 0.05
      model:
        type: rnn
        cell: lstm
        hidden: 8
      optimizer:
        type: adam
        learning_rate: 0.01
      training:
        epochs: 2
        batch_size: 8
        bptt_steps: 20
        metrics: [bits_per_token]
      output:
        dir: out

      """
    let workspace = try RunnerTests.workspace(spec)
    // Words drawn by a fixed linear congruential generator: 160,000 characters, about a
    // second an epoch in a debug build on a quiet machine.
    let words = ["the", "cat", "sat", "on", "a", "mat", "dog", "ran", "far", "and", "hid"]
    var draw: UInt64 = 1
    var text = ""
    while text.count < 160_000 {
      draw = draw &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      text += words[Int(draw >> 33) % words.count] + (draw >> 60 == 0 ? ".\n" : " ")
    }
    try text.write(
      to: workspace.appendingPathComponent("train.txt"), atomically: true, encoding: .utf8)
    let (run, _, partial) = try Self.runStraightAndCut(in: workspace)
    #expect(partial["carried"] == nil)
    #expect(
      FileManager.default.fileExists(
        atPath: run.appendingPathComponent("checkpoint/carried_state.safetensors").path))

    let resumed = try RunnerProcess.run(["resume", "cut", "--quiet"], in: workspace)
    #expect(resumed.status == 0, "\(resumed.errors)")
    try Self.expectSameResults(run, as: workspace.appendingPathComponent("straight"))
  }

  @Test func runnerTrialStartsAFreshFolderAndResumesAKilledOne() throws {
    let workspace = try RunnerTests.workspace(
      Self.spec.replacingOccurrences(of: "checkpoint_every: 2", with: "checkpoint_every: 1"))
    let folder = workspace.appendingPathComponent("trial-001")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    try FileManager.default.copyItem(
      at: workspace.appendingPathComponent("spec.yaml"),
      to: folder.appendingPathComponent("spec.yaml"))
    // SIGKILL leaves a `running` manifest whose process is gone: runner trial resumes it.
    let killed = try Self.interrupt(
      ["trial", "trial-001", "--quiet"], in: workspace, signal: SIGKILL, after: 0
    ) { FileManager.default.fileExists(atPath: folder.appendingPathComponent("checkpoint").path) }
    #expect(killed == SIGKILL)
    let manifest = try RunnerTests.json(folder.appendingPathComponent("manifest.json"))
    try #require(manifest["status"] as? String == "running", "the trial ended before the kill")
    let resumed = try RunnerProcess.run(["trial", "trial-001"], in: workspace)
    #expect(resumed.status == 0, "\(resumed.errors)")
    #expect(resumed.output.contains("resuming after epoch"), "\(resumed.output)")
    let straight = try RunnerProcess.run(
      ["spec.yaml", "--quiet", "--run-directory", "straight"], in: workspace)
    #expect(straight.status == 0)
    #expect(
      try Data(contentsOf: folder.appendingPathComponent("model.safetensors"))
        == Data(contentsOf: workspace.appendingPathComponent("straight/model.safetensors")))

    // A failed trial starts over from its spec.
    let failed = workspace.appendingPathComponent("trial-002")
    try FileManager.default.createDirectory(at: failed, withIntermediateDirectories: true)
    try FileManager.default.copyItem(
      at: folder.appendingPathComponent("spec.yaml"), to: failed.appendingPathComponent("spec.yaml")
    )
    var record = try RunnerTests.json(folder.appendingPathComponent("manifest.json"))
    record["status"] = "failed"
    try JSONSerialization.data(withJSONObject: record).write(
      to: failed.appendingPathComponent("manifest.json"))
    try Data("left over".utf8).write(to: failed.appendingPathComponent("metrics.csv"))
    let restarted = try RunnerProcess.run(["trial", "trial-002", "--quiet"], in: workspace)
    #expect(restarted.status == 0, "\(restarted.errors)")
    #expect(
      try Data(contentsOf: failed.appendingPathComponent("model.safetensors"))
        == Data(contentsOf: workspace.appendingPathComponent("straight/model.safetensors")))
    let fresh = try RunnerTests.json(failed.appendingPathComponent("manifest.json"))
    #expect(fresh["resumed"] == nil)
    #expect(fresh["status"] as? String == "completed")
  }
}

/// Whether a live process holds a folder's lock, asked as the runner asks (`flock`).
enum FolderLockProbe {
  static func isHeld(_ folder: URL) -> Bool {
    let descriptor = open(folder.appendingPathComponent(".lock").path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    if flock(descriptor, LOCK_SH | LOCK_NB) == 0 {
      flock(descriptor, LOCK_UN)
      return false
    }
    return true
  }
}

import Foundation
import Recur
import Tensors
import Testing

@testable import Experiments

/// A checkpoint of truncated BPTT stopped between two segments: the state carried into the next
/// segment goes to `carried_state.safetensors` and comes back bit for bit; a file that does not
/// hold one is refused with its path and what is wrong.
@Suite struct CheckpointTests {
  /// An LSTM language model stopped after the first segment of its first epoch, and a folder to
  /// write its checkpoint into.
  static func stopped() throws -> (Experiment, Checkpoint, RunDirectory) {
    let experiment = try TextSpecTests.experiment(
      TextSpecTests.spec(try TextSpecTests.train(), training: "  bptt_steps: 3"))
    var trainer = experiment.trainer(for: experiment.network())
    trainer.shouldStop = { true }
    _ = try #require(throws: TrainingInterrupted.self) { try trainer.trainEpoch(1) }
    let checkpoint = Checkpoint(
      parameters: trainer.network.parameters, optimizer: trainer.optimizer.state,
      trainer: try trainer.state(), records: [])
    let folder = FileManager.default.temporaryDirectory
      .appendingPathComponent("recur-checkpoint-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return (experiment, checkpoint, RunDirectory(url: folder, id: "lm"))
  }

  @Test func theCarriedStateComesBackBitForBit() throws {
    let (experiment, checkpoint, directory) = try Self.stopped()
    let carried = try #require(checkpoint.trainer.partialEpoch?.carried)
    #expect(carried.outputs.count == 1 && carried.states.count == 1)
    #expect(carried.outputs[0].contains { $0 != 0 })
    try checkpoint.write(to: directory)
    let file = directory.path("checkpoint/carried_state.safetensors")
    let stored = try SafeTensors.decode(Data(contentsOf: file)).tensors
    #expect(stored.keys == ["layers.0.h", "layers.0.c"])
    #expect(stored["layers.0.h"]?.rows == carried.rows)
    let loaded = try Checkpoint.load(
      from: directory, expecting: experiment.model.parameterShapes)
    #expect(loaded.trainer == checkpoint.trainer)
    #expect(
      loaded.trainer.partialEpoch?.carried?.states[0].map(\.bitPattern)
        == carried.states[0].map(\.bitPattern))
  }

  @Test func aCheckpointAtAnEpochsEndHasNoCarriedStateFile() throws {
    var (_, checkpoint, directory) = try Self.stopped()
    checkpoint.trainer.partialEpoch = nil
    try checkpoint.write(to: directory)
    #expect(
      !FileManager.default.fileExists(
        atPath: directory.path("checkpoint/carried_state.safetensors").path))
  }

  @Test func aCarriedStateFileThatHoldsNoneIsRefused() throws {
    let (experiment, checkpoint, directory) = try Self.stopped()
    try checkpoint.write(to: directory)
    let file = directory.path("checkpoint/carried_state.safetensors")
    try SafeTensors.encode(
      ParameterSet([("layers.1.h", Matrix<Float>(rows: 2, columns: 4))])
    ).write(to: file)
    let error = try #require(throws: Checkpoint.LoadError.self) {
      try Checkpoint.load(from: directory, expecting: experiment.model.parameterShapes)
    }
    #expect(error.path == file.path)
    #expect(
      error.reason
        == "its tensors (layers.1.h) are not layers.<l>.h (and layers.<l>.c) layer by layer")

    try Data([7, 0, 0]).write(to: file)
    let truncated = try #require(throws: Checkpoint.LoadError.self) {
      try Checkpoint.load(from: directory, expecting: experiment.model.parameterShapes)
    }
    #expect(truncated.reason.hasPrefix("not a valid safetensors file"))

    var ended = checkpoint
    ended.trainer.partialEpoch = nil
    try ended.write(to: directory)
    try SafeTensors.encode(Checkpoint.tensors(of: try #require(checkpoint.trainer.partialEpoch?.carried)))
      .write(to: file)
    let orphan = try #require(throws: Checkpoint.LoadError.self) {
      try Checkpoint.load(from: directory, expecting: experiment.model.parameterShapes)
    }
    #expect(orphan.reason == "a carried state, but trainer.json has no partial epoch")
  }
}

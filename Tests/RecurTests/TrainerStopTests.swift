import Foundation
import Recur
import Tensors
import Testing

/// `Trainer.shouldStop`: training stopped between two batches, its state saved mid-epoch and
/// restored into a fresh trainer, ends where uninterrupted training does.
@Suite struct TrainerStopTests {
  static func trainer(_ data: SyntheticTagging) -> Trainer {
    var trainer = TrainerTests.trainer(
      data, directions: [.forward, .backward], learningRate: 0.01, epochs: 3)
    trainer.optimizer = Adam()
    trainer.noise = TrainingNoise(
      inputDropout: 0.1, outputDropout: 0.2, weight: 0.01, generator: SeededGenerator(seed: 5))
    return trainer
  }

  @Test(arguments: [1, 7, 14]) func aStopMidEpochResumesToTheSameBits(after batches: Int) throws {
    let data = try TrainerTests.dataset()
    var straight = Self.trainer(data)
    var straightRecords: [EpochRecord] = []
    try straight.train(onEpoch: { straightRecords += $0.records })

    // 120 sequences in batches of 8: 15 batches an epoch; stop in epoch 2.
    var first = Self.trainer(data)
    var seen = 0
    let stop = 15 + batches
    first.shouldStop = { seen >= stop }
    var records: [EpochRecord] = []
    let interruption = try #require(throws: TrainingInterrupted.self) {
      try first.train(onBatch: { _, _, _ in seen += 1 }, onEpoch: { records += $0.records })
    }
    #expect(interruption.epoch == 2)
    #expect(interruption.batchesDone == batches)
    #expect(records.count == 3)
    let state = try JSONDecoder().decode(
      TrainerState.self, from: try JSONEncoder().encode(try first.state()))
    #expect(state.completedEpochs == 1)
    #expect(state.partialEpoch?.batchesDone == batches)

    let resumed = try TrainerTests.resumeToTheEnd(
      Self.trainer(data), from: first, state: state, records: records, straight: straight,
      straightRecords: straightRecords)
    #expect(resumed.first == batches + 1)
  }

  @Test func aStopBeforeAnEpochKeepsNoPartialEpoch() throws {
    let data = try TrainerTests.dataset()
    var trainer = Self.trainer(data)
    trainer.shouldStop = { true }
    let interruption = try #require(throws: TrainingInterrupted.self) {
      try trainer.train(onEpoch: { _ in })
    }
    #expect(interruption.epoch == 1)
    #expect(interruption.batchesDone == 0)
    #expect(try trainer.state().partialEpoch == nil)
    #expect(trainer.completedEpochs == 0)
  }

  @Test func aPartialEpochThePlanDoesNotHaveIsRefused() throws {
    let data = try TrainerTests.dataset()
    var trainer = Self.trainer(data)
    var state = try trainer.state()
    state.partialEpoch = TrainerState.PartialEpoch(
      epoch: 1, batchesDone: 15, tokens: 0, lossTotal: 0, scored: 0, seconds: 0)
    let error = try #require(throws: TrainerState.Mismatch.self) { try trainer.restore(state) }
    #expect(error.reason == "it stopped after batch 15 of epoch 1, which this plan does not have")
    state.partialEpoch?.batchesDone = 3
    state.partialEpoch?.epoch = 2
    #expect(throws: TrainerState.Mismatch.self) { try trainer.restore(state) }
  }
}

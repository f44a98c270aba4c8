import Foundation
import Recur
import Tensors
import Testing

/// Truncated BPTT in the trainer: every train token is a target once per epoch, the state is
/// carried from segment to segment (and reset at the epoch's start), and a run resumed at an
/// epoch's end or stopped between two segments continues exactly.
@Suite struct StreamTrainingTests {
  static func corpus() throws -> TextCorpus {
    let text = String(repeating: "the cat sat on the mat. a dog ate the hat.\n", count: 6)
    return try TextCorpus(
      tokens: [
        .train: Array(text).map(String.init),
        .dev: Array("the dog sat on the cat.\n").map(String.init),
      ], options: .init(unit: .char, format: .plain, sequenceLength: 10))
  }

  static func network(_ corpus: TextCorpus, cell: any RecurrentCell) -> RecurrentNetwork<Float> {
    let shape = NetworkShape(
      inputSize: corpus.info.inputSize, hiddenSize: 8, outputSize: corpus.info.outputSize,
      directions: [.forward], bias: true, task: .framewise)
    var generator = SeededGenerator(seed: 4)
    return RecurrentNetwork(
      shape: shape, cell: cell,
      parameters: RecurrentNetwork<Float>.initialParameters(
        for: shape, cell: cell, generator: &generator))
  }

  static func trainer(
    _ corpus: TextCorpus, cell: any RecurrentCell = LSTMCell(), epochs: Int = 2,
    bpttSteps: Int? = 7
  ) -> Trainer {
    Trainer(
      network: network(corpus, cell: cell), optimizer: Adam(), dataset: corpus,
      plan: TrainingPlan(epochs: epochs, batchSize: 4, shuffle: true, bpttSteps: bpttSteps),
      learningRate: 0.01, metrics: [CrossEntropyMetric(perplexity: false)],
      shuffler: SeededGenerator(seed: 8))
  }

  @Test func anEpochTrainsOnEveryTokenOnce() throws {
    let corpus = try Self.corpus()
    var trainer = Self.trainer(corpus)
    var batches = 0
    let pass = try trainer.trainEpoch(1) { _, total in batches = total }
    // 6 × 43 characters: 257 targets in 4 streams of 65, 64, 64, 64 steps; 10 segments of 7.
    #expect(pass.tokens == corpus.streams[.train]!.count - 1)
    #expect(batches == 10)
    #expect(trainer.network.initialState == nil)
  }

  /// The trainer's epoch against the same segments run by hand with the state carried over:
  /// the weights agree exactly; run by hand from zero at every segment, they do not.
  @Test(arguments: ["elman", "lstm"])
  func theStateIsCarriedBetweenSegments(cell name: String) throws {
    let corpus = try Self.corpus()
    let cell: any RecurrentCell = name == "lstm" ? LSTMCell() : ElmanCell(activation: Tanh())
    var trainer = Self.trainer(corpus, cell: cell)
    _ = try trainer.trainEpoch(1)

    func byHand(carrying: Bool) -> ParameterSet<Float> {
      let network = Self.network(corpus, cell: cell)
      var optimizer: any Optimizer = Adam()
      let segments = StreamSegments(examples: corpus.examples(.train), streams: 4, steps: 7)
      var gradients = network.parameters.zeros()
      var carried: CarriedState<Float>?
      for k in 0..<segments.segmentCount {
        let batch = SequenceBatch<Float>(
          examples: segments.segment(k), task: .framewise, inputSize: corpus.info.inputSize)
        network.initialState = carrying ? carried?.prefix(rows: batch.batchSize) : nil
        _ = network.lossAndGradients(for: batch, into: &gradients, dropout: nil)
        optimizer.step(&network.parameters, gradients: gradients, learningRate: 0.01)
        carried = network.finalState(for: batch)
      }
      return network.parameters
    }
    #expect(trainer.network.parameters == byHand(carrying: true))
    #expect(trainer.network.parameters != byHand(carrying: false))
  }

  @Test func evaluationReadsTheSplitAsStreams() throws {
    let corpus = try Self.corpus()
    let trainer = Self.trainer(corpus)
    let record = try trainer.evaluate(.dev, epoch: 0, learningRate: 0.01)
    // 23 dev targets in 4 streams of 6, 6, 6, 5 steps; the state carried from 7-step segments.
    let bits = try #require(record.value(of: "bits_per_token"))
    #expect(abs(bits - record.loss / log(2)) < 1e-12)
    let network = trainer.network
    let segments = StreamSegments(examples: corpus.examples(.dev), streams: 4, steps: 7)
    #expect(segments.segmentCount == 1)
    let batch = SequenceBatch<Float>(
      examples: segments.segment(0), task: .framewise, inputSize: corpus.info.inputSize)
    #expect(network.evaluate(batch).loss.mean == record.loss)
  }

  /// Two epochs straight against one epoch, its state through JSON as a checkpoint stores it,
  /// and a fresh trainer that resumes for the second.
  @Test func resumedAtAnEpochsEndMatchesTrainingStraight() throws {
    let corpus = try Self.corpus()
    var straight = Self.trainer(corpus)
    var straightRecords: [EpochRecord] = []
    try straight.train(onEpoch: { straightRecords += $0.records })

    var first = Self.trainer(corpus)
    var records: [EpochRecord] = []
    var saved: EpochReport?
    struct Stop: Error {}
    #expect(throws: Stop.self) {
      try first.train(onEpoch: { report in
        records += report.records
        saved = report
        throw Stop()
      })
    }
    let report = try #require(saved)
    let state = try JSONDecoder().decode(
      TrainerState.self, from: try JSONEncoder().encode(report.trainerState))
    var second = Self.trainer(corpus)
    second.network.parameters = first.network.parameters
    second.optimizer.state = report.optimizerState
    try second.restore(state)
    try second.train(onEpoch: { records += $0.records })
    #expect(second.network.parameters == straight.network.parameters)
    #expect(
      records.map { [$0.loss] + $0.metrics.map { $0.value ?? .nan } }
        == straightRecords.map { [$0.loss] + $0.metrics.map { $0.value ?? .nan } })
    #expect(straightRecords.last!.loss < straightRecords.first!.loss)
  }

  /// Stopped after segment 3 of epoch 2 (10 segments an epoch), its state through JSON and its
  /// carried state kept beside it (a checkpoint stores those floats in a file of their own), a
  /// fresh trainer resumes with segment 4 from that state and ends where training straight does.
  @Test(arguments: ["elman", "lstm"])
  func aStopBetweenSegmentsResumesToTheSameBits(cell name: String) throws {
    let corpus = try Self.corpus()
    let cell: any RecurrentCell = name == "lstm" ? LSTMCell() : ElmanCell(activation: Tanh())
    var straight = Self.trainer(corpus, cell: cell, epochs: 3)
    var straightRecords: [EpochRecord] = []
    try straight.train(onEpoch: { straightRecords += $0.records })

    var first = Self.trainer(corpus, cell: cell, epochs: 3)
    var seen = 0
    first.shouldStop = { seen >= 13 }
    var records: [EpochRecord] = []
    let interruption = try #require(throws: TrainingInterrupted.self) {
      try first.train(onBatch: { _, _, _ in seen += 1 }, onEpoch: { records += $0.records })
    }
    #expect(interruption.epoch == 2)
    #expect(interruption.batchesDone == 3)
    #expect(first.network.initialState == nil)
    let stopped = try first.state()
    let carried = try #require(stopped.partialEpoch?.carried)
    #expect(carried.rows == 4)
    #expect(carried.states.count == (name == "lstm" ? 1 : 0))
    var state = try JSONDecoder().decode(
      TrainerState.self, from: try JSONEncoder().encode(stopped))
    #expect(state.partialEpoch?.carried == nil)
    state.partialEpoch?.carried = carried

    let resumed = try TrainerTests.resumeToTheEnd(
      Self.trainer(corpus, cell: cell, epochs: 3), from: first, state: state, records: records,
      straight: straight, straightRecords: straightRecords)
    #expect(resumed == Array(4...10))

    // Resumed from zero instead of the carried state, the same segments end elsewhere.
    var zero = Self.trainer(corpus, cell: cell, epochs: 3)
    zero.network.parameters = first.network.parameters
    zero.optimizer.state = first.optimizer.state
    var fromZero = stopped
    fromZero.partialEpoch?.carried = CarriedState(
      rows: 4, outputs: carried.outputs.map { $0.map { _ in 0 } },
      states: carried.states.map { $0.map { _ in 0 } })
    try zero.restore(fromZero)
    try zero.train(onEpoch: { _ in })
    #expect(zero.network.parameters != straight.network.parameters)
  }

  @Test func aStopBetweenSegmentsWithoutAFittingStateIsRefused() throws {
    let corpus = try Self.corpus()
    var trainer = Self.trainer(corpus)
    trainer.shouldStop = { true }
    _ = try #require(throws: TrainingInterrupted.self) { try trainer.trainEpoch(1) }
    let stopped = try trainer.state()
    let carried = try #require(stopped.partialEpoch?.carried)
    func restored(_ state: TrainerState) throws {
      var fresh = Self.trainer(corpus)
      try fresh.restore(state)
    }

    var unstateful = carried
    unstateful.states = []
    for (changed, reason) in [
      (nil, "it stopped after segment 1 of epoch 1 without the state carried into the next segment"),
      (
        carried.prefix(rows: 3),
        "its carried state does not fit: a carried state of 3 rows for a batch of 4 sequences"
      ),
      (
        unstateful,
        "its carried state does not fit: a carried state without the cell state of every layer "
          + "(H = 8 per row)"
      ),
    ] {
      var state = stopped
      state.partialEpoch?.carried = changed
      let refused = try #require(throws: TrainerState.Mismatch.self) { try restored(state) }
      #expect(refused.reason == reason)
    }

    var beyond = stopped
    beyond.partialEpoch?.batchesDone = 10
    #expect(throws: TrainerState.Mismatch.self) { try restored(beyond) }
  }
}

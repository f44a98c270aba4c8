import Recur
import Tensors
import Testing

@Suite struct TrainerTests {
  static func dataset() throws -> SyntheticTagging {
    try SyntheticTagging(
      SyntheticTagging.Configuration(
        trainSequences: 120, devSequences: 40, testSequences: 20, minLength: 3, maxLength: 9,
        vocabulary: 20, tags: 4, rightContextWords: 3, rightContextShare: 0.3),
      generator: SeededGenerator(seed: 11))
  }

  static func trainer(
    _ data: SyntheticTagging, directions: [Direction], learningRate: Double, epochs: Int
  ) -> Trainer {
    let shape = NetworkShape(
      inputSize: data.info.inputSize, hiddenSize: 12, outputSize: data.info.outputSize,
      directions: directions, bias: true, task: .framewise)
    var generator = SeededGenerator(seed: 2)
    let network = RecurrentNetwork<Float>(
      shape: shape, activation: Tanh(),
      parameters: RecurrentNetwork<Float>.initialParameters(for: shape, generator: &generator))
    return Trainer(
      network: network, optimizer: SGD(momentum: 0.9), dataset: data,
      plan: TrainingPlan(epochs: epochs, batchSize: 8, shuffle: true),
      learningRate: learningRate, metrics: [Accuracy()], shuffler: generator.derived("shuffle"))
  }

  /// Records without the wall-clock columns, which differ from run to run.
  static func timeless(_ records: [EpochRecord]) -> [EpochRecord] {
    records.map { record in
      var record = record
      record.seconds = 0
      record.tokensPerSecond = 0
      return record
    }
  }

  @Test func recordsEverySplitEveryEpochAndLearns() throws {
    let data = try Self.dataset()
    var trainer = Self.trainer(
      data, directions: [.forward, .backward], learningRate: 0.1, epochs: 4)
    let before = try trainer.evaluate(.dev, epoch: 0, learningRate: 0.1)
    var records: [EpochRecord] = []
    var batchesSeen = 0
    try trainer.train(onBatch: { _, _, _ in batchesSeen += 1 }, onEpoch: { records += $0 })
    #expect(batchesSeen == 4 * 15)
    #expect(records.map(\.epoch) == [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4])
    #expect(
      records.map(\.split) == Array(repeating: [Split.train, .dev, .test], count: 4).flatMap { $0 })
    let lastDev = try #require(records.last { $0.split == .dev })
    #expect(lastDev.loss < before.loss * 0.7)
    #expect(try #require(lastDev.value(of: "accuracy")) > (before.value(of: "accuracy") ?? 0))
    // The recorded dev loss is that of the final weights.
    #expect(try trainer.evaluate(.dev, epoch: 4, learningRate: 0.1).loss == lastDev.loss)
  }

  @Test func sameSeedGivesIdenticalRecords() throws {
    let data = try Self.dataset()
    var first: [EpochRecord] = []
    var second: [EpochRecord] = []
    var a = Self.trainer(data, directions: [.forward], learningRate: 0.1, epochs: 2)
    var b = Self.trainer(data, directions: [.forward], learningRate: 0.1, epochs: 2)
    try a.train(onEpoch: { first += $0 })
    try b.train(onEpoch: { second += $0 })
    #expect(Self.timeless(first) == Self.timeless(second))
    #expect(a.network.parameters == b.network.parameters)
  }

  @Test func aLossThatBlowsUpStopsTraining() throws {
    let data = try Self.dataset()
    var trainer = Self.trainer(
      data, directions: [.forward], learningRate: .greatestFiniteMagnitude, epochs: 3)
    var epochsFinished = 0
    #expect(throws: TrainingDiverged.self) {
      try trainer.train(onEpoch: { _ in epochsFinished += 1 })
    }
    #expect(epochsFinished == 0)
  }

  @Test func recordsTheScheduledRateAndClips() throws {
    let data = try Self.dataset()
    var trainer = Self.trainer(data, directions: [.forward], learningRate: 0.2, epochs: 3)
    trainer.schedule = StepSchedule(stepSize: 2, gamma: 0.5)
    var records: [EpochRecord] = []
    try trainer.train(onEpoch: { records += $0 })
    // Epochs 1–2 at 0.2, epoch 3 at 0.1; every split's row carries the rate in force.
    #expect(records.map(\.learningRate) == [0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.1, 0.1, 0.1])
  }
}

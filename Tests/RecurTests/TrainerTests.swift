import Foundation
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
      shape: shape, cell: ElmanCell(activation: Tanh()),
      parameters: RecurrentNetwork<Float>.initialParameters(
        for: shape, cell: ElmanCell(activation: Tanh()), generator: &generator))
    return Trainer(
      network: network, optimizer: SGD(momentum: 0.9), dataset: data,
      plan: TrainingPlan(epochs: epochs, batchSize: 8, shuffle: true),
      learningRate: learningRate, metrics: [Accuracy()], shuffler: generator.derived("shuffle"))
  }

  /// `fresh` given `first`'s weights and optimizer state, restored to `state` and trained to the
  /// end of its plan: it must end where `straight` (the same plan, never stopped) did, with
  /// `records` (those of `first`) plus its own equal to `straight`'s. Returns the batches it
  /// trained in the epoch it resumed.
  static func resumeToTheEnd(
    _ fresh: Trainer, from first: Trainer, state: TrainerState, records: [EpochRecord],
    straight: Trainer, straightRecords: [EpochRecord],
    sourceLocation: SourceLocation = #_sourceLocation
  ) throws -> [Int] {
    var second = fresh
    second.network.parameters = first.network.parameters
    second.optimizer.state = first.optimizer.state
    try second.restore(state)
    let epoch = state.completedEpochs + 1
    var batches: [Int] = []
    var records = records
    try second.train(
      onBatch: { current, batch, _ in if current == epoch { batches.append(batch) } },
      onEpoch: { records += $0.records })
    #expect(
      second.network.parameters == straight.network.parameters, sourceLocation: sourceLocation)
    #expect(second.optimizer.state == straight.optimizer.state, sourceLocation: sourceLocation)
    #expect(timeless(records) == timeless(straightRecords), sourceLocation: sourceLocation)
    return batches
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
    try trainer.train(onBatch: { _, _, _ in batchesSeen += 1 }, onEpoch: { records += $0.records })
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
    try a.train(onEpoch: { first += $0.records })
    try b.train(onEpoch: { second += $0.records })
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
    try trainer.train(onEpoch: { records += $0.records })
    // Epochs 1–2 at 0.2, epoch 3 at 0.1; every split's row carries the rate in force.
    #expect(records.map(\.learningRate) == [0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.1, 0.1, 0.1])
  }

  /// Two epochs, a save of everything a checkpoint holds, a fresh trainer restored from it and
  /// two more epochs end exactly where four uninterrupted epochs do: weights, optimizer state
  /// and records (wall-clock columns aside).
  @Test func restoredTrainingMatchesUninterruptedTraining() throws {
    let data = try Self.dataset()
    func trainer(epochs: Int) -> Trainer {
      var trainer = Self.trainer(
        data, directions: [.forward, .backward], learningRate: 0.01, epochs: epochs)
      trainer.optimizer = Adam()
      trainer.noise = TrainingNoise(
        inputDropout: 0.1, outputDropout: 0.2, weight: 0.01,
        generator: SeededGenerator(seed: 5))
      // Dev loss never falls by half in an epoch: the rate halves after every epoch but the first.
      trainer.schedule = PlateauSchedule(
        split: .dev, metric: "loss", goal: .min, factor: 0.5, patience: 0, threshold: 0.5,
        floor: 0)
      return trainer
    }
    var straight = trainer(epochs: 4)
    var straightRecords: [EpochRecord] = []
    try straight.train(onEpoch: { straightRecords += $0.records })

    var first = trainer(epochs: 4)
    let firstNetwork = first.network
    var records: [EpochRecord] = []
    var saved: EpochReport?
    var savedParameters: ParameterSet<Float>?
    struct Stop: Error {}
    #expect(throws: Stop.self) {
      try first.train(onEpoch: { report in
        records += report.records
        if report.epoch == 2 {
          saved = report
          savedParameters = firstNetwork.parameters
          throw Stop()
        }
      })
    }
    let report = try #require(saved)
    // Through JSON, as a checkpoint stores it.
    let state = try JSONDecoder().decode(
      TrainerState.self, from: try JSONEncoder().encode(report.trainerState))
    var second = trainer(epochs: 4)
    second.network.parameters = try #require(savedParameters)
    second.optimizer.state = report.optimizerState
    try second.restore(state)
    #expect(second.completedEpochs == 2)
    try second.train(onEpoch: { records += $0.records })

    #expect(second.network.parameters == straight.network.parameters)
    #expect(second.optimizer.state == straight.optimizer.state)
    #expect(Self.timeless(records) == Self.timeless(straightRecords))
    #expect(Set(records.map(\.learningRate)).count > 1, "the plateau schedule should have acted")
  }

  @Test func earlyStoppingEndsTrainingAndMarksTheBestEpoch() throws {
    let data = try Self.dataset()
    var trainer = Self.trainer(data, directions: [.forward], learningRate: 0.1, epochs: 30)
    // Dev loss must fall by more than 10 per epoch: it never does after the first epoch.
    trainer.earlyStopping = EarlyStopping(
      split: .dev, metric: "loss", goal: .min, patience: 2, minDelta: 10)
    var reports: [EpochReport] = []
    try trainer.train(onEpoch: { reports.append($0) })
    #expect(reports.map(\.epoch) == [1, 2, 3])
    #expect(reports.map(\.isBest) == [true, false, false])
    #expect(reports.map(\.stopsTraining) == [false, false, true])
    #expect(trainer.completedEpochs == 3)
    #expect(trainer.earlyStopping?.bestEpoch == 1)
  }

  /// With weight noise, the gradient is taken at the noisy weights and the step applied to the
  /// clean ones: θ₁ = θ₀ − η·∇O(θ₀ + ε), with ε drawn from the same generator here.
  @Test func weightNoisePerturbsTheGradientNotTheWeights() throws {
    let data = try SyntheticTagging(
      SyntheticTagging.Configuration(
        trainSequences: 4, devSequences: 0, testSequences: 0, minLength: 3, maxLength: 5,
        vocabulary: 10, tags: 3, rightContextWords: 1, rightContextShare: 0.3),
      generator: SeededGenerator(seed: 1))
    // One batch of all four sequences, one plain SGD step.
    var trainer = Trainer(
      network: Self.trainer(data, directions: [.forward], learningRate: 0.5, epochs: 1).network,
      optimizer: SGD(momentum: 0), dataset: data,
      plan: TrainingPlan(epochs: 1, batchSize: 4, shuffle: false), learningRate: 0.5,
      metrics: [], shuffler: SeededGenerator(seed: 1))
    trainer.noise = TrainingNoise(weight: 0.1, generator: SeededGenerator(seed: 8))
    let clean = trainer.network.parameters

    var noiseGenerator = SeededGenerator(seed: 8)
    var noisy = clean
    for index in noisy.values.indices {
      for i in noisy.values[index].elements.indices {
        noisy.values[index].elements[i] += Float(0.1 * noiseGenerator.normal())
      }
    }
    let reference = RecurrentNetwork<Float>(
      shape: (trainer.network as! RecurrentNetwork<Float>).shape,
      cell: ElmanCell(activation: Tanh()), parameters: noisy)
    var gradients = noisy.zeros()
    _ = reference.lossAndGradients(
      for: SequenceBatch(examples: data.examples(.train), task: .framewise, inputSize: 10),
      into: &gradients)

    try trainer.train(onEpoch: { _ in })
    for index in clean.values.indices {
      for i in clean.values[index].elements.indices {
        let expected = clean.values[index].elements[i] - 0.5 * gradients.values[index].elements[i]
        #expect(abs(trainer.network.parameters.values[index].elements[i] - expected) < 1e-6)
      }
    }
  }

  /// With a BRNN's directions on two threads, each batch's logits and loss are formed half on
  /// each thread and the next batch is built while the optimizer steps: two epochs with
  /// momentum, output dropout, shuffling and padded batches end bit-identical to the directions
  /// in turn, weights, optimizer state and records.
  @Test func parallelDirectionsTrainBitIdentically() throws {
    let data = try Self.dataset()
    func trained(parallel: Bool) throws -> (Trainer, [EpochRecord]) {
      var trainer = Self.trainer(
        data, directions: [.forward, .backward], learningRate: 0.1, epochs: 2)
      try #require(trainer.network as? RecurrentNetwork<Float>).parallelDirections = parallel
      trainer.noise = TrainingNoise(outputDropout: 0.2, generator: SeededGenerator(seed: 5))
      var records: [EpochRecord] = []
      try trainer.train(onEpoch: { records += $0.records })
      return (trainer, records)
    }
    let (serial, serialRecords) = try trained(parallel: false)
    let (parallel, parallelRecords) = try trained(parallel: true)
    #expect(parallel.network.parameters == serial.network.parameters)
    #expect(parallel.optimizer.state == serial.optimizer.state)
    #expect(Self.timeless(parallelRecords) == Self.timeless(serialRecords))
    #expect(serialRecords.count == 6)
  }

  @Test func aBatchSizeBeyondTheSplitIsOneBatchAndNeverOverflows() throws {
    let data = try Self.dataset()
    func trained(batchSize: Int) throws -> (ParameterSet<Float>, Int) {
      var trainer = Trainer(
        network: Self.trainer(data, directions: [.forward], learningRate: 0.1, epochs: 1).network,
        optimizer: SGD(momentum: 0.9), dataset: data,
        plan: TrainingPlan(epochs: 1, batchSize: batchSize, shuffle: true), learningRate: 0.1,
        metrics: [], shuffler: SeededGenerator(seed: 3))
      var batches = 0
      _ = try trainer.trainEpoch(1) { _, total in batches = total }
      return (trainer.network.parameters, batches)
    }
    // 120 train sequences: Int.max, as 120, is one batch of all of them (the old
    // (count + size − 1) / size overflowed).
    let (whole, wholeBatches) = try trained(batchSize: 120)
    let (huge, hugeBatches) = try trained(batchSize: Int.max)
    #expect(wholeBatches == 1 && hugeBatches == 1)
    #expect(huge == whole)
    // 120 = 2·50 + 20: three batches, the last of 20.
    #expect(try trained(batchSize: 50).1 == 3)
  }
}

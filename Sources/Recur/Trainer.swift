import Foundation
import Tensors

/// How many epochs, in what batches.
public struct TrainingPlan: Sendable, Equatable {
  public var epochs: Int
  public var batchSize: Int
  public var shuffle: Bool

  public init(epochs: Int, batchSize: Int, shuffle: Bool) {
    self.epochs = epochs
    self.batchSize = batchSize
    self.shuffle = shuffle
  }
}

/// One row of the metrics files: one split after one epoch.
public struct EpochRecord: Sendable, Equatable {
  public var epoch: Int
  public var split: Split
  /// Mean cross-entropy per scored position, with the weights at the end of the epoch.
  public var loss: Double
  /// The registered metrics in the order the spec lists them; `nil` when nothing was scored.
  public var metrics: [(name: String, value: Double?)]
  public var learningRate: Double
  /// Wall time of this split's work in the epoch: training for `train`, evaluation otherwise.
  public var seconds: Double
  public var tokensPerSecond: Double

  public init(
    epoch: Int, split: Split, loss: Double, metrics: [(name: String, value: Double?)],
    learningRate: Double, seconds: Double, tokensPerSecond: Double
  ) {
    self.epoch = epoch
    self.split = split
    self.loss = loss
    self.metrics = metrics
    self.learningRate = learningRate
    self.seconds = seconds
    self.tokensPerSecond = tokensPerSecond
  }

  public static func == (lhs: EpochRecord, rhs: EpochRecord) -> Bool {
    lhs.epoch == rhs.epoch && lhs.split == rhs.split && lhs.loss == rhs.loss
      && lhs.metrics.map(\.name) == rhs.metrics.map(\.name)
      && lhs.metrics.map(\.value) == rhs.metrics.map(\.value)
      && lhs.learningRate == rhs.learningRate && lhs.seconds == rhs.seconds
      && lhs.tokensPerSecond == rhs.tokensPerSecond
  }
}

extension EpochRecord {
  /// `loss` or the value of a named metric.
  public func value(of name: String) -> Double? {
    name == "loss" ? loss : metrics.first { $0.name == name }?.value ?? nil
  }
}

/// A loss that stopped being a finite number.
public struct TrainingDiverged: Error, Sendable, CustomStringConvertible {
  public var epoch: Int
  /// 1-based batch within the epoch, or `nil` when an evaluation found it.
  public var batch: Int?
  public var loss: Double

  public var description: String {
    let place = batch.map { "batch \($0) of epoch \(epoch)" } ?? "evaluation after epoch \(epoch)"
    return "training diverged: the loss became \(loss) at \(place)"
      + " (try a smaller learning rate or gradient clipping)"
  }
}

/// Trains a network with minibatch BPTT and measures every split after every epoch.
public struct Trainer {
  public let network: RecurrentNetwork<Float>
  public var optimizer: any Optimizer
  public let dataset: any Dataset
  public let plan: TrainingPlan
  /// The step size, as the spec states it; the optimizer applies it in Float32.
  public let learningRate: Double
  /// Prototypes of the metrics to measure, copied fresh for each split and epoch.
  public let metrics: [any Metric]
  /// Draws the order of training examples each epoch.
  public var shuffler: SeededGenerator
  /// The order of the train examples, reshuffled in place every epoch.
  private var order: [Int] = []
  private var gradients = ParameterSet<Float>()

  /// Sequences per evaluation batch: evaluation has no updates, so larger batches only save time.
  static var evaluationBatchSize: Int { 256 }

  public init(
    network: RecurrentNetwork<Float>, optimizer: any Optimizer, dataset: any Dataset,
    plan: TrainingPlan,
    learningRate: Double, metrics: [any Metric], shuffler: SeededGenerator
  ) {
    self.network = network
    self.optimizer = optimizer
    self.dataset = dataset
    self.plan = plan
    self.learningRate = learningRate
    self.metrics = metrics
    self.shuffler = shuffler
  }

  /// Runs every epoch of the plan. `onBatch(epoch, batch, batches)` follows progress;
  /// `onEpoch` receives the epoch's records (train, then dev and test where present) and may
  /// throw to stop. Throws `TrainingDiverged` when a loss is not finite.
  public mutating func train(
    onBatch: (Int, Int, Int) -> Void = { _, _, _ in },
    onEpoch: ([EpochRecord]) throws -> Void
  ) throws {
    for epoch in 1...plan.epochs {
      let pass = try trainEpoch(epoch) { onBatch(epoch, $0, $1) }
      var records: [EpochRecord] = []
      for split in dataset.availableSplits {
        var record = try evaluate(split, epoch: epoch)
        if split == .train {
          record.seconds = pass.seconds
          record.tokensPerSecond = Double(pass.tokens) / max(pass.seconds, 1e-9)
        }
        records.append(record)
      }
      try onEpoch(records)
    }
  }

  /// One pass of minibatch updates over the train split (reshuffled first when the plan says
  /// so), without evaluation. `onBatch(batch, batches)` follows progress; `epoch` only labels a
  /// divergence. Returns the wall time, the tokens trained on and the mean training loss per
  /// scored token over the epoch's batches (each with the weights before its update).
  public mutating func trainEpoch(
    _ epoch: Int, onBatch: (Int, Int) -> Void = { _, _ in }
  ) throws -> (seconds: Double, tokens: Int, loss: Double) {
    let trainExamples = dataset.examples(.train)
    let info = dataset.info
    if order.count != trainExamples.count { order = Array(trainExamples.indices) }
    if !gradients.hasSameLayout(as: network.parameters) { gradients = network.parameters.zeros() }
    let batches = (order.count + plan.batchSize - 1) / plan.batchSize
    if plan.shuffle { shuffler.shuffle(&order) }
    let start = Date()
    var tokens = 0
    var total = 0.0
    var scored = 0
    for batchIndex in 0..<batches {
      let members = order[
        (batchIndex * plan.batchSize)..<min(order.count, (batchIndex + 1) * plan.batchSize)]
      let batch = SequenceBatch<Float>(
        examples: members.map { trainExamples[$0] }, task: info.task, inputSize: info.inputSize)
      let loss = network.lossAndGradients(for: batch, into: &gradients)
      guard loss.mean.isFinite else {
        throw TrainingDiverged(epoch: epoch, batch: batchIndex + 1, loss: loss.mean)
      }
      optimizer.step(&network.parameters, gradients: gradients, learningRate: Float(learningRate))
      tokens += batch.lengths.reduce(0, +)
      total += loss.total
      scored += loss.scored
      onBatch(batchIndex + 1, batches)
    }
    return (Date().timeIntervalSince(start), tokens, scored == 0 ? 0 : total / Double(scored))
  }

  /// Loss and metrics of one split with the current weights.
  public func evaluate(_ split: Split, epoch: Int) throws -> EpochRecord {
    let examples = dataset.examples(split)
    let info = dataset.info
    let start = Date()
    var tallies = metrics
    var total = 0.0
    var scored = 0
    var tokens = 0
    var first = 0
    while first < examples.count {
      let last = min(examples.count, first + Self.evaluationBatchSize)
      let batch = SequenceBatch<Float>(
        examples: Array(examples[first..<last]), task: info.task, inputSize: info.inputSize)
      let evaluation = network.evaluate(batch)
      total += evaluation.loss.total
      scored += evaluation.loss.scored
      tokens += batch.lengths.reduce(0, +)
      for index in tallies.indices { tallies[index].add(evaluation, targets: batch.targets) }
      first = last
    }
    let loss = scored == 0 ? 0 : total / Double(scored)
    guard loss.isFinite else { throw TrainingDiverged(epoch: epoch, batch: nil, loss: loss) }
    let seconds = Date().timeIntervalSince(start)
    return EpochRecord(
      epoch: epoch, split: split, loss: loss,
      metrics: tallies.map { ($0.name, $0.value) }, learningRate: learningRate,
      seconds: seconds, tokensPerSecond: Double(tokens) / max(seconds, 1e-9))
  }
}

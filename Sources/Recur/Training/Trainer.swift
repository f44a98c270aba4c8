import Foundation
import Tensors

/// How many epochs, in what batches.
public struct TrainingPlan: Sendable, Equatable {
  public var epochs: Int
  public var batchSize: Int
  public var shuffle: Bool
  /// Truncated BPTT: each split is read as `batchSize` parallel streams (`StreamSegments`) cut
  /// into segments of this many steps, the model's state carried from one segment into the next
  /// and reset at each epoch's (and each evaluation's) start; `shuffle` does not apply. Nil
  /// trains on the examples as they are, in shuffled batches.
  public var bpttSteps: Int?

  public init(epochs: Int, batchSize: Int, shuffle: Bool, bpttSteps: Int? = nil) {
    self.epochs = epochs
    self.batchSize = batchSize
    self.shuffle = shuffle
    self.bpttSteps = bpttSteps
  }
}

/// One row of the metrics files: one split after one epoch.
public struct EpochRecord: Sendable, Equatable {
  public var epoch: Int
  public var split: Split
  /// Mean loss per scored position (regression: per scored value), with the weights at the end
  /// of the epoch.
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

extension EpochRecord: Codable {
  enum CodingKeys: String, CodingKey {
    case epoch, split, loss, metrics
    case learningRate = "learning_rate"
    case seconds
    case tokensPerSecond = "tokens_per_second"
  }

  struct NamedValue: Codable {
    var name: String
    var value: Double?
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      epoch: try container.decode(Int.self, forKey: .epoch),
      split: try container.decode(Split.self, forKey: .split),
      loss: try container.decode(Double.self, forKey: .loss),
      metrics: try container.decode([NamedValue].self, forKey: .metrics).map {
        ($0.name, $0.value)
      },
      learningRate: try container.decode(Double.self, forKey: .learningRate),
      seconds: try container.decode(Double.self, forKey: .seconds),
      tokensPerSecond: try container.decode(Double.self, forKey: .tokensPerSecond))
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(epoch, forKey: .epoch)
    try container.encode(split, forKey: .split)
    try container.encode(loss, forKey: .loss)
    try container.encode(
      metrics.map { NamedValue(name: $0.name, value: $0.value) }, forKey: .metrics)
    try container.encode(learningRate, forKey: .learningRate)
    try container.encode(seconds, forKey: .seconds)
    try container.encode(tokensPerSecond, forKey: .tokensPerSecond)
  }
}

extension EpochRecord {
  /// `loss` or the value of a named metric.
  public func value(of name: String) -> Double? {
    name == "loss" ? loss : metrics.first { $0.name == name }?.value ?? nil
  }
}

/// What the trainer tells after each epoch.
public struct EpochReport: Sendable {
  public var epoch: Int
  /// Train, then dev and test where present.
  public var records: [EpochRecord]
  /// Early stopping's monitored metric reached a new best this epoch.
  public var isBest: Bool
  /// Early stopping ends training after this epoch.
  public var stopsTraining: Bool
  /// Where the trainer and the optimizer stand after this epoch, for a checkpoint.
  public var trainerState: TrainerState
  public var optimizerState: OptimizerState
}

/// A trainer's position in its plan, as a checkpoint stores it.
public struct TrainerState: Sendable, Codable, Equatable {
  public var completedEpochs: Int
  public var order: [Int]
  public var shuffler: SeededGenerator
  public var noise: TrainingNoise?
  /// The schedule's own state (`Schedule.encodedState()`).
  public var schedule: Data
  public var earlyStopping: EarlyStopping?
  /// Where an epoch stopped between two batches; nil at an epoch's end.
  public var partialEpoch: PartialEpoch?

  /// An epoch stopped after some of its batches: the order is already the epoch's (shuffled),
  /// and the sums of its training pass so far continue from here. With truncated BPTT the
  /// batches are the streams' segments, and `carried` is the state the last one done ended in,
  /// where the next one starts; it is not part of the JSON (a checkpoint stores its floats in a
  /// safetensors file of their own).
  public struct PartialEpoch: Sendable, Codable, Equatable {
    public var epoch: Int
    public var batchesDone: Int
    public var tokens: Int
    public var lossTotal: Double
    public var scored: Int
    public var seconds: Double
    public var carried: CarriedState<Float>? = nil

    public init(
      epoch: Int, batchesDone: Int, tokens: Int, lossTotal: Double, scored: Int, seconds: Double,
      carried: CarriedState<Float>? = nil
    ) {
      self.epoch = epoch
      self.batchesDone = batchesDone
      self.tokens = tokens
      self.lossTotal = lossTotal
      self.scored = scored
      self.seconds = seconds
      self.carried = carried
    }

    enum CodingKeys: String, CodingKey {
      case epoch
      case batchesDone = "batches_done"
      case tokens
      case lossTotal = "loss_total"
      case scored, seconds
    }
  }

  /// A saved state that does not fit the trainer it is restored into.
  public struct Mismatch: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public var description: String { "the trainer state does not fit this run: \(reason)" }
  }

  enum CodingKeys: String, CodingKey {
    case completedEpochs = "completed_epochs"
    case order, shuffler, noise, schedule
    case earlyStopping = "early_stopping"
    case partialEpoch = "partial_epoch"
  }
}

/// Training stopped between two batches because `Trainer.shouldStop` said so; the trainer's
/// `state()` then continues exactly there.
public struct TrainingInterrupted: Error, Sendable, CustomStringConvertible {
  /// The epoch under way, and its batches done (0: stopped at the epoch's start).
  public var epoch: Int
  public var batchesDone: Int

  public var description: String {
    "interrupted after batch \(batchesDone) of epoch \(epoch)"
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

/// Trains a model with minibatch BPTT and measures every split after every epoch.
public struct Trainer {
  public let network: any SequenceModel<Float>
  public var optimizer: any Optimizer
  public let dataset: any Dataset
  public let plan: TrainingPlan
  /// The step size, as the spec states it; the optimizer applies it in Float32.
  public let learningRate: Double
  /// Prototypes of the metrics to measure, copied fresh for each split and epoch.
  public let metrics: [any Metric]
  /// The learning rate per epoch, from `learningRate`.
  public var schedule: any Schedule
  public let clipping: GradientClipping
  /// Dropout and noise during training; `nil` trains without.
  public var noise: TrainingNoise?
  /// Ends training early when a monitored metric stalls; `nil` trains every epoch of the plan.
  public var earlyStopping: EarlyStopping?
  /// Epochs finished so far; training continues after them.
  public private(set) var completedEpochs = 0
  /// The order of the train examples, reshuffled (when the plan says so) at each epoch's start.
  private var order: [Int]
  /// Reused by every batch.
  private var gradients = ParameterSet<Float>()
  /// Draws the order of training examples each epoch.
  public var shuffler: SeededGenerator
  /// Asked after every batch (and before every epoch): true stops training there with
  /// `TrainingInterrupted`, the trainer's state saved mid-epoch.
  public var shouldStop: () -> Bool = { false }
  /// The epoch a restored state stopped in, continued by the next `trainEpoch`.
  private var partialEpoch: TrainerState.PartialEpoch?

  /// With truncated BPTT: each split as streams, built once.
  private let streams: [Split: StreamSegments]

  /// Sequences per evaluation batch: evaluation has no updates, so larger batches only save time.
  static var evaluationBatchSize: Int { 256 }

  public init(
    network: any SequenceModel<Float>, optimizer: any Optimizer, dataset: any Dataset,
    plan: TrainingPlan,
    learningRate: Double, metrics: [any Metric], shuffler: SeededGenerator,
    schedule: any Schedule = ConstantSchedule(), clipping: GradientClipping = GradientClipping()
  ) {
    self.network = network
    self.optimizer = optimizer
    self.dataset = dataset
    self.plan = plan
    self.learningRate = learningRate
    self.metrics = metrics
    self.shuffler = shuffler
    self.schedule = schedule
    self.clipping = clipping
    order = Array(dataset.examples(.train).indices)
    var streams: [Split: StreamSegments] = [:]
    if let steps = plan.bpttSteps {
      precondition(network.carriesState, "truncated BPTT needs a model that carries state")
      for split in dataset.availableSplits {
        streams[split] = StreamSegments(
          examples: dataset.examples(split), streams: plan.batchSize, steps: steps)
      }
    }
    self.streams = streams
  }

  /// Everything beyond the weights and the optimizer that a resumed run needs to continue
  /// exactly where this one stands.
  public func state() throws -> TrainerState {
    TrainerState(
      completedEpochs: completedEpochs, order: order, shuffler: shuffler, noise: noise,
      schedule: try schedule.encodedState(), earlyStopping: earlyStopping,
      partialEpoch: partialEpoch)
  }

  /// Continues from `state`, saved by a trainer built from the same spec.
  public mutating func restore(_ state: TrainerState) throws {
    guard state.order.sorted() == Array(dataset.examples(.train).indices) else {
      throw TrainerState.Mismatch(
        reason: "its example order does not cover this dataset's \(order.count) train examples")
    }
    if let partial = state.partialEpoch {
      let segments = streams[.train]
      let (whole, rest) = state.order.count.quotientAndRemainder(dividingBy: plan.batchSize)
      let batches = segments?.segmentCount ?? whole + (rest > 0 ? 1 : 0)
      guard partial.epoch == state.completedEpochs + 1, partial.epoch <= plan.epochs,
        partial.batchesDone >= 0, partial.batchesDone < batches
      else {
        throw TrainerState.Mismatch(
          reason: "it stopped after batch \(partial.batchesDone) of epoch \(partial.epoch), "
            + "which this plan does not have")
      }
      if let segments, partial.batchesDone > 0 {
        guard let carried = partial.carried else {
          throw TrainerState.Mismatch(
            reason: "it stopped after segment \(partial.batchesDone) of epoch \(partial.epoch) "
              + "without the state carried into the next segment")
        }
        let rows = segments.segment(partial.batchesDone - 1).count
        if let problem = network.problem(with: carried, rows: rows) {
          throw TrainerState.Mismatch(reason: "its carried state does not fit: \(problem)")
        }
      } else if partial.carried != nil {
        throw TrainerState.Mismatch(
          reason: "it carries a state, which only truncated BPTT past an epoch's first segment has")
      }
    }
    guard state.completedEpochs <= plan.epochs else {
      throw TrainerState.Mismatch(
        reason: "it has \(state.completedEpochs) epochs done of a plan of \(plan.epochs)")
    }
    completedEpochs = state.completedEpochs
    order = state.order
    shuffler = state.shuffler
    noise = state.noise
    try schedule.restoreState(state.schedule)
    earlyStopping = state.earlyStopping
    partialEpoch = state.partialEpoch
  }

  /// Runs the epochs of the plan after `completedEpochs`, or until early stopping ends them.
  /// `onBatch(epoch, batch, batches)` follows progress; `onEpoch` receives each epoch's report
  /// (with `completedEpochs` already counting it) and may throw to stop. Throws
  /// `TrainingDiverged` when a loss is not finite, and `TrainingInterrupted` when `shouldStop`
  /// asks to stop.
  public mutating func train(
    onBatch: (Int, Int, Int) -> Void = { _, _, _ in },
    onEpoch: (EpochReport) throws -> Void
  ) throws {
    while completedEpochs < plan.epochs {
      let epoch = completedEpochs + 1
      if partialEpoch == nil, shouldStop() {
        throw TrainingInterrupted(epoch: epoch, batchesDone: 0)
      }
      let rate = schedule.learningRate(epoch: epoch, base: learningRate)
      let pass = try trainEpoch(epoch, learningRate: rate) { onBatch(epoch, $0, $1) }
      var records: [EpochRecord] = []
      for split in dataset.availableSplits {
        var record = try evaluate(split, epoch: epoch, learningRate: rate)
        if split == .train {
          record.seconds = pass.seconds
          record.tokensPerSecond = Double(pass.tokens) / max(pass.seconds, 1e-9)
        }
        records.append(record)
      }
      schedule.epochEnded(records)
      let (isBest, stop) = earlyStopping?.update(records) ?? (false, false)
      completedEpochs = epoch
      try onEpoch(
        EpochReport(
          epoch: epoch, records: records, isBest: isBest, stopsTraining: stop,
          trainerState: try state(), optimizerState: optimizer.state))
      if stop { return }
    }
  }

  /// One pass of minibatch updates over the train split (reshuffled first when the plan says
  /// so), without evaluation, at `rate` (the base learning rate when nil), with the noise and
  /// clipping of the trainer. With truncated BPTT the batches are the streams' segments in
  /// order, each starting from the state the one before ended in (the first from zero), and the
  /// state is left at zero afterwards. `onBatch(batch, batches)` follows progress; `epoch` only
  /// labels a divergence. An epoch restored mid-way (`TrainerState.partialEpoch`) continues
  /// after its batches done, without a new shuffle (and from the carried state it kept); when
  /// `shouldStop` says so after a batch that is not the epoch's last, the position is kept for
  /// `state()` and `TrainingInterrupted` is thrown.
  /// Returns the wall time, the tokens trained on and the mean training loss per
  /// scored token over the epoch's batches (each with the weights before its update).
  public mutating func trainEpoch(
    _ epoch: Int, learningRate rate: Double? = nil, onBatch: (Int, Int) -> Void = { _, _ in }
  ) throws -> (seconds: Double, tokens: Int, loss: Double) {
    let network = self.network
    if !gradients.hasSameLayout(as: network.parameters) { gradients = network.parameters.zeros() }
    let step = Float(rate ?? learningRate)
    let info = dataset.info
    let resumed = partialEpoch
    partialEpoch = nil
    let segments = streams[.train]
    let batches: Int
    let members: (Int) -> [SequenceExample]
    if let segments {
      batches = segments.segmentCount
      members = { segments.segment($0) }
    } else {
      if plan.shuffle, resumed == nil { shuffler.shuffle(&order) }
      // Written so that no batch size, however large, overflows: the last batch takes the rest.
      let (whole, rest) = order.count.quotientAndRemainder(dividingBy: plan.batchSize)
      batches = whole + (rest > 0 ? 1 : 0)
      let (order, size, examples) = (order, plan.batchSize, dataset.examples(.train))
      members = { batchIndex in
        let first = batchIndex * size
        return order[first..<(first + min(size, order.count - first))].map { examples[$0] }
      }
    }
    let start = Date().addingTimeInterval(-(resumed?.seconds ?? 0))
    var tokens = resumed?.tokens ?? 0
    var total = resumed?.lossTotal ?? 0
    var scored = resumed?.scored ?? 0
    var carried = resumed?.carried
    defer { if segments != nil { network.initialState = nil } }
    func makeBatch(_ index: Int) -> SequenceBatch<Float> {
      SequenceBatch(examples: members(index), task: info.task, inputSize: info.inputSize)
    }
    var batchIndex = resumed?.batchesDone ?? 0
    var upcoming = batchIndex < batches ? makeBatch(batchIndex) : nil
    while var batch = upcoming {
      if segments != nil { network.initialState = carried?.prefix(rows: batch.batchSize) }
      let loss = try lossAndGradients(&batch, epoch: epoch, batchIndex: batchIndex)
      // The next batch is built while the optimizer steps; it does not depend on the weights.
      let following = batchIndex + 1 < batches ? batchIndex + 1 : nil
      network.alongside(
        { optimizer.step(&network.parameters, gradients: gradients, learningRate: step) },
        { upcoming = following.map(makeBatch) })
      if segments != nil { carried = network.finalState(for: batch) }
      tokens += batch.lengths.reduce(0, +)
      total += loss.total
      scored += loss.scored
      batchIndex += 1
      onBatch(batchIndex, batches)
      if batchIndex < batches, shouldStop() {
        partialEpoch = TrainerState.PartialEpoch(
          epoch: epoch, batchesDone: batchIndex, tokens: tokens, lossTotal: total,
          scored: scored, seconds: Date().timeIntervalSince(start), carried: carried)
        throw TrainingInterrupted(epoch: epoch, batchesDone: batchIndex)
      }
    }
    return (Date().timeIntervalSince(start), tokens, scored == 0 ? 0 : total / Double(scored))
  }

  /// The loss of one minibatch and its gradients, with the noise and clipping of the trainer, in
  /// `gradients` for the optimizer's step.
  private mutating func lossAndGradients(
    _ batch: inout SequenceBatch<Float>, epoch: Int, batchIndex: Int
  ) throws -> BatchLoss {
    let network = self.network
    noise?.perturb(&batch)
    var clean: ParameterSet<Float>?
    if let noisy = noise?.perturbed(network.parameters) {
      clean = network.parameters
      network.parameters = noisy
    }
    let masks = noise?.masks(
      for: network.dropoutLayout, rows: batch.targets.count,
      hiddenRows: batch.steps * batch.batchSize)
    let loss = network.lossAndGradients(for: batch, into: &gradients, dropout: masks)
    if let clean { network.parameters = clean }
    guard loss.mean.isFinite else {
      throw TrainingDiverged(epoch: epoch, batch: batchIndex + 1, loss: loss.mean)
    }
    clipping.apply(to: &gradients)
    return loss
  }

  /// Loss and metrics of one split with the current weights; `learningRate` is recorded as the
  /// rate in force.
  /// With truncated BPTT the split is read as streams like the train split, the state carried
  /// from segment to segment.
  public func evaluate(_ split: Split, epoch: Int, learningRate: Double) throws -> EpochRecord {
    let start = Date()
    var tallies = metrics
    var total = 0.0
    var scored = 0
    var tokens = 0
    forEachEvaluation(of: split) { batch, evaluation in
      total += evaluation.loss.total
      scored += evaluation.loss.scored
      tokens += batch.lengths.reduce(0, +)
      let targets = batch.scoring
      for index in tallies.indices { tallies[index].add(evaluation, targets: targets) }
    }
    let loss = scored == 0 ? 0 : total / Double(scored)
    guard loss.isFinite else { throw TrainingDiverged(epoch: epoch, batch: nil, loss: loss) }
    let seconds = Date().timeIntervalSince(start)
    return EpochRecord(
      epoch: epoch, split: split, loss: loss,
      metrics: tallies.map { ($0.name, $0.value) }, learningRate: learningRate,
      seconds: seconds, tokensPerSecond: Double(tokens) / max(seconds, 1e-9))
  }

  /// The confusion matrix of one split with the current weights; `nil` for regression.
  public func confusion(_ split: Split) -> ConfusionMatrix? {
    let info = dataset.info
    guard !info.task.isRegression else { return nil }
    var matrix = ConfusionMatrix(classes: info.outputSize)
    forEachEvaluation(of: split) { batch, evaluation in
      matrix.add(evaluation, targets: batch.scoring)
    }
    return matrix
  }

  /// Evaluates `split` batch by batch with the current weights: in batches of
  /// `evaluationBatchSize` examples, or with truncated BPTT segment by segment of its streams,
  /// each starting from the state the one before ended in (the model's state left at zero).
  private func forEachEvaluation(
    of split: Split, _ body: (SequenceBatch<Float>, BatchEvaluation) -> Void
  ) {
    let info = dataset.info
    if let segments = streams[split] {
      var carried: CarriedState<Float>?
      defer { network.initialState = nil }
      for k in 0..<segments.segmentCount {
        let batch = SequenceBatch<Float>(
          examples: segments.segment(k), task: info.task, inputSize: info.inputSize)
        network.initialState = carried?.prefix(rows: batch.batchSize)
        body(batch, network.evaluate(batch))
        carried = network.finalState(for: batch)
      }
      return
    }
    let examples = dataset.examples(split)
    var first = 0
    while first < examples.count {
      let last = min(examples.count, first + Self.evaluationBatchSize)
      let batch = SequenceBatch<Float>(
        examples: Array(examples[first..<last]), task: info.task, inputSize: info.inputSize)
      body(batch, network.evaluate(batch))
      first = last
    }
  }
}

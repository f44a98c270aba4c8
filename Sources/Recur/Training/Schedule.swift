import Foundation

/// The learning rate over the epochs of a run. Epochs count from 1; the rate is fixed within an
/// epoch.
public protocol Schedule: Sendable {
  /// The rate for `epoch`, from the optimizer's `base` rate. Called once per epoch, in order.
  mutating func learningRate(epoch: Int, base: Double) -> Double
  /// The records of an epoch that has just ended, for schedules that react to a metric.
  mutating func epochEnded(_ records: [EpochRecord])
  /// What the schedule has learnt so far, as JSON, for checkpoints.
  func encodedState() throws -> Data
  /// Takes back a state from `encodedState()` of a schedule built from the same options.
  mutating func restoreState(_ data: Data) throws
}

extension Schedule {
  public mutating func epochEnded(_ records: [EpochRecord]) {}
}

extension Schedule where Self: Codable {
  public func encodedState() throws -> Data {
    try JSONEncoder().encode(self)
  }

  public mutating func restoreState(_ data: Data) throws {
    self = try JSONDecoder().decode(Self.self, from: data)
  }
}

/// The base rate throughout.
public struct ConstantSchedule: Schedule, Codable {
  public init() {}

  public mutating func learningRate(epoch: Int, base: Double) -> Double { base }
}

/// η = base · γ^⌊(epoch − 1) / stepSize⌋: multiplied by γ every `stepSize` epochs.
public struct StepSchedule: Schedule, Codable {
  public let stepSize: Int
  public let gamma: Double

  public init(stepSize: Int, gamma: Double) {
    self.stepSize = stepSize
    self.gamma = gamma
  }

  public mutating func learningRate(epoch: Int, base: Double) -> Double {
    base * pow(gamma, Double((epoch - 1) / stepSize))
  }
}

/// η = base · γ^(epoch − 1).
public struct ExponentialSchedule: Schedule, Codable {
  public let gamma: Double

  public init(gamma: Double) {
    self.gamma = gamma
  }

  public mutating func learningRate(epoch: Int, base: Double) -> Double {
    base * pow(gamma, Double(epoch - 1))
  }
}

/// Linear warm-up, then cosine annealing to a floor over the remaining epochs.
///
/// During the first `warmupEpochs` epochs η = base · epoch / (warmupEpochs + 1). After them, with
/// p = (epoch − 1 − warmupEpochs) / (epochs − warmupEpochs) running from 0 up to (but not
/// reaching) 1, η = floor + ½(base − floor)(1 + cos πp): the base rate on the first epoch after
/// warm-up, falling towards the floor by the last.
public struct CosineSchedule: Schedule, Codable {
  public let epochs: Int
  public let warmupEpochs: Int
  public let floor: Double

  public init(epochs: Int, warmupEpochs: Int, floor: Double) {
    self.epochs = epochs
    self.warmupEpochs = warmupEpochs
    self.floor = floor
  }

  public mutating func learningRate(epoch: Int, base: Double) -> Double {
    if epoch <= warmupEpochs { return base * Double(epoch) / Double(warmupEpochs + 1) }
    let progress = Double(epoch - 1 - warmupEpochs) / Double(max(1, epochs - warmupEpochs))
    return floor + 0.5 * (base - floor) * (1 + cos(Double.pi * progress))
  }
}

/// Reduces the rate by `factor` when a monitored metric has not improved for more than
/// `patience` epochs, as the common frameworks' reduce-on-plateau does: a value improves on the
/// best so far when it beats it by more than `threshold` relative to it (below best·(1 − threshold)
/// when smaller is better, above best·(1 + threshold) when larger is); after `patience` epochs in
/// a row without improvement, the next one without it multiplies the rate by `factor` (not below
/// `floor`) and the count starts again.
public struct PlateauSchedule: Schedule, Codable {
  public let split: Split
  public let metric: String
  public let goal: MetricGoal
  public let factor: Double
  public let patience: Int
  public let threshold: Double
  public let floor: Double
  private var scale = 1.0
  private var best: Double?
  private var epochsWithoutImprovement = 0

  public init(
    split: Split, metric: String, goal: MetricGoal, factor: Double, patience: Int,
    threshold: Double, floor: Double
  ) {
    self.split = split
    self.metric = metric
    self.goal = goal
    self.factor = factor
    self.patience = patience
    self.threshold = threshold
    self.floor = floor
  }

  public mutating func learningRate(epoch: Int, base: Double) -> Double {
    max(base * scale, min(base, floor))
  }

  public mutating func epochEnded(_ records: [EpochRecord]) {
    guard let record = records.first(where: { $0.split == split }),
      let value = record.value(of: metric), value.isFinite
    else { return }
    let improved: Bool
    if let best {
      improved =
        goal == .min ? value < best - abs(best) * threshold : value > best + abs(best) * threshold
    } else {
      improved = true
    }
    if improved {
      best = value
      epochsWithoutImprovement = 0
      return
    }
    epochsWithoutImprovement += 1
    if epochsWithoutImprovement > patience {
      scale *= factor
      epochsWithoutImprovement = 0
    }
  }
}

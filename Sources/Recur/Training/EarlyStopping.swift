/// Stops training when a monitored metric has not improved for `patience` epochs, and tells which
/// epoch holds the best value so far.
public struct EarlyStopping: Sendable, Codable, Equatable {
  public let split: Split
  public let metric: String
  public let goal: MetricGoal
  public let patience: Int
  /// The smallest change over the best value that counts as an improvement.
  public let minDelta: Double
  public private(set) var best: Double?
  public private(set) var bestEpoch: Int?
  private var epochsWithoutImprovement = 0

  public init(split: Split, metric: String, goal: MetricGoal, patience: Int, minDelta: Double) {
    self.split = split
    self.metric = metric
    self.goal = goal
    self.patience = patience
    self.minDelta = minDelta
  }

  /// Takes an epoch's records: whether the monitored value is a new best, and whether training
  /// should stop after this epoch (`patience` epochs in a row without improvement).
  public mutating func update(_ records: [EpochRecord]) -> (isBest: Bool, stop: Bool) {
    guard let record = records.first(where: { $0.split == split }),
      let value = record.value(of: metric), value.isFinite
    else {
      epochsWithoutImprovement += 1
      return (false, epochsWithoutImprovement >= patience)
    }
    let improved: Bool
    if let best {
      improved = goal == .max ? value > best + minDelta : value < best - minDelta
    } else {
      improved = true
    }
    if improved {
      best = value
      bestEpoch = record.epoch
      epochsWithoutImprovement = 0
      return (true, false)
    }
    epochsWithoutImprovement += 1
    return (false, epochsWithoutImprovement >= patience)
  }
}

/// Whether a larger or a smaller value of a metric is better.
public enum MetricGoal: String, Sendable, Codable {
  case max, min
}

/// A quantity measured over one split's evaluation, batch by batch. A registered metric is a
/// fresh tally; the trainer copies it for each split and epoch.
public protocol Metric: Sendable {
  /// The column name in the metrics files.
  var name: String { get }
  var goal: MetricGoal { get }
  /// Adds one evaluated batch; `targets` are the batch's targets (−1 = not scored).
  mutating func add(_ evaluation: BatchEvaluation, targets: [Int32])
  /// The value over everything added so far; `nil` before anything was scored.
  var value: Double? { get }
}

/// Share of scored positions (tokens for tagging, sequences for classification) predicted right.
public struct Accuracy: Metric {
  public let name = "accuracy"
  public let goal = MetricGoal.max
  private var correct = 0
  private var scored = 0

  public init() {}

  public mutating func add(_ evaluation: BatchEvaluation, targets: [Int32]) {
    for (prediction, target) in zip(evaluation.predictions, targets) where target >= 0 {
      scored += 1
      if prediction == target { correct += 1 }
    }
  }

  public var value: Double? {
    scored == 0 ? nil : Double(correct) / Double(scored)
  }
}

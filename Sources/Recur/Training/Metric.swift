/// Whether a larger or a smaller value of a metric is better.
public enum MetricGoal: String, Sendable, Codable, CaseIterable {
  case min, max
}

/// A quantity measured over one split's evaluation, batch by batch. A registered metric is a
/// fresh tally; the trainer copies it for each split and epoch.
public protocol Metric: Sendable {
  /// The column name in the metrics files.
  var name: String { get }
  var goal: MetricGoal { get }
  /// Whether the value is a share in [0, 1] (printed as a percentage) rather than a quantity.
  var isProportion: Bool { get }
  /// Adds one evaluated batch.
  mutating func add(_ evaluation: BatchEvaluation, targets: BatchTargets)
  /// The value over everything added so far; `nil` before anything was scored (or when the
  /// metric does not apply to the task).
  var value: Double? { get }
}

extension Metric {
  public var isProportion: Bool { true }
}

/// A share of counted items that were right: the tally behind the accuracies, for a metric of
/// one's own.
public struct Tally: Sendable, Equatable {
  /// Items counted right so far.
  public private(set) var correct = 0
  /// Items counted so far.
  public private(set) var counted = 0

  /// An empty tally.
  public init() {}

  /// Counts one item, right or not.
  public mutating func count(_ right: Bool) {
    counted += 1
    if right { correct += 1 }
  }

  /// correct / counted, or nil before anything was counted.
  public var share: Double? { counted == 0 ? nil : Double(correct) / Double(counted) }
}

/// Share of scored positions (tokens for tagging, sequences for classification) predicted right.
/// Classification only.
public struct Accuracy: Metric {
  public let name = "accuracy"
  public let goal = MetricGoal.max
  private var tally = Tally()

  public init() {}

  public mutating func add(_ evaluation: BatchEvaluation, targets: BatchTargets) {
    guard !targets.task.isRegression else { return }
    for (prediction, target) in zip(evaluation.predictions, targets.classes) where target >= 0 {
      tally.count(prediction == target)
    }
  }

  public var value: Double? { tally.share }
}

/// Share of sequences whose every scored position is predicted right (for sequence
/// classification the same as accuracy). Sequences with nothing scored are not counted.
/// Classification only.
public struct SequenceAccuracy: Metric {
  public let name = "sequence_accuracy"
  public let goal = MetricGoal.max
  private var tally = Tally()

  public init() {}

  public mutating func add(_ evaluation: BatchEvaluation, targets: BatchTargets) {
    guard !targets.task.isRegression else { return }
    for b in targets.lengths.indices {
      let scored = targets.rows(ofSequence: b).filter { targets.classes[$0] >= 0 }
      guard !scored.isEmpty else { continue }
      tally.count(scored.allSatisfy { evaluation.predictions[$0] == targets.classes[$0] })
    }
  }

  public var value: Double? { tally.share }
}

/// Token accuracy restricted to words that were in the vocabulary (`known: true`) or outside it
/// (`known: false`). Tagging datasets only: `nil` when the data does not mark unknown words.
public struct WordAccuracy: Metric {
  public let known: Bool
  public var name: String { known ? "known_word_accuracy" : "unknown_word_accuracy" }
  public let goal = MetricGoal.max
  private var tally = Tally()

  public init(known: Bool) {
    self.known = known
  }

  public mutating func add(_ evaluation: BatchEvaluation, targets: BatchTargets) {
    guard !targets.task.isRegression, !targets.unknown.isEmpty else { return }
    for (row, target) in targets.classes.enumerated()
    where target >= 0 && targets.unknown[row] != known {
      tally.count(evaluation.predictions[row] == target)
    }
  }

  public var value: Double? { tally.share }
}

/// Mean over scored values of (y − z)² (`absolute: false`, MSE) or |y − z| (`absolute: true`,
/// MAE). Regression only.
public struct RegressionError: Metric {
  public let absolute: Bool
  public var name: String { absolute ? "mae" : "mse" }
  public let goal = MetricGoal.min
  public var isProportion: Bool { false }
  private var total = 0.0
  private var counted = 0

  public init(absolute: Bool) {
    self.absolute = absolute
  }

  public mutating func add(_ evaluation: BatchEvaluation, targets: BatchTargets) {
    guard targets.task.isRegression, !targets.classes.isEmpty else { return }
    let width = targets.values.count / targets.classes.count
    for (row, target) in targets.classes.enumerated() where target >= 0 {
      for k in 0..<width {
        let difference = evaluation.outputs[row * width + k] - targets.values[row * width + k]
        total += absolute ? abs(difference) : difference * difference
        counted += 1
      }
    }
  }

  public var value: Double? { counted == 0 ? nil : total / Double(counted) }
}

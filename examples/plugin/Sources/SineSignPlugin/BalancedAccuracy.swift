import Experiments
import Recur

/// The mean over classes of each class's recall: the share of its scored positions predicted
/// right, averaged over the classes that occur. A model that always predicts the majority class
/// scores 1/K however lopsided the classes are. Classification only.
public struct BalancedAccuracy: Metric {
  public let name = "balanced_accuracy"
  public let goal = MetricGoal.max
  /// Per target class, its scored positions and how many were predicted right.
  private var recalls: [Int32: Tally] = [:]

  public init() {}

  public mutating func add(_ evaluation: BatchEvaluation, targets: BatchTargets) {
    guard !targets.task.isRegression else { return }
    for (prediction, target) in zip(evaluation.predictions, targets.classes) where target >= 0 {
      recalls[target, default: Tally()].count(prediction == target)
    }
  }

  public var value: Double? {
    guard !recalls.isEmpty else { return nil }
    // Summed in class order: a dictionary's order changes from process to process.
    let shares = recalls.sorted { $0.key < $1.key }.compactMap(\.value.share)
    return shares.reduce(0, +) / Double(shares.count)
  }

  /// The metric as the registry knows it: `training.metrics: [balanced_accuracy]`.
  public static let component = Component<MetricFactory>(
    name: "balanced_accuracy",
    summary: "mean over classes of the share of each class's positions predicted right",
    make: { BalancedAccuracy() })
}

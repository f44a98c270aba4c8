import Foundation

/// Counts of (gold class, predicted class) pairs over a split's scored positions, and the
/// per-class precision, recall and F1 they imply.
public struct ConfusionMatrix: Sendable, Equatable {
  /// `counts[gold][predicted]`, K × K.
  public private(set) var counts: [[Int]]

  public init(classes: Int) {
    counts = Array(repeating: Array(repeating: 0, count: classes), count: classes)
  }

  public var classes: Int { counts.count }

  /// Adds every scored position of an evaluated batch.
  public mutating func add(_ evaluation: BatchEvaluation, targets: BatchTargets) {
    for (prediction, target) in zip(evaluation.predictions, targets.classes)
    where target >= 0 && prediction >= 0 {
      counts[Int(target)][Int(prediction)] += 1
    }
  }

  /// Positions whose gold class is k (row sum).
  public func support(_ k: Int) -> Int { counts[k].reduce(0, +) }

  /// Positions predicted as k (column sum).
  public func predicted(_ k: Int) -> Int { counts.reduce(0) { $0 + $1[k] } }

  /// counts[k][k] / predicted(k); 0 when nothing was predicted as k.
  public func precision(_ k: Int) -> Double {
    let p = predicted(k)
    return p == 0 ? 0 : Double(counts[k][k]) / Double(p)
  }

  /// counts[k][k] / support(k); 0 when k never occurs.
  public func recall(_ k: Int) -> Double {
    let s = support(k)
    return s == 0 ? 0 : Double(counts[k][k]) / Double(s)
  }

  /// 2PR / (P + R); 0 when both are 0.
  public func f1(_ k: Int) -> Double {
    let (p, r) = (precision(k), recall(k))
    return p + r == 0 ? 0 : 2 * p * r / (p + r)
  }

  /// The classes that occur in the gold labels or the predictions.
  public var presentClasses: [Int] {
    (0..<classes).filter { support($0) > 0 || predicted($0) > 0 }
  }

  /// The unweighted mean of F1 over `presentClasses` (a class absent from both the gold labels
  /// and the predictions has no defined F1 and is left out); `nil` when nothing was counted.
  public var macroF1: Double? {
    let present = presentClasses
    guard !present.isEmpty else { return nil }
    return present.map(f1).reduce(0, +) / Double(present.count)
  }

  /// A CSV table: a header `gold\predicted` then the labels, and one row per gold label.
  public func csv(labels: [String]) -> String {
    CSV.text(
      [["gold\\predicted"] + labels]
        + counts.enumerated().map { k, row in [labels[k]] + row.map(String.init) })
  }
}

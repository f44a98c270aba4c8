/// The loss of a batch: cross-entropy for classification, ½(y − z)² for regression.
public struct BatchLoss: Sendable, Equatable {
  /// Summed loss over scored positions (regression: over scored values).
  public var total: Double
  /// Scored positions (targets ≥ 0: framewise the labelled steps, sequence B); for regression
  /// the scored values, K per scored position.
  public var scored: Int

  public init(total: Double, scored: Int) {
    self.total = total
    self.scored = scored
  }

  /// `total / scored`, or 0 when nothing is scored.
  public var mean: Double { scored > 0 ? total / Double(scored) : 0 }
}

/// Loss and predictions of a forward pass.
public struct BatchEvaluation: Sendable {
  /// The batch's loss.
  public var loss: BatchLoss
  /// Argmax class, aligned with `batch.targets` (-1 where not scored; regression: 0 where
  /// scored).
  public var predictions: [Int32]
  /// Regression only: the outputs y, K per row of `batch.targets`, row-major; empty otherwise.
  public var outputs: [Double]

  public init(loss: BatchLoss, predictions: [Int32], outputs: [Double] = []) {
    self.loss = loss
    self.predictions = predictions
    self.outputs = outputs
  }
}

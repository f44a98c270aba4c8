/// The cross-entropy of a batch.
public struct BatchLoss: Sendable, Equatable {
  /// Summed cross-entropy over scored positions.
  public var total: Double
  /// Scored positions (targets ≥ 0: framewise the labelled steps, sequence B).
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
  /// Argmax class, aligned with `batch.targets` (-1 where not scored).
  public var predictions: [Int32]

  public init(loss: BatchLoss, predictions: [Int32]) {
    self.loss = loss
    self.predictions = predictions
  }
}

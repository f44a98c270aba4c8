import Tensors

/// Linear output with squared error against real targets, on `[rows × K]` outputs in place
/// (docs/MATH.md, "Output layer and losses": y = a, loss ½ Σ (y − z)², δ = y − z).
///
/// Row r is scored when `targets[r] ≥ 0`; its K targets are `values[r·K ..< (r+1)·K]`. The loss
/// reported is the sum over scored rows r and outputs k of ½(y_rk − z_rk)², and the mean is taken
/// over the N = (scored rows)·K scored values, so `loss.mean` is half the mean squared error.
enum SquaredError {
  /// Loss and the outputs (0 on unscored rows); predictions are 0 on scored rows, -1 elsewhere.
  static func evaluate<Scalar: BLASScalar>(
    outputs: UnsafePointer<Scalar>, width: Int, targets: [Int32], values: [Double]
  ) -> BatchEvaluation {
    var total = 0.0
    var scored = 0
    var copied = [Double](repeating: 0, count: targets.count * width)
    for (r, target) in targets.enumerated() where target >= 0 {
      for k in 0..<width {
        let y = Double(outputs[r * width + k])
        let difference = y - values[r * width + k]
        total += 0.5 * difference * difference
        copied[r * width + k] = y
      }
      scored += width
    }
    return BatchEvaluation(
      loss: BatchLoss(total: total, scored: scored),
      predictions: targets.map { $0 >= 0 ? 0 : -1 }, outputs: copied)
  }

  /// Replaces the outputs by δ_k = (y − z) / N on scored rows and 0 elsewhere, the gradient of
  /// the mean loss with respect to the outputs; returns the loss.
  static func lossAndDeltas<Scalar: BLASScalar>(
    outputs: UnsafeMutablePointer<Scalar>, width: Int, targets: [Int32], values: [Double]
  ) -> BatchLoss {
    let scored = targets.reduce(0) { $0 + ($1 >= 0 ? width : 0) }
    let scale = scored > 0 ? 1 / Scalar(scored) : 0
    var total = 0.0
    for (r, target) in targets.enumerated() {
      let row = outputs + r * width
      guard target >= 0 else {
        for k in 0..<width { row[k] = 0 }
        continue
      }
      for k in 0..<width {
        let difference = row[k] - Scalar(values[r * width + k])
        total += 0.5 * Double(difference) * Double(difference)
        row[k] = difference * scale
      }
    }
    return BatchLoss(total: total, scored: scored)
  }
}

import Tensors

/// Softmax output with cross-entropy against class indices, on `[rows × K]` logits in place.
///
/// Row r is scored when `targets[r] ≥ 0`. Numerically stable: with m = max_j a_j,
/// `−ln y_z = ln Σ_j e^(a_j − m) − (a_z − m)`.
enum SoftmaxCrossEntropy {
  /// Loss and argmax predictions (-1 on unscored rows); leaves `logits` unchanged.
  static func evaluate<Scalar: BLASScalar>(
    logits: UnsafePointer<Scalar>, classes: Int, targets: [Int32]
  ) -> BatchEvaluation {
    var total = 0.0
    var scored = 0
    var predictions = [Int32](repeating: -1, count: targets.count)
    for (r, target) in targets.enumerated() where target >= 0 {
      let row = logits + r * classes
      let (maximum, argmax) = rowMaximum(row, classes: classes)
      var sum: Scalar = 0
      for j in 0..<classes { sum += Scalar.exp(row[j] - maximum) }
      total += Double(Scalar.log(sum) - (row[Int(target)] - maximum))
      scored += 1
      predictions[r] = Int32(argmax)
    }
    return BatchEvaluation(loss: BatchLoss(total: total, scored: scored), predictions: predictions)
  }

  /// The softmax of every row, `rows × classes` row-major.
  static func probabilities<Scalar: BLASScalar>(
    logits: UnsafePointer<Scalar>, classes: Int, rows: Int
  ) -> [Double] {
    var result = [Double](repeating: 0, count: rows * classes)
    for r in 0..<rows {
      let row = logits + r * classes
      let (maximum, _) = rowMaximum(row, classes: classes)
      var sum = 0.0
      for j in 0..<classes {
        let e = Double(Scalar.exp(row[j] - maximum))
        result[r * classes + j] = e
        sum += e
      }
      for j in 0..<classes { result[r * classes + j] /= sum }
    }
    return result
  }

  /// Replaces the logits of `rows` by δ_k = (y − z)·`scale` on scored rows and 0 elsewhere;
  /// with `scale` = 1 / (scored rows of the batch), the gradient of the mean loss with respect
  /// to the logits (docs/MATH.md, "Output layer and losses"). Row r's loss, −ln y_z, goes to
  /// `terms[r]` (unscored rows are left alone). Rows are independent, so two threads may take
  /// disjoint ranges of one batch.
  static func lossAndDeltas<Scalar: BLASScalar>(
    logits: UnsafeMutablePointer<Scalar>, classes: Int, targets: [Int32], rows: Range<Int>,
    scale: Scalar, terms: UnsafeMutablePointer<Double>
  ) {
    for r in rows {
      let row = logits + r * classes
      let target = targets[r]
      guard target >= 0 else {
        for j in 0..<classes { row[j] = 0 }
        continue
      }
      let (maximum, _) = rowMaximum(row, classes: classes)
      let z = Int(target)
      let shiftedTarget = row[z] - maximum
      // The exponentials first, then their sum in the same order: summed beside each call, the
      // running sum was kept in memory across it.
      for j in 0..<classes { row[j] = Scalar.exp(row[j] - maximum) }
      var sum: Scalar = 0
      for j in 0..<classes { sum += row[j] }
      terms[r] = Double(Scalar.log(sum) - shiftedTarget)
      let normaliser = scale / sum
      for j in 0..<classes { row[j] *= normaliser }
      row[z] -= scale
    }
  }

  private static func rowMaximum<Scalar: BLASScalar>(
    _ row: UnsafePointer<Scalar>, classes: Int
  ) -> (Scalar, Int) {
    var maximum = row[0]
    var argmax = 0
    for j in 1..<max(classes, 1) where row[j] > maximum {
      maximum = row[j]
      argmax = j
    }
    return (maximum, argmax)
  }
}

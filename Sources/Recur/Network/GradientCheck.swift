import Tensors

/// Central finite differences in Float64 against BPTT (docs/MATH.md, "Gradient checking").
public struct GradientCheck {
  /// The worst entry of one parameter.
  public struct Result: Sendable {
    public var key: String
    /// The largest error over the checked entries, each |g_num − g_bptt| divided by
    /// `max(|g_num|, |g_bptt|, floorShare · ‖g_bptt‖_∞, 1e-8)`, ‖g_bptt‖_∞ the largest
    /// gradient entry of the whole model.
    public var maxRelativeError: Double
    public var entriesChecked: Int
  }

  /// The share of the model's largest gradient entry below which an entry's error is measured
  /// against that floor instead of its own gradient.
  public static let floorShare = 1e-3

  /// The fourth-order central difference `(f(−2ε) − 8·f(−ε) + 8·f(ε) − f(2ε)) / 12ε` of
  /// `loss(offset)` at 0. Its truncation error is O(ε⁴), so a step large enough to keep the
  /// loss's rounding small (that error grows as 1/ε) stays exact: in Float64 a stacked LSTM's
  /// worst entry is about 2e-7 at ε = 5e-3, where the two-point difference cannot get below
  /// 1e-6 at any ε.
  public static func derivative(epsilon: Double, _ loss: (Double) -> Double) -> Double {
    (loss(-2 * epsilon) - 8 * loss(-epsilon) + 8 * loss(epsilon) - loss(2 * epsilon))
      / (12 * epsilon)
  }

  /// For every parameter key (all entries, or at most `maxEntriesPerKey` spread evenly over it),
  /// the numerical gradient (`derivative(epsilon:_:)`) of the loss summed over the scored
  /// positions against BPTT's, as an error relative to the larger of the entry's own gradient
  /// and a thousandth of the model's largest one (`floorShare`). Entries whose true gradient
  /// is nearly zero would otherwise be measured against nothing but the differences' rounding,
  /// and fail on a correct implementation. The model's parameters are restored afterwards.
  public static func run(
    model: any SequenceModel<Double>, batch: SequenceBatch<Double>,
    epsilon: Double = 5e-3, maxEntriesPerKey: Int? = nil
  ) -> [Result] {
    var gradients = model.parameters.zeros()
    let scored = Double(model.lossAndGradients(for: batch, into: &gradients, dropout: nil).scored)
    let largest = gradients.values.reduce(0.0) { worst, matrix in
      matrix.elements.reduce(worst) { max($0, abs($1) * scored) }
    }
    var results: [Result] = []
    for (keyIndex, key) in model.parameters.keys.enumerated() {
      let count = model.parameters.values[keyIndex].count
      let checked = min(count, max(1, maxEntriesPerKey ?? count))
      let analytic = gradients.values[keyIndex].elements.map { $0 * scored }
      var worst = 0.0
      for sample in 0..<checked {
        let entry = sample * count / checked
        let original = model.parameters.values[keyIndex].elements[entry]
        let numerical = derivative(epsilon: epsilon) { offset in
          model.parameters.values[keyIndex].elements[entry] = original + offset
          return model.evaluate(batch).loss.total
        }
        model.parameters.values[keyIndex].elements[entry] = original
        let scale = max(
          abs(numerical), abs(analytic[entry]), floorShare * largest, 1e-8)
        worst = max(worst, abs(numerical - analytic[entry]) / scale)
      }
      results.append(Result(key: key, maxRelativeError: worst, entriesChecked: checked))
    }
    return results
  }
}

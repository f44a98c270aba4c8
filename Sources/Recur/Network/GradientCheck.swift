import Tensors

/// Central finite differences in Float64 against BPTT (docs/MATH.md, "Gradient checking").
public struct GradientCheck {
  /// The worst entry of one parameter.
  public struct Result: Sendable {
    public var key: String
    /// The largest error over the checked entries, each |g_num − g_bptt| divided by
    /// `max(|g_num|, |g_bptt|, floorShare · ‖g_bptt‖_∞, 1e-8)`, ‖g_bptt‖_∞ the parameter's
    /// largest gradient entry.
    public var maxRelativeError: Double
    public var entriesChecked: Int
  }

  /// The share of a parameter's largest gradient entry below which an entry's error is
  /// measured against that floor instead of its own gradient.
  public static let floorShare = 1e-3

  /// For every parameter key (all entries, or at most `maxEntriesPerKey` spread evenly over it),
  /// the numerical gradient `(O(θ+ε) − O(θ−ε)) / 2ε` of the loss summed over the scored
  /// positions against BPTT's, as an error relative to the larger of the entry's own gradient
  /// and a thousandth of the parameter's largest one (`floorShare`). Entries whose true gradient
  /// is nearly zero would otherwise be measured against nothing but the differences' rounding,
  /// and fail on a correct implementation. The model's parameters are restored afterwards.
  public static func run(
    model: any SequenceModel<Double>, batch: SequenceBatch<Double>,
    epsilon: Double = 1e-6, maxEntriesPerKey: Int? = nil
  ) -> [Result] {
    var gradients = model.parameters.zeros()
    let scored = Double(model.lossAndGradients(for: batch, into: &gradients, dropout: nil).scored)
    var results: [Result] = []
    for (keyIndex, key) in model.parameters.keys.enumerated() {
      let count = model.parameters.values[keyIndex].count
      let checked = min(count, max(1, maxEntriesPerKey ?? count))
      let analytic = gradients.values[keyIndex].elements.map { $0 * scored }
      let largest = analytic.reduce(0) { max($0, abs($1)) }
      var worst = 0.0
      for sample in 0..<checked {
        let entry = sample * count / checked
        let original = model.parameters.values[keyIndex].elements[entry]
        model.parameters.values[keyIndex].elements[entry] = original + epsilon
        let plus = model.evaluate(batch).loss.total
        model.parameters.values[keyIndex].elements[entry] = original - epsilon
        let minus = model.evaluate(batch).loss.total
        model.parameters.values[keyIndex].elements[entry] = original
        let numerical = (plus - minus) / (2 * epsilon)
        let scale = max(abs(numerical), abs(analytic[entry]), floorShare * largest, 1e-8)
        worst = max(worst, abs(numerical - analytic[entry]) / scale)
      }
      results.append(Result(key: key, maxRelativeError: worst, entriesChecked: checked))
    }
    return results
  }
}

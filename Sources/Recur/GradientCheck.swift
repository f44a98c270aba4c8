import Tensors

/// Central finite differences in Float64 against BPTT (MATH.md, gradient checking).
public struct GradientCheck {
  /// The worst entry of one parameter.
  public struct Result: Sendable {
    public var key: String
    /// max over checked entries of |g_num − g_bptt| / max(|g_num|, |g_bptt|, 1e-8).
    public var maxRelativeError: Double
    public var entriesChecked: Int
  }

  /// For every parameter key (all entries, or at most `maxEntriesPerKey` spread evenly over it),
  /// the numerical gradient `(O(θ+ε) − O(θ−ε)) / 2ε` of the mean loss against BPTT's, as the
  /// relative error |g_num − g_bptt| / max(|g_num|, |g_bptt|, 1e-8). The network's parameters
  /// are restored afterwards.
  public static func run(
    network: RecurrentNetwork<Double>, batch: SequenceBatch<Double>,
    epsilon: Double = 1e-6, maxEntriesPerKey: Int? = nil
  ) -> [Result] {
    var gradients = network.parameters.zeros()
    _ = network.lossAndGradients(for: batch, into: &gradients)
    var results: [Result] = []
    for (keyIndex, key) in network.parameters.keys.enumerated() {
      let count = network.parameters.values[keyIndex].count
      let checked = min(count, max(1, maxEntriesPerKey ?? count))
      var worst = 0.0
      for sample in 0..<checked {
        let entry = sample * count / checked
        let original = network.parameters.values[keyIndex].elements[entry]
        network.parameters.values[keyIndex].elements[entry] = original + epsilon
        let plus = network.evaluate(batch).loss.mean
        network.parameters.values[keyIndex].elements[entry] = original - epsilon
        let minus = network.evaluate(batch).loss.mean
        network.parameters.values[keyIndex].elements[entry] = original
        let numerical = (plus - minus) / (2 * epsilon)
        let analytic = gradients.values[keyIndex].elements[entry]
        let error = abs(numerical - analytic) / max(abs(numerical), abs(analytic), 1e-8)
        worst = max(worst, error)
      }
      results.append(Result(key: key, maxRelativeError: worst, entriesChecked: checked))
    }
    return results
  }
}

import Recur
import Tensors

/// The worst disagreement between BPTT's gradient of a model's summed loss with fixed dropout
/// masks and fourth-order central differences of the same masked loss, over every entry of every parameter:
/// each entry's |g_num − g_bptt| relative to the larger of its own gradient and a thousandth of
/// the model's largest (at least 1e-8), as `GradientCheck` measures without masks. The
/// model's parameters are restored.
public func worstMaskedGradientError(
  _ model: any SequenceModel<Double>, batch: SequenceBatch<Double>, masks: DropoutMasks<Double>,
  epsilon: Double
) -> Double {
  var gradients = model.parameters.zeros()
  let scored = Double(
    model.lossAndGradients(for: batch, into: &gradients, dropout: masks).scored)
  var scratch = gradients
  var worst = 0.0
  let largest = gradients.values.reduce(0.0) { worst, matrix in
    matrix.elements.reduce(worst) { max($0, abs($1) * scored) }
  }
  for index in model.parameters.values.indices {
    let analytic = gradients.values[index].elements.map { $0 * scored }
    for entry in model.parameters.values[index].elements.indices {
      let original = model.parameters.values[index].elements[entry]
      let numerical = GradientCheck.derivative(epsilon: epsilon) { offset in
        model.parameters.values[index].elements[entry] = original + offset
        return model.lossAndGradients(for: batch, into: &scratch, dropout: masks).total
      }
      model.parameters.values[index].elements[entry] = original
      let scale = max(
        abs(numerical), abs(analytic[entry]), GradientCheck.floorShare * largest, 1e-8)
      worst = max(worst, abs(numerical - analytic[entry]) / scale)
    }
  }
  return worst
}

import CKernels
import Tensors

/// The gated recurrent unit as PyTorch's `nn.GRU` computes it, gates in the order r, z, n, the
/// reset gate applied to the recurrent product including its bias (docs/MATH.md, "GRU"):
///
///     r = σ(a_r + R_r)   z = σ(a_z + R_z)   n = tanh(a_n + r ⊙ (R_n + b_hn))
///     h = (1 − z) ⊙ n + z ⊙ h^(prev)
///
/// where `a = x U + c` and `R = h^(prev) W` (G = 3 blocks of H columns). PyTorch's second bias
/// of r and z adds to the first, so c carries both; `b_hn` (1 × H, the key role `c_hn`) is the
/// one recurrent bias that is not redundant. The forward pass keeps r, z, n in place of their
/// pre-activations and `R_n + b_hn` in place of `R_n`. In Float32 both passes run in C
/// (`ckernels_gru_forward`, `…_backward`), vectorised, with the same bits as the loops here.
public struct GRUCell: RecurrentCell {
  public init() {}

  public var name: String { "gru" }
  public var gates: [String] { ["r", "z", "n"] }
  public var addsRecurrentProduct: Bool { false }
  public var parameters: [CellParameter] {
    [CellParameter(name: "c_hn", width: 1, isBias: true)]
  }
  public var equations: [String] {
    [
      "[a_r a_z a_n] = x U + c", "[R_r R_z R_n] = h_prev W", "r = sigmoid(a_r + R_r)",
      "z = sigmoid(a_z + R_z)", "n = tanh(a_n + r * (R_n + c_hn))",
      "h = (1 - z) * n + z * h_prev",
    ]
  }

  @_specialize(where Scalar == Float)
  @_specialize(where Scalar == Double)
  public func forward<Scalar: BLASScalar>(_ step: CellForward<Scalar>) {
    let h = step.hidden
    let width = 3 * h
    let recurrentBias = step.parameters.first
    let recurrent = step.recurrent!
    if Scalar.self == Float.self {
      ckernels_gru_forward(
        step.rows, h, floats(step.gates), floats(recurrent), recurrentBias.map(floats),
        step.previousOutput.map(floats), floats(step.output))
      return
    }
    for r in 0..<step.rows {
      let a = step.gates + r * width
      let product = recurrent + r * width
      for j in 0..<(2 * h) { a[j] += product[j] }
      Scalar.sigmoidInPlace(a, count: 2 * h)
      if let recurrentBias {
        for j in 0..<h { product[2 * h + j] += recurrentBias[j] }
      }
      for j in 0..<h { a[2 * h + j] += a[j] * product[2 * h + j] }
      Scalar.tanhInPlace(a + 2 * h, count: h)
      let out = step.output + r * h
      if let previous = step.previousOutput.map({ $0 + r * h }) {
        for j in 0..<h { out[j] = a[2 * h + j] + a[h + j] * (previous[j] - a[2 * h + j]) }
      } else {
        for j in 0..<h { out[j] = a[2 * h + j] - a[h + j] * a[2 * h + j] }
      }
    }
  }

  /// With ∂h the output error:
  ///
  ///     ∂a_n = ∂h ⊙ (1 − z) ⊙ (1 − n²)   ∂R_n = ∂a_n ⊙ r   ∂b_hn += ∂R_n
  ///     ∂a_r = ∂a_n ⊙ (R_n + b_hn) ⊙ r(1 − r)   ∂a_z = ∂h ⊙ (h^(prev) − n) ⊙ z(1 − z)
  ///     ∂R_r = ∂a_r   ∂R_z = ∂a_z   ∂h^(prev) += ∂h ⊙ z
  @_specialize(where Scalar == Float)
  @_specialize(where Scalar == Double)
  public func backward<Scalar: BLASScalar>(_ step: CellBackward<Scalar>) {
    let h = step.hidden
    let width = 3 * h
    let biasGradient = step.parameterGradients.first
    let recurrent = step.recurrent!
    if Scalar.self == Float.self && UnsafePointer(step.gateDeltas) == step.gates {
      ckernels_gru_backward(
        step.rows, h, floats(step.gateDeltas), floats(recurrent), step.previousOutput.map(floats),
        floats(step.outputDelta), step.previousOutputDelta.map(floats),
        biasGradient.map(floats))
      return
    }
    for r in 0..<step.rows {
      let gate = step.gates + r * width
      let delta = step.gateDeltas + r * width
      let product = recurrent + r * width
      let dh = step.outputDelta + r * h
      let previous = step.previousOutput.map { $0 + r * h }
      let previousDelta = step.previousOutputDelta.map { $0 + r * h }
      for j in 0..<h {
        let (reset, update, candidate) = (gate[j], gate[h + j], gate[2 * h + j])
        let dan = dh[j] * (1 - update) * (1 - candidate * candidate)
        let dar = dan * product[2 * h + j] * reset * (1 - reset)
        let daz = dh[j] * ((previous?[j] ?? 0) - candidate) * update * (1 - update)
        let drn = dan * reset
        if let previousDelta { previousDelta[j] += dh[j] * update }
        if let biasGradient { biasGradient[j] += drn }
        delta[j] = dar
        delta[h + j] = daz
        delta[2 * h + j] = dan
        product[j] = dar
        product[h + j] = daz
        product[2 * h + j] = drn
      }
    }
  }
}

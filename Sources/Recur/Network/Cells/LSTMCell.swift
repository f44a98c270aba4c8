import CKernels
import Tensors

/// The long short-term memory cell as PyTorch's `nn.LSTM` computes it, gates in the order
/// i, f, g, o, optionally with Graves' diagonal peepholes (docs/MATH.md, "LSTM"):
///
///     i = σ(a_i + p_i ⊙ c^(prev))   f = σ(a_f + p_f ⊙ c^(prev))   g = tanh(a_g)
///     c = f ⊙ c^(prev) + i ⊙ g       o = σ(a_o + p_o ⊙ c)          h = o ⊙ tanh(c)
///
/// where `a = x U + h^(prev) W + c_bias` (G = 4 blocks of H columns). The forward pass keeps
/// the gates' activations in place of their pre-activations and tanh(c) in its scratch. In
/// Float32 without peepholes both passes run in C (`ckernels_lstm_forward`, `…_backward`),
/// vectorised, with the same bits as the loops here.
public struct LSTMCell: RecurrentCell {
  /// Added to the forget gate's bias at initialisation (0 as in PyTorch; 1 is Jozefowicz et
  /// al.'s advice).
  public let forgetBias: Double
  /// Diagonal peephole weights P = [p_i, p_f, p_o] (1 × 3H) from the cell state to the gates.
  public let peepholes: Bool

  public init(forgetBias: Double = 0, peepholes: Bool = false) {
    self.forgetBias = forgetBias
    self.peepholes = peepholes
  }

  public var name: String { "lstm" }
  public var gates: [String] { ["i", "f", "g", "o"] }
  public var carriesState: Bool { true }
  public var scratchWidth: Int { 1 }
  public var parameters: [CellParameter] {
    peepholes ? [CellParameter(name: "P", width: 3, isBias: false)] : []
  }
  public var equations: [String] {
    let (pi, pf, po) =
      peepholes ? (" + p_i * c_prev", " + p_f * c_prev", " + p_o * c") : ("", "", "")
    return [
      "[a_i a_f a_g a_o] = x U + h_prev W + c_bias",
      "i = sigmoid(a_i\(pi))", "f = sigmoid(a_f\(pf))", "g = tanh(a_g)",
      "c = f * c_prev + i * g", "o = sigmoid(a_o\(po))", "h = o * tanh(c)",
    ]
  }

  public func initialBias(hidden: Int) -> [Double]? {
    guard forgetBias != 0 else { return nil }
    return (0..<(4 * hidden)).map { $0 / hidden == 1 ? forgetBias : 0 }
  }

  @_specialize(where Scalar == Float)
  @_specialize(where Scalar == Double)
  public func forward<Scalar: BLASScalar>(_ step: CellForward<Scalar>) {
    let h = step.hidden
    let width = 4 * h
    let peephole = step.parameters.first
    let state = step.state!
    let squashed = step.scratch!
    if Scalar.self == Float.self && peephole == nil {
      ckernels_lstm_forward(
        step.rows, h, floats(step.gates), step.previousState.map(floats), floats(state),
        floats(squashed), floats(step.output))
      return
    }
    for r in 0..<step.rows {
      let a = step.gates + r * width
      let c = state + r * h
      let previous = step.previousState.map { $0 + r * h }
      if let peephole, let previous {
        for j in 0..<h {
          a[j] += peephole[j] * previous[j]
          a[h + j] += peephole[h + j] * previous[j]
        }
      }
      Scalar.sigmoidInPlace(a, count: 2 * h)
      Scalar.tanhInPlace(a + 2 * h, count: h)
      if let previous {
        for j in 0..<h { c[j] = a[h + j] * previous[j] + a[j] * a[2 * h + j] }
      } else {
        for j in 0..<h { c[j] = a[j] * a[2 * h + j] }
      }
      if let peephole {
        for j in 0..<h { a[3 * h + j] += peephole[2 * h + j] * c[j] }
      }
      Scalar.sigmoidInPlace(a + 3 * h, count: h)
    }
    let count = step.rows * h
    Scalar.tanh(
      UnsafeBufferPointer(start: state, count: count),
      into: UnsafeMutableBufferPointer(start: squashed, count: count))
    for r in 0..<step.rows {
      let o = step.gates + r * width + 3 * h
      let tc = squashed + r * h
      let out = step.output + r * h
      for j in 0..<h { out[j] = o[j] * tc[j] }
    }
  }

  /// With ∂h the output error and ∂c the state error from the step after:
  ///
  ///     ∂a_o = ∂h ⊙ tanh(c) ⊙ o(1 − o)
  ///     ∂c  += ∂h ⊙ o ⊙ (1 − tanh²c) + p_o ⊙ ∂a_o
  ///     ∂a_i = ∂c ⊙ g ⊙ i(1 − i)   ∂a_f = ∂c ⊙ c^(prev) ⊙ f(1 − f)   ∂a_g = ∂c ⊙ i ⊙ (1 − g²)
  ///     ∂c^(prev) = ∂c ⊙ f + p_i ⊙ ∂a_i + p_f ⊙ ∂a_f
  ///     ∂p_i += ∂a_i ⊙ c^(prev)   ∂p_f += ∂a_f ⊙ c^(prev)   ∂p_o += ∂a_o ⊙ c
  @_specialize(where Scalar == Float)
  @_specialize(where Scalar == Double)
  public func backward<Scalar: BLASScalar>(_ step: CellBackward<Scalar>) {
    let h = step.hidden
    let width = 4 * h
    let peephole = step.parameters.first
    let peepholeGradient = step.parameterGradients.first
    let state = step.state!
    let squashed = step.scratch!
    let stateDelta = step.stateDelta!
    if Scalar.self == Float.self && peephole == nil
      && UnsafePointer(step.gateDeltas) == step.gates
    {
      ckernels_lstm_backward(
        step.rows, h, floats(step.gateDeltas), step.previousState.map(floats), floats(squashed),
        floats(step.outputDelta), floats(stateDelta))
      return
    }
    for r in 0..<step.rows {
      let gate = step.gates + r * width
      let delta = step.gateDeltas + r * width
      let dh = step.outputDelta + r * h
      let dc = stateDelta + r * h
      let c = state + r * h
      let tc = squashed + r * h
      let previous = step.previousState.map { $0 + r * h }
      for j in 0..<h {
        let (i, f, g, o) = (gate[j], gate[h + j], gate[2 * h + j], gate[3 * h + j])
        let dao = dh[j] * tc[j] * o * (1 - o)
        var dcj = dc[j] + dh[j] * o * (1 - tc[j] * tc[j])
        if let peephole { dcj += peephole[2 * h + j] * dao }
        let cPrevious = previous?[j] ?? 0
        let dai = dcj * g * i * (1 - i)
        let daf = dcj * cPrevious * f * (1 - f)
        let dag = dcj * i * (1 - g * g)
        var carried = dcj * f
        if let peephole, let peepholeGradient {
          carried += peephole[j] * dai + peephole[h + j] * daf
          peepholeGradient[j] += dai * cPrevious
          peepholeGradient[h + j] += daf * cPrevious
          peepholeGradient[2 * h + j] += dao * c[j]
        }
        dc[j] = carried
        delta[j] = dai
        delta[h + j] = daf
        delta[2 * h + j] = dag
        delta[3 * h + j] = dao
      }
    }
  }
}

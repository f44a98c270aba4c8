import Tensors

/// The Elman unit: `a^t = x^t U + h^(prev) W + c`, `h^t = f(a^t)` (docs/MATH.md, "Elman").
///
/// Its one gate block is its output: the pre-activations are formed in the output buffer and
/// activated in place, and BPTT scales the output error by f' written in terms of h.
public struct ElmanCell: RecurrentCell {
  /// f, the hidden non-linearity.
  public let activation: any Activation

  public init(activation: any Activation) {
    self.activation = activation
  }

  public var name: String { "elman" }
  public var gates: [String] { ["a"] }
  public var gatesAreOutput: Bool { true }
  public var equations: [String] {
    ["a = x U + h_prev W + c", "h = \(activation.name)(a)"]
  }

  public func forward<Scalar: BLASScalar>(_ step: CellForward<Scalar>) {
    let count = step.rows * step.hidden
    activation.apply(
      UnsafeBufferPointer(start: step.gates, count: count),
      into: UnsafeMutableBufferPointer(start: step.output, count: count))
  }

  /// δ_h = f'(a) ⊙ ∂O/∂h, in place (`gateDeltas` is `outputDelta`).
  public func backward<Scalar: BLASScalar>(_ step: CellBackward<Scalar>) {
    let count = step.rows * step.hidden
    if step.gateDeltas != step.outputDelta {
      step.gateDeltas.update(from: step.outputDelta, count: count)
    }
    activation.scaleByDerivative(
      UnsafeMutableBufferPointer(start: step.gateDeltas, count: count),
      output: UnsafeBufferPointer(start: step.output, count: count))
  }
}

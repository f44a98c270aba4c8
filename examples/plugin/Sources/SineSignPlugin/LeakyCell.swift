import Experiments
import Recur
import Tensors

/// An Elman unit with a learned leak per hidden unit:
///
///     n = tanh(x U + h^(prev) W + c)   α = σ(L)   h = (1 − α) ⊙ h^(prev) + α ⊙ n
///
/// L (1 × H, key role `L`) starts at zero, so every unit starts half-way between keeping its
/// output and taking the new one, and training moves each unit's time constant. The forward
/// pass keeps n in place of its pre-activation.
public struct LeakyCell: RecurrentCell {
  public init() {}

  public var name: String { "leaky" }
  public var gates: [String] { ["n"] }
  public var parameters: [CellParameter] { [CellParameter(name: "L", width: 1, isBias: false)] }
  public var equations: [String] {
    ["n = tanh(x U + h_prev W + c)", "alpha = sigmoid(L)", "h = (1 - alpha) * h_prev + alpha * n"]
  }

  /// σ(x) = (1 + tanh(x/2)) / 2.
  private static func sigmoid<Scalar: BLASScalar>(_ x: Scalar) -> Scalar {
    0.5 + 0.5 * Scalar.tanh(x / 2)
  }

  public func forward<Scalar: BLASScalar>(_ step: CellForward<Scalar>) {
    let h = step.hidden
    let leak = step.parameters[0]
    Scalar.tanh(
      UnsafeBufferPointer(start: step.gates, count: step.rows * h),
      into: UnsafeMutableBufferPointer(start: step.gates, count: step.rows * h))
    for r in 0..<step.rows {
      let n = step.gates + r * h
      let out = step.output + r * h
      let previous = step.previousOutput.map { $0 + r * h }
      for j in 0..<h {
        let kept = previous?[j] ?? 0
        out[j] = kept + Self.sigmoid(leak[j]) * (n[j] - kept)
      }
    }
  }

  /// With ∂h the output error:
  ///
  ///     ∂a = ∂h ⊙ α ⊙ (1 − n²)   ∂L += ∂h ⊙ (n − h^(prev)) ⊙ α(1 − α)
  ///     ∂h^(prev) += ∂h ⊙ (1 − α)
  public func backward<Scalar: BLASScalar>(_ step: CellBackward<Scalar>) {
    let h = step.hidden
    let leak = step.parameters[0]
    let leakGradient = step.parameterGradients[0]
    for r in 0..<step.rows {
      let n = step.gates + r * h
      let delta = step.gateDeltas + r * h
      let dh = step.outputDelta + r * h
      let previous = step.previousOutput.map { $0 + r * h }
      let previousDelta = step.previousOutputDelta.map { $0 + r * h }
      for j in 0..<h {
        let alpha = Self.sigmoid(leak[j])
        let candidate = n[j]
        leakGradient[j] += dh[j] * (candidate - (previous?[j] ?? 0)) * alpha * (1 - alpha)
        if let previousDelta { previousDelta[j] += dh[j] * (1 - alpha) }
        delta[j] = dh[j] * alpha * (1 - candidate * candidate)
      }
    }
  }

  /// The cell as the registry knows it: `model.cell: leaky`.
  public static let component = Component<CellFactory>(
    name: "leaky",
    summary: "Elman unit with a learned leak per unit: h = (1 − σ(L)) ⊙ h_prev + σ(L) ⊙ tanh(a)",
    make: { _, _ in LeakyCell() })
}

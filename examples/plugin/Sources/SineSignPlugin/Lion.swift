import Experiments
import Recur
import Tensors
import YAMLSpec

/// Lion (Chen et al. 2023, "Symbolic discovery of optimization algorithms"): the step is the
/// sign of an interpolation between the momentum and the gradient, so every weight moves by
/// exactly η (plus decoupled weight decay):
///
///     u = sign(β₁m + (1 − β₁)g)   θ ← θ − η(u + λθ)   m ← β₂m + (1 − β₂)g
///
/// The momentum m lives in `OptimizerState`'s first buffer, so checkpoints keep it and a resumed
/// run continues bit-identically.
public struct Lion: Optimizer {
  public let beta1: Float
  public let beta2: Float
  public let weightDecay: Float
  public var state = OptimizerState()

  public init(beta1: Float, beta2: Float, weightDecay: Float) {
    self.beta1 = beta1
    self.beta2 = beta2
    self.weightDecay = weightDecay
  }

  public mutating func step(
    _ parameters: inout ParameterSet<Float>, gradients: ParameterSet<Float>, learningRate: Float
  ) {
    let (b1, b2, lambda) = (beta1, beta2, weightDecay)
    state.update(&parameters, gradients: gradients, slots: 1) { theta, g, m, _ in
      for i in theta.indices {
        let direction = b1 * m[i] + (1 - b1) * g[i]
        let sign: Float = direction > 0 ? 1 : direction < 0 ? -1 : 0
        theta[i] -= learningRate * (sign + lambda * theta[i])
        m[i] = b2 * m[i] + (1 - b2) * g[i]
      }
    }
  }

  /// The optimizer as the registry knows it: `optimizer.type: lion`.
  public static let component = Component<OptimizerFactory>(
    name: "lion",
    summary: "Lion (Chen et al.): θ ← θ − η·sign(β₁m + (1−β₁)g), m ← β₂m + (1−β₂)g",
    options: Options(),
    make: { options in
      ConfiguredOptimizer(
        optimizer: Lion(
          beta1: Float(options.beta1), beta2: Float(options.beta2),
          weightDecay: Float(options.weightDecay)),
        learningRate: options.learningRate)
    })

  /// Lion's options: `learning_rate`, `beta1`, `beta2`, `weight_decay`.
  public struct Options: SpecOptions {
    @SpecOption(
      default: 0.001, minimum: 0, minimumInclusive: false,
      help: "step size η, the move of every weight")
    public var learningRate: Double
    @SpecOption(
      default: 0.9, minimum: 0, maximum: 1, maximumInclusive: false,
      help: "weight β₁ of the momentum in the step's sign")
    public var beta1: Double
    @SpecOption(
      default: 0.99, minimum: 0, maximum: 1, maximumInclusive: false,
      help: "decay β₂ of the momentum")
    public var beta2: Double
    @SpecOption(default: 0, minimum: 0, help: "decoupled decay λ: θ ← θ − ηλθ")
    public var weightDecay: Double

    public init() {}
  }
}

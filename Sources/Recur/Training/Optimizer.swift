import CKernels
import Foundation
import Tensors

/// Updates parameters from their gradients. State (momentum buffers, moment estimates …) is kept
/// per parameter key and created on the first step.
public protocol Optimizer: Sendable {
  /// One update of `parameters` from `gradients` (same keys and shapes) at `learningRate`.
  mutating func step(
    _ parameters: inout ParameterSet<Float>, gradients: ParameterSet<Float>, learningRate: Float)
  /// Everything the optimizer carries from step to step, for checkpoints.
  var state: OptimizerState { get set }
}

/// The state of an element-wise optimizer: the number of steps taken and up to two buffers
/// shaped like the parameters (momentum, moment estimates, step sizes …), zero until the first
/// step writes them.
public struct OptimizerState: Sendable, Equatable {
  public private(set) var steps = 0
  private var first = ParameterSet<Float>()
  private var second = ParameterSet<Float>()

  public init() {}

  /// The state a checkpoint stored: `steps` and the buffers as `tensors` named
  /// `first/<key>` and `second/<key>`.
  public init(steps: Int, tensors: ParameterSet<Float>) {
    self.steps = steps
    for (key, value) in zip(tensors.keys, tensors.values) {
      if key.hasPrefix("first/") {
        first.append(String(key.dropFirst("first/".count)), value)
      } else if key.hasPrefix("second/") {
        second.append(String(key.dropFirst("second/".count)), value)
      }
    }
  }

  /// The buffers, named `first/<key>` and `second/<key>`.
  public var tensors: ParameterSet<Float> {
    var tensors = ParameterSet<Float>()
    for (key, value) in zip(first.keys, first.values) { tensors.append("first/" + key, value) }
    for (key, value) in zip(second.keys, second.values) { tensors.append("second/" + key, value) }
    return tensors
  }

  /// Whether the buffers fit `parameters`: each present buffer set has their keys and shapes.
  public func fits(_ parameters: ParameterSet<Float>) -> Bool {
    (first.values.isEmpty || first.hasSameLayout(as: parameters))
      && (second.values.isEmpty || second.hasSameLayout(as: parameters))
  }

  /// Calls `body` once per parameter key with that key's parameters, gradients and `slots`
  /// (0, 1 or 2) state buffers, all flat and of equal length; an unused slot is empty. The
  /// buffers start at zero, count one step more, and are checkpointed and restored with the
  /// run: an optimizer of one's own keeps its state here and resumes bit-identically.
  public mutating func update(
    _ parameters: inout ParameterSet<Float>, gradients: ParameterSet<Float>, slots: Int,
    _ body: (
      _ theta: UnsafeMutableBufferPointer<Float>, _ gradient: UnsafeBufferPointer<Float>,
      _ first: UnsafeMutableBufferPointer<Float>, _ second: UnsafeMutableBufferPointer<Float>
    ) -> Void
  ) {
    precondition(parameters.hasSameLayout(as: gradients), "gradients do not match the parameters")
    steps += 1
    if slots >= 1 && first.values.isEmpty { first = parameters.zeros() }
    if slots >= 2 && second.values.isEmpty { second = parameters.zeros() }
    var noFirst: [Float] = []
    var noSecond: [Float] = []
    for index in parameters.values.indices {
      gradients.values[index].elements.withUnsafeBufferPointer { gradient in
        parameters.values[index].elements.withUnsafeMutableBufferPointer { theta in
          Self.withSlot(&first, index, or: &noFirst) { first in
            Self.withSlot(&second, index, or: &noSecond) { second in
              body(theta, gradient, first, second)
            }
          }
        }
      }
    }
  }

  private static func withSlot(
    _ slot: inout ParameterSet<Float>, _ index: Int, or none: inout [Float],
    _ body: (UnsafeMutableBufferPointer<Float>) -> Void
  ) {
    if slot.values.isEmpty {
      none.withUnsafeMutableBufferPointer { body($0) }
    } else {
      slot.values[index].elements.withUnsafeMutableBufferPointer { body($0) }
    }
  }
}

/// Stochastic gradient descent as the common frameworks define it: with weight decay λ,
/// momentum μ and optionally Nesterov's variant,
/// g ← g + λθ; v ← μv + g; θ ← θ − η·(g + μv if Nesterov, else v). Plain SGD when μ = 0.
public struct SGD: Optimizer {
  public let momentum: Float
  public let nesterov: Bool
  public let weightDecay: Float
  public var state = OptimizerState()

  public init(momentum: Float, nesterov: Bool = false, weightDecay: Float = 0) {
    self.momentum = momentum
    self.nesterov = nesterov
    self.weightDecay = weightDecay
  }

  public mutating func step(
    _ parameters: inout ParameterSet<Float>, gradients: ParameterSet<Float>, learningRate: Float
  ) {
    let (mu, lambda, nesterov) = (momentum, weightDecay, self.nesterov)
    state.update(&parameters, gradients: gradients, slots: mu == 0 ? 0 : 1) { theta, g, v, _ in
      // One loop per case: with the cases tested inside one loop it compiled to scalar code.
      if mu == 0 {
        for i in theta.indices { theta[i] -= learningRate * (g[i] + lambda * theta[i]) }
      } else if nesterov {
        for i in theta.indices {
          let gradient = g[i] + lambda * theta[i]
          v[i] = mu * v[i] + gradient
          theta[i] -= learningRate * (gradient + mu * v[i])
        }
      } else {
        for i in theta.indices {
          v[i] = mu * v[i] + (g[i] + lambda * theta[i])
          theta[i] -= learningRate * v[i]
        }
      }
    }
  }
}

/// Adam (Kingma and Ba) with bias correction, ε outside the square root:
/// m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², θ ← θ − η·m̂/(√v̂ + ε) with m̂ = m/(1−β₁ᵗ),
/// v̂ = v/(1−β₂ᵗ). Weight decay is either L2 (g ← g + λθ, `adam`) or decoupled as in AdamW
/// (θ ← θ − ηλθ before the step, `adamw`).
public struct Adam: Optimizer {
  public let beta1: Float
  public let beta2: Float
  public let epsilon: Float
  public let weightDecay: Float
  public let decoupledWeightDecay: Bool
  public var state = OptimizerState()

  public init(
    beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0,
    decoupledWeightDecay: Bool = false
  ) {
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    self.weightDecay = weightDecay
    self.decoupledWeightDecay = decoupledWeightDecay
  }

  public mutating func step(
    _ parameters: inout ParameterSet<Float>, gradients: ParameterSet<Float>, learningRate: Float
  ) {
    let (b1, b2, eps) = (beta1, beta2, epsilon)
    let t = Double(state.steps + 1)
    let correction1 = Float(1 - pow(Double(b1), t))
    let correction2 = Float(1 - pow(Double(b2), t))
    let l2 = decoupledWeightDecay ? 0 : weightDecay
    let shrink = decoupledWeightDecay ? 1 - learningRate * weightDecay : 1
    // The loop of the equations above, in C: written here it stays scalar (see optimizers.c).
    state.update(&parameters, gradients: gradients, slots: 2) { theta, g, m, v in
      ckernels_adam(
        theta.baseAddress, g.baseAddress, m.baseAddress, v.baseAddress, theta.count, b1, b2, eps,
        correction1, correction2, l2, shrink, learningRate)
    }
  }
}

/// RMSprop as the common frameworks define it: g ← g + λθ; v ← αv + (1−α)g²;
/// θ ← θ − η·g/(√v + ε).
public struct RMSprop: Optimizer {
  public let alpha: Float
  public let epsilon: Float
  public let weightDecay: Float
  public var state = OptimizerState()

  public init(alpha: Float = 0.99, epsilon: Float = 1e-8, weightDecay: Float = 0) {
    self.alpha = alpha
    self.epsilon = epsilon
    self.weightDecay = weightDecay
  }

  public mutating func step(
    _ parameters: inout ParameterSet<Float>, gradients: ParameterSet<Float>, learningRate: Float
  ) {
    let (alpha, eps, lambda) = (alpha, epsilon, weightDecay)
    // In C, as Adam's.
    state.update(&parameters, gradients: gradients, slots: 1) { theta, g, v, _ in
      ckernels_rmsprop(
        theta.baseAddress, g.baseAddress, v.baseAddress, theta.count, alpha, eps, lambda,
        learningRate)
    }
  }
}

/// Adagrad (Duchi et al.): g ← g + λθ; s ← s + g²; θ ← θ − η·g/(√s + ε).
public struct Adagrad: Optimizer {
  public let epsilon: Float
  public let weightDecay: Float
  public var state = OptimizerState()

  public init(epsilon: Float = 1e-10, weightDecay: Float = 0) {
    self.epsilon = epsilon
    self.weightDecay = weightDecay
  }

  public mutating func step(
    _ parameters: inout ParameterSet<Float>, gradients: ParameterSet<Float>, learningRate: Float
  ) {
    let (eps, lambda) = (epsilon, weightDecay)
    // In C, as Adam's.
    state.update(&parameters, gradients: gradients, slots: 1) { theta, g, sum, _ in
      ckernels_adagrad(
        theta.baseAddress, g.baseAddress, sum.baseAddress, theta.count, eps, lambda, learningRate)
    }
  }
}

/// Rprop, the batch-learning optimizer of the classic RNN toolkits (Riedmiller and Braun), in
/// the iRprop− form the common frameworks use: every scalar has its own step size Δ, starting at
/// the learning rate. When the gradient's sign is the previous step's, Δ ← min(Δ·η₊, Δmax); when
/// it flips, Δ ← max(Δ·η₋, Δmin) and the scalar does not move this step (its gradient counts as
/// 0 next time). Then θ ← θ − sign(g)·Δ. Only the signs of gradients matter, so it suits
/// full-batch training; the learning rate in force after the first step is not used.
public struct Rprop: Optimizer {
  public let increase: Float
  public let decrease: Float
  public let minimumStep: Float
  public let maximumStep: Float
  public let weightDecay: Float
  public var state = OptimizerState()

  public init(
    increase: Float = 1.2, decrease: Float = 0.5, minimumStep: Float = 1e-6,
    maximumStep: Float = 50, weightDecay: Float = 0
  ) {
    self.increase = increase
    self.decrease = decrease
    self.minimumStep = minimumStep
    self.maximumStep = maximumStep
    self.weightDecay = weightDecay
  }

  public mutating func step(
    _ parameters: inout ParameterSet<Float>, gradients: ParameterSet<Float>, learningRate: Float
  ) {
    let (up, down, low, high, lambda) = (
      increase, decrease, minimumStep, maximumStep, weightDecay
    )
    let first = state.steps == 0
    state.update(&parameters, gradients: gradients, slots: 2) { theta, g, previous, delta in
      for i in theta.indices {
        var gradient = g[i] + lambda * theta[i]
        if first { delta[i] = learningRate }
        let agreement = gradient * previous[i]
        if agreement > 0 {
          delta[i] = min(delta[i] * up, high)
        } else if agreement < 0 {
          delta[i] = max(delta[i] * down, low)
          gradient = 0
        }
        if gradient > 0 {
          theta[i] -= delta[i]
        } else if gradient < 0 {
          theta[i] += delta[i]
        }
        previous[i] = gradient
      }
    }
  }
}

import Tensors

/// Updates parameters from their gradients. State (momentum buffers …) is kept per parameter key
/// and created on the first step.
public protocol Optimizer: Sendable {
  /// One update of `parameters` from `gradients` (same keys and shapes) at `learningRate`.
  mutating func step(
    _ parameters: inout ParameterSet<Float>, gradients: ParameterSet<Float>, learningRate: Float)
}

/// Stochastic gradient descent with optional momentum, in the form the common frameworks use:
/// v ← μ·v + g, θ ← θ − η·v (plain SGD when μ = 0).
public struct SGD: Optimizer {
  public let momentum: Float
  private var velocity: ParameterSet<Float>?

  public init(momentum: Float) {
    self.momentum = momentum
  }

  public mutating func step(
    _ parameters: inout ParameterSet<Float>, gradients: ParameterSet<Float>, learningRate: Float
  ) {
    precondition(parameters.keys == gradients.keys, "gradients do not match the parameters")
    if momentum == 0 {
      for index in parameters.values.indices {
        Self.axpy(-learningRate, gradients.values[index].elements, into: &parameters.values[index])
      }
      return
    }
    if velocity == nil { velocity = parameters.zeros() }
    for index in parameters.values.indices {
      let gradient = gradients.values[index].elements
      let momentum = self.momentum
      velocity!.values[index].elements.withUnsafeMutableBufferPointer { v in
        for i in v.indices { v[i] = momentum * v[i] + gradient[i] }
      }
      Self.axpy(-learningRate, velocity!.values[index].elements, into: &parameters.values[index])
    }
  }

  /// y ← y + a·x
  private static func axpy(_ a: Float, _ x: [Float], into y: inout Matrix<Float>) {
    y.elements.withUnsafeMutableBufferPointer { y in
      x.withUnsafeBufferPointer { x in
        for i in y.indices { y[i] += a * x[i] }
      }
    }
  }
}

import Tensors

/// Limits on gradients applied before each optimizer step: every entry clamped to ±`value`, then
/// the whole gradient scaled down so that its global L2 norm (over all parameters) is at most
/// `norm`. Either limit may be absent.
public struct GradientClipping: Sendable, Equatable {
  public var norm: Double?
  public var value: Double?

  public init(norm: Double? = nil, value: Double? = nil) {
    self.norm = norm
    self.value = value
  }

  /// Clips `gradients` in place.
  public func apply(to gradients: inout ParameterSet<Float>) {
    if let value {
      let limit = Float(value)
      for index in gradients.values.indices {
        gradients.values[index].elements.withUnsafeMutableBufferPointer { g in
          for i in g.indices { g[i] = min(max(g[i], -limit), limit) }
        }
      }
    }
    if let norm {
      var squares = 0.0
      for matrix in gradients.values {
        for element in matrix.elements { squares += Double(element) * Double(element) }
      }
      let total = squares.squareRoot()
      guard total > norm else { return }
      let scale = Float(norm / total)
      for index in gradients.values.indices {
        gradients.values[index].elements.withUnsafeMutableBufferPointer { g in
          for i in g.indices { g[i] *= scale }
        }
      }
    }
  }
}

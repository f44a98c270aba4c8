import Tensors

/// The hidden non-linearity. Applied to whole blocks, never per scalar through an existential.
///
/// The loops are plain loops over buffer pointers so the compiler can vectorise them; each
/// conformance pre-specialises them for Float and Double, so a call through `any Activation`
/// from generic code still runs the specialised loop.
public protocol Activation: Sendable {
  /// The name used in specs ("tanh", "sigmoid", "relu").
  var name: String { get }
  /// b = f(a), element-wise; `a` and `b` may be the same memory (activation in place).
  /// Precondition: equal counts.
  func apply<S: BLASScalar>(_ a: UnsafeBufferPointer<S>, into b: UnsafeMutableBufferPointer<S>)
  /// delta ← delta ⊙ f'(a), with f'(a) written in terms of the output b = f(a) (1−b², b(1−b),
  /// [b > 0]), so the pre-activations need not be kept for BPTT.
  func scaleByDerivative<S: BLASScalar>(
    _ delta: UnsafeMutableBufferPointer<S>, output b: UnsafeBufferPointer<S>)
}

/// f(a) = tanh a, f'(a) = 1 − b².
public struct Tanh: Activation {
  public init() {}
  public var name: String { "tanh" }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func apply<S: BLASScalar>(
    _ a: UnsafeBufferPointer<S>, into b: UnsafeMutableBufferPointer<S>
  ) {
    S.tanh(a, into: b)
  }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func scaleByDerivative<S: BLASScalar>(
    _ delta: UnsafeMutableBufferPointer<S>, output b: UnsafeBufferPointer<S>
  ) {
    S.scaleByTanhDerivative(delta, output: b)
  }
}

/// f(a) = 1 / (1 + e^(−a)), f'(a) = b(1 − b).
public struct Sigmoid: Activation {
  public init() {}
  public var name: String { "sigmoid" }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func apply<S: BLASScalar>(
    _ a: UnsafeBufferPointer<S>, into b: UnsafeMutableBufferPointer<S>
  ) {
    precondition(a.count == b.count, "activation buffers differ in size")
    for i in 0..<a.count { b[i] = 1 / (1 + S.exp(-a[i])) }
  }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func scaleByDerivative<S: BLASScalar>(
    _ delta: UnsafeMutableBufferPointer<S>, output b: UnsafeBufferPointer<S>
  ) {
    precondition(delta.count == b.count, "activation buffers differ in size")
    for i in 0..<delta.count { delta[i] *= b[i] * (1 - b[i]) }
  }
}

/// f(a) = max(a, 0), f'(a) = [a > 0] = [b > 0].
public struct ReLU: Activation {
  public init() {}
  public var name: String { "relu" }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func apply<S: BLASScalar>(
    _ a: UnsafeBufferPointer<S>, into b: UnsafeMutableBufferPointer<S>
  ) {
    precondition(a.count == b.count, "activation buffers differ in size")
    for i in 0..<a.count { b[i] = a[i] > 0 ? a[i] : 0 }
  }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func scaleByDerivative<S: BLASScalar>(
    _ delta: UnsafeMutableBufferPointer<S>, output b: UnsafeBufferPointer<S>
  ) {
    precondition(delta.count == b.count, "activation buffers differ in size")
    for i in 0..<delta.count { delta[i] = b[i] > 0 ? delta[i] : 0 }
  }
}

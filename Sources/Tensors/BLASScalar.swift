import Foundation

/// Float and Double: the scalars BLAS multiplies.
///
/// The elementary functions are requirements so kernels written generically over the scalar
/// call the single- or double-precision libm routine directly.
public protocol BLASScalar: BinaryFloatingPoint, Sendable, Codable, LosslessStringConvertible
where Self.RawSignificand: FixedWidthInteger {
  /// e^x.
  static func exp(_ x: Self) -> Self
  /// The natural logarithm of x.
  static func log(_ x: Self) -> Self
  /// The hyperbolic tangent of x.
  static func tanh(_ x: Self) -> Self
  /// `b[i] = tanh(a[i])` over whole buffers, the way the activation kernels need it.
  /// Precondition: equal counts.
  static func tanh(_ a: UnsafeBufferPointer<Self>, into b: UnsafeMutableBufferPointer<Self>)
}

extension Float: BLASScalar {
  /// e^x (`expf`).
  @inlinable public static func exp(_ x: Float) -> Float { Foundation.exp(x) }
  /// ln x (`logf`).
  @inlinable public static func log(_ x: Float) -> Float { Foundation.log(x) }
  /// tanh x (`tanhf`).
  @inlinable public static func tanh(_ x: Float) -> Float { Foundation.tanh(x) }

  /// A rational approximation that the compiler vectorises (no libm call): on x clamped to
  /// ±7.9053111 (where tanh rounds to ±1 in Float), tanh x ≈ x·P(x²)/Q(x²) with P of degree 6
  /// and Q of degree 3 in x² (Eigen's `generic_fast_tanh_float` coefficients), and x itself for
  /// |x| < 0.0004. Largest error over [−12, 12]: 3.4·10⁻⁷ relative, within 6 units in the last
  /// place (checked against Double tanh in the tests).
  public static func tanh(
    _ a: UnsafeBufferPointer<Float>, into b: UnsafeMutableBufferPointer<Float>
  ) {
    precondition(a.count == b.count, "tanh buffers differ in size")
    guard let input = a.baseAddress, let output = b.baseAddress else { return }
    let clamp: Float = 7.90531110763549805
    for i in 0..<a.count {
      let value = input[i]
      let x = value < -clamp ? -clamp : (value > clamp ? clamp : value)
      let x2 = x * x
      var p: Float = -2.76076847742355e-16
      p = p * x2 + 2.00018790482477e-13
      p = p * x2 + -8.60467152213735e-11
      p = p * x2 + 5.12229709037114e-08
      p = p * x2 + 1.48572235717979e-05
      p = p * x2 + 6.37261928875436e-04
      p = p * x2 + 4.89352455891786e-03
      var q: Float = 1.19825839466702e-06
      q = q * x2 + 1.18534705686654e-04
      q = q * x2 + 2.26843463243900e-03
      q = q * x2 + 4.89352518554385e-03
      let ratio = x * p / q
      output[i] = (value < 0.0004 && value > -0.0004) ? value : ratio
    }
  }
}

extension Double: BLASScalar {
  /// e^x (`exp`).
  @inlinable public static func exp(_ x: Double) -> Double { Foundation.exp(x) }
  /// ln x (`log`).
  @inlinable public static func log(_ x: Double) -> Double { Foundation.log(x) }
  /// tanh x (`tanh`).
  @inlinable public static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }

  /// libm's `tanh` per element: Double serves gradient checks, where accuracy matters and speed
  /// does not.
  public static func tanh(
    _ a: UnsafeBufferPointer<Double>, into b: UnsafeMutableBufferPointer<Double>
  ) {
    precondition(a.count == b.count, "tanh buffers differ in size")
    for i in 0..<a.count { b[i] = Foundation.tanh(a[i]) }
  }
}

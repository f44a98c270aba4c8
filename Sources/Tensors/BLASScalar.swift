internal import CKernels
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

  /// A rational approximation, vectorised at the CPU's widest (`ckernels_tanhf`: AVX-512, AVX2
  /// or SSE2, picked at the first call): on x clamped to ±7.9053111 (where tanh rounds to ±1 in
  /// Float), tanh x ≈ x·P(x²)/Q(x²) with P of degree 6 and Q of degree 3 in x² (Eigen's
  /// `generic_fast_tanh_float` coefficients). Largest error over [−12, 12]: 3.4·10⁻⁷ relative,
  /// within 6 units in the last place (checked against Double tanh in the tests).
  public static func tanh(
    _ a: UnsafeBufferPointer<Float>, into b: UnsafeMutableBufferPointer<Float>
  ) {
    precondition(a.count == b.count, "tanh buffers differ in size")
    guard let input = a.baseAddress, let output = b.baseAddress else { return }
    ckernels_tanhf(input, output, a.count)
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

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
}

extension Float: BLASScalar {
  /// e^x (`expf`).
  @inlinable public static func exp(_ x: Float) -> Float { Foundation.exp(x) }
  /// ln x (`logf`).
  @inlinable public static func log(_ x: Float) -> Float { Foundation.log(x) }
  /// tanh x (`tanhf`).
  @inlinable public static func tanh(_ x: Float) -> Float { Foundation.tanh(x) }
}

extension Double: BLASScalar {
  /// e^x (`exp`).
  @inlinable public static func exp(_ x: Double) -> Double { Foundation.exp(x) }
  /// ln x (`log`).
  @inlinable public static func log(_ x: Double) -> Double { Foundation.log(x) }
  /// tanh x (`tanh`).
  @inlinable public static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }
}

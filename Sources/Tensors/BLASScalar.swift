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
  /// `delta[i] *= 1 − b[i]²` over whole buffers: BPTT through tanh from its outputs b, each
  /// operation rounded alone. Precondition: equal counts, no overlap.
  static func scaleByTanhDerivative(
    _ delta: UnsafeMutableBufferPointer<Self>, output b: UnsafeBufferPointer<Self>)
  /// `result[j] = Σ_r matrix[r, j]` for a row-major `rows × columns` matrix, rows added in
  /// order. Precondition: `result` holds `columns` scalars and does not overlap `matrix`.
  static func sumRows(
    of matrix: UnsafePointer<Self>, rows: Int, columns: Int,
    into result: UnsafeMutableBufferPointer<Self>)
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

  /// `ckernels_tanh_derivative`: the plain loop at the CPU's widest vectors, same bits.
  public static func scaleByTanhDerivative(
    _ delta: UnsafeMutableBufferPointer<Float>, output b: UnsafeBufferPointer<Float>
  ) {
    precondition(delta.count == b.count, "derivative buffers differ in size")
    guard let deltas = delta.baseAddress, let outputs = b.baseAddress else { return }
    ckernels_tanh_derivative(deltas, outputs, delta.count)
  }

  /// `ckernels_sum_rows`: the plain loop at the CPU's widest vectors, same bits.
  public static func sumRows(
    of matrix: UnsafePointer<Float>, rows: Int, columns: Int,
    into result: UnsafeMutableBufferPointer<Float>
  ) {
    precondition(result.count >= columns, "row sums need \(columns) scalars")
    guard rows >= 0, columns > 0 else { return }
    ckernels_sum_rows(matrix, rows, columns, result.baseAddress!)
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

  /// The plain loop.
  public static func scaleByTanhDerivative(
    _ delta: UnsafeMutableBufferPointer<Double>, output b: UnsafeBufferPointer<Double>
  ) {
    precondition(delta.count == b.count, "derivative buffers differ in size")
    for i in 0..<delta.count { delta[i] *= 1 - b[i] * b[i] }
  }

  /// The plain loop.
  public static func sumRows(
    of matrix: UnsafePointer<Double>, rows: Int, columns: Int,
    into result: UnsafeMutableBufferPointer<Double>
  ) {
    precondition(result.count >= columns, "row sums need \(columns) scalars")
    for j in 0..<columns { result[j] = 0 }
    for r in 0..<rows {
      let row = matrix + r * columns
      for j in 0..<columns { result[j] += row[j] }
    }
  }
}

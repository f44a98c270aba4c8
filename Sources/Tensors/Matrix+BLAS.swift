internal import COpenBLAS

/// Whether a BLAS operand is used as stored or transposed.
public enum Transpose: Sendable {
  case none, transposed
}

/// C ← alpha · op(A) · op(B) + beta · C on raw row-major storage (`cblas_sgemm` /
/// `cblas_dgemm`, `CblasRowMajor`, sizes converted to Int32).
///
/// Shapes: op(A) is `m × k`, op(B) is `k × n`, C is `m × n`. Leading dimensions are in elements,
/// so a sub-block (one time step's rows of a larger matrix) is multiplied without copying.
/// With `k == 0` the product is empty and C becomes `beta · C`.
public func gemm<S: BLASScalar>(
  _ transposeA: Transpose, _ transposeB: Transpose, m: Int, n: Int, k: Int,
  alpha: S, _ a: UnsafePointer<S>, lda: Int, _ b: UnsafePointer<S>, ldb: Int,
  beta: S, _ c: UnsafeMutablePointer<S>, ldc: Int
) {
  precondition(m >= 0 && n >= 0 && k >= 0, "negative gemm size m=\(m) n=\(n) k=\(k)")
  precondition(lda >= max(1, transposeA == .none ? k : m), "lda \(lda) too small")
  precondition(ldb >= max(1, transposeB == .none ? n : k), "ldb \(ldb) too small")
  precondition(ldc >= max(1, n), "ldc \(ldc) too small")
  // Spelled out rather than over an array: gemm runs inside per-step loops that must not allocate.
  let limit = Int(Int32.max)
  precondition(
    m <= limit && n <= limit && k <= limit && lda <= limit && ldb <= limit
      && ldc <= limit, "gemm size exceeds the BLAS Int32 range")
  if m == 0 || n == 0 { return }
  if k == 0 {
    for row in 0..<m {
      let line = c + row * ldc
      for column in 0..<n { line[column] = beta == 0 ? 0 : beta * line[column] }
    }
    return
  }
  let opA = transposeA == .none ? CblasNoTrans : CblasTrans
  let opB = transposeB == .none ? CblasNoTrans : CblasTrans
  if S.self == Float.self {
    cblas_sgemm(
      CblasRowMajor, opA, opB, Int32(m), Int32(n), Int32(k),
      Float(alpha), UnsafeRawPointer(a).assumingMemoryBound(to: Float.self), Int32(lda),
      UnsafeRawPointer(b).assumingMemoryBound(to: Float.self), Int32(ldb),
      Float(beta), UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self), Int32(ldc))
  } else if S.self == Double.self {
    cblas_dgemm(
      CblasRowMajor, opA, opB, Int32(m), Int32(n), Int32(k),
      Double(alpha), UnsafeRawPointer(a).assumingMemoryBound(to: Double.self), Int32(lda),
      UnsafeRawPointer(b).assumingMemoryBound(to: Double.self), Int32(ldb),
      Double(beta), UnsafeMutableRawPointer(c).assumingMemoryBound(to: Double.self), Int32(ldc))
  } else {
    preconditionFailure("gemm supports Float and Double, not \(S.self)")
  }
}

extension Matrix {
  /// c ← alpha · op(a) · op(b) + beta · c. Shapes are checked with preconditions:
  /// op(a) is `m × k`, op(b) is `k × n` and c is `m × n`.
  public static func multiply(
    _ a: Matrix, _ transposeA: Transpose, _ b: Matrix, _ transposeB: Transpose,
    into c: inout Matrix, alpha: Scalar = 1, beta: Scalar = 0
  ) {
    let (m, k) = transposeA == .none ? (a.rows, a.columns) : (a.columns, a.rows)
    let (kB, n) = transposeB == .none ? (b.rows, b.columns) : (b.columns, b.rows)
    precondition(k == kB, "inner dimensions differ: op(a) is \(m)×\(k), op(b) is \(kB)×\(n)")
    precondition(
      c.rows == m && c.columns == n, "c is \(c.rows)×\(c.columns), the product is \(m)×\(n)")
    if m == 0 || n == 0 { return }
    let lda = max(1, a.columns)
    let ldb = max(1, b.columns)
    if k == 0 {
      c.elements.withUnsafeMutableBufferPointer { cBuffer in
        for index in cBuffer.indices { cBuffer[index] = beta == 0 ? 0 : beta * cBuffer[index] }
      }
      return
    }
    a.elements.withUnsafeBufferPointer { aBuffer in
      b.elements.withUnsafeBufferPointer { bBuffer in
        c.elements.withUnsafeMutableBufferPointer { cBuffer in
          gemm(
            transposeA, transposeB, m: m, n: n, k: k,
            alpha: alpha, aBuffer.baseAddress!, lda: lda, bBuffer.baseAddress!, ldb: ldb,
            beta: beta, cBuffer.baseAddress!, ldc: n)
        }
      }
    }
  }
}

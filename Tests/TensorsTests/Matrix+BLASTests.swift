import Tensors
import Testing

/// gemm and Matrix.multiply against a naive triple loop (the independent computation).
@Suite struct MatrixBLASTests {
  static let transposes: [(Transpose, Transpose)] = [
    (.none, .none), (.none, .transposed), (.transposed, .none), (.transposed, .transposed),
  ]

  /// op(X)[i, j] for a row-major X with leading dimension `ld`.
  static func element<S: BLASScalar>(
    _ x: [S], ld: Int, _ transpose: Transpose, _ i: Int, _ j: Int
  ) -> S {
    transpose == .none ? x[i * ld + j] : x[j * ld + i]
  }

  static func randomArray<S: BLASScalar>(_ count: Int, _ generator: inout SeededGenerator) -> [S] {
    (0..<count).map { _ in S(generator.uniform(in: -1...1)) }
  }

  /// Multiplies sub-blocks of larger buffers (leading dimensions wider than the block) and checks
  /// every entry of C, including that entries outside the m×n block are untouched.
  func checkSubBlocks<S: BLASScalar>(_ type: S.Type, tolerance: S) {
    var generator = SeededGenerator(seed: 7)
    let (m, n, k) = (5, 4, 3)
    for (ta, tb) in Self.transposes {
      let (aRows, aColumns) = ta == .none ? (m, k) : (k, m)
      let (bRows, bColumns) = tb == .none ? (k, n) : (n, k)
      let (lda, ldb, ldc) = (aColumns + 2, bColumns + 3, n + 1)
      let a: [S] = Self.randomArray(aRows * lda, &generator)
      let b: [S] = Self.randomArray(bRows * ldb, &generator)
      let original: [S] = Self.randomArray(m * ldc, &generator)
      var c = original
      let (alpha, beta): (S, S) = (0.75, -0.5)
      a.withUnsafeBufferPointer { ap in
        b.withUnsafeBufferPointer { bp in
          c.withUnsafeMutableBufferPointer { cp in
            gemm(
              ta, tb, m: m, n: n, k: k, alpha: alpha, ap.baseAddress!, lda: lda,
              bp.baseAddress!, ldb: ldb, beta: beta, cp.baseAddress!, ldc: ldc)
          }
        }
      }
      for i in 0..<m {
        for j in 0..<ldc {
          if j >= n {
            #expect(c[i * ldc + j] == original[i * ldc + j], "padding column touched")
            continue
          }
          var sum: S = 0
          for l in 0..<k {
            sum += Self.element(a, ld: lda, ta, i, l) * Self.element(b, ld: ldb, tb, l, j)
          }
          let expected = alpha * sum + beta * original[i * ldc + j]
          #expect(abs(c[i * ldc + j] - expected) <= tolerance, "\(ta) \(tb) at (\(i), \(j))")
        }
      }
    }
  }

  @Test func gemmMatchesNaiveLoopOnSubBlocksFloat() {
    checkSubBlocks(Float.self, tolerance: 1e-5)
  }

  @Test func gemmMatchesNaiveLoopOnSubBlocksDouble() {
    checkSubBlocks(Double.self, tolerance: 1e-13)
  }

  func checkMultiply<S: BLASScalar>(_ type: S.Type, tolerance: S) {
    var generator = SeededGenerator(seed: 11)
    let (m, n, k) = (4, 6, 7)
    for (ta, tb) in Self.transposes {
      let a =
        ta == .none
        ? Matrix<S>(rows: m, columns: k, elements: Self.randomArray(m * k, &generator))
        : Matrix<S>(rows: k, columns: m, elements: Self.randomArray(m * k, &generator))
      let b =
        tb == .none
        ? Matrix<S>(rows: k, columns: n, elements: Self.randomArray(k * n, &generator))
        : Matrix<S>(rows: n, columns: k, elements: Self.randomArray(k * n, &generator))
      var c = Matrix<S>(rows: m, columns: n, repeating: 1)
      Matrix.multiply(a, ta, b, tb, into: &c, beta: 2)
      for i in 0..<m {
        for j in 0..<n {
          var sum: S = 0
          for l in 0..<k {
            let x = ta == .none ? a[i, l] : a[l, i]
            let y = tb == .none ? b[l, j] : b[j, l]
            sum += x * y
          }
          #expect(abs(c[i, j] - (sum + 2)) <= tolerance, "\(ta) \(tb) at (\(i), \(j))")
        }
      }
    }
  }

  @Test func multiplyMatchesNaiveLoopFloat() {
    checkMultiply(Float.self, tolerance: 1e-5)
  }

  @Test func multiplyMatchesNaiveLoopDouble() {
    checkMultiply(Double.self, tolerance: 1e-13)
  }

  @Test func handWorkedProduct() {
    // [1 2; 3 4] · [5 6; 7 8] = [1·5+2·7, 1·6+2·8; 3·5+4·7, 3·6+4·8] = [19 22; 43 50]
    let a = Matrix<Double>(rows: 2, columns: 2, elements: [1, 2, 3, 4])
    let b = Matrix<Double>(rows: 2, columns: 2, elements: [5, 6, 7, 8])
    var c = Matrix<Double>(rows: 2, columns: 2)
    Matrix.multiply(a, .none, b, .none, into: &c)
    #expect(c.elements == [19, 22, 43, 50])
    // aᵀ · b = [1·5+3·7, 1·6+3·8; 2·5+4·7, 2·6+4·8] = [26 30; 38 44]
    Matrix.multiply(a, .transposed, b, .none, into: &c)
    #expect(c.elements == [26, 30, 38, 44])
  }

  @Test func emptyInnerDimensionScalesC() {
    let a = Matrix<Float>(rows: 2, columns: 0)
    let b = Matrix<Float>(rows: 0, columns: 3)
    var c = Matrix<Float>(rows: 2, columns: 3, repeating: 4)
    Matrix.multiply(a, .none, b, .none, into: &c, beta: 0.5)
    #expect(c.elements == [Float](repeating: 2, count: 6))
    Matrix.multiply(a, .none, b, .none, into: &c)
    #expect(c.elements == [Float](repeating: 0, count: 6))
  }
}

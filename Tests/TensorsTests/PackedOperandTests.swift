import Tensors
import Testing

/// The packed products against a Double product computed here, for every kernel this CPU runs:
/// row counts around the tile heights (6, 8), column counts around the half panel and the panel
/// (16, 32), both readings of B, accumulation on and off, and leading dimensions wider than the
/// matrices (whose extra columns must not be touched).
@Suite struct PackedOperandTests {
  struct Case: CustomTestStringConvertible {
    var m: Int
    var n: Int
    var k: Int
    var testDescription: String { "\(m)×\(k)·\(k)×\(n)" }
  }

  static let cases: [Case] = [
    Case(m: 1, n: 1, k: 1), Case(m: 5, n: 15, k: 7), Case(m: 6, n: 16, k: 3),
    Case(m: 8, n: 17, k: 64), Case(m: 9, n: 31, k: 5), Case(m: 13, n: 32, k: 33),
    Case(m: 17, n: 33, k: 2), Case(m: 3, n: 70, k: 19), Case(m: 4, n: 5, k: 0),
  ]

  static func values(_ count: Int, seed: UInt64) -> [Float] {
    var generator = SeededGenerator(seed: seed)
    return (0..<count).map { _ in Float(generator.uniform(in: -1...1)) }
  }

  @Test(arguments: cases)
  func productsMatchADoubleProduct(_ c: Case) {
    let (lda, ldb, ldc) = (c.k + 3, max(c.k, c.n) + 2, c.n + 4)
    let a = Self.values(c.m * lda, seed: 1)
    let b = Self.values(max(c.k, c.n) * ldb, seed: 2)
    let start = Self.values(c.m * ldc, seed: 3)
    for kernel in ProductKernel.available(for: Float.self) {
      for transposed in [false, true] {
        for accumulate in [false, true] {
          let operand = PackedOperand<Float>(kernel: kernel)
          b.withUnsafeBufferPointer {
            operand.prepare(
              $0.baseAddress!, ldb: ldb, transposed: transposed, k: c.k, n: c.n)
          }
          var result = start
          a.withUnsafeBufferPointer { a in
            result.withUnsafeMutableBufferPointer { r in
              operand.multiply(
                m: c.m, a.baseAddress!, lda: lda, accumulate: accumulate,
                into: r.baseAddress!, ldc: ldc)
            }
          }
          for row in 0..<c.m {
            for column in 0..<ldc {
              let index = row * ldc + column
              guard column < c.n else {
                #expect(result[index] == start[index], "\(kernel) wrote past n")
                continue
              }
              var exact = accumulate ? Double(start[index]) : 0
              var scale = abs(exact)
              for i in 0..<c.k {
                let bValue = transposed ? b[column * ldb + i] : b[i * ldb + column]
                let term = Double(a[row * lda + i]) * Double(bValue)
                exact += term
                scale += abs(term)
              }
              // The rounding of a k-term Float sum: at most (k + 1) units of 2⁻²⁴ of the sum
              // of the absolute terms.
              let bound = Double(c.k + 1) * 0x1p-24 * scale
              #expect(
                abs(Double(result[index]) - exact) <= bound,
                "\(kernel) transposed=\(transposed) accumulate=\(accumulate) at \(row),\(column)")
            }
          }
        }
      }
    }
  }

  /// A row's result is the same bits whether it is multiplied alone or inside a block of rows,
  /// wherever the block's tiles split it: row counts that leave 1 to 5 rows after the full
  /// tiles of 6 (AVX2) and 8 (AVX-512) rows, which the kernels run as two smaller tiles when
  /// fewer than 4 are left.
  @Test(arguments: [9, 10, 11, 13, 20, 32])
  func rowsDoNotDependOnTheirNeighbours(m: Int) {
    let (n, k) = (40, 29)
    let a = Self.values(m * k, seed: 4)
    let b = Self.values(k * n, seed: 5)
    for kernel in ProductKernel.available(for: Float.self) where kernel != .blas {
      let operand = PackedOperand<Float>(kernel: kernel)
      b.withUnsafeBufferPointer {
        operand.prepare($0.baseAddress!, ldb: n, transposed: false, k: k, n: n)
      }
      var whole = [Float](repeating: 0, count: m * n)
      var single = [Float](repeating: 0, count: n)
      a.withUnsafeBufferPointer { a in
        whole.withUnsafeMutableBufferPointer {
          operand.multiply(
            m: m, a.baseAddress!, lda: k, accumulate: false, into: $0.baseAddress!, ldc: n)
        }
        for row in 0..<m {
          single.withUnsafeMutableBufferPointer {
            operand.multiply(
              m: 1, a.baseAddress! + row * k, lda: k, accumulate: false,
              into: $0.baseAddress!, ldc: n)
          }
          #expect(Array(whole[(row * n)..<(row * n + n)]) == single, "\(kernel) row \(row)")
        }
      }
    }
  }

  /// `prepare` copies: changing B afterwards does not change the products.
  @Test func prepareCopiesTheOperand() {
    for kernel in ProductKernel.available(for: Float.self) {
      var b: [Float] = [1, 2, 3, 4]
      let operand = PackedOperand<Float>(kernel: kernel)
      b.withUnsafeBufferPointer {
        operand.prepare($0.baseAddress!, ldb: 2, transposed: false, k: 2, n: 2)
      }
      b = [0, 0, 0, 0]
      let a: [Float] = [1, 10]
      var c: [Float] = [0, 0]
      a.withUnsafeBufferPointer { a in
        c.withUnsafeMutableBufferPointer {
          operand.multiply(
            m: 1, a.baseAddress!, lda: 2, accumulate: false, into: $0.baseAddress!, ldc: 2)
        }
      }
      #expect(c == [31, 42], "\(kernel)")
      #expect(b == [0, 0, 0, 0])
    }
  }

  @Test func doubleUsesBLASAndMatchesAHandProduct() {
    #expect(ProductKernel.available(for: Double.self) == [.blas])
    #expect(ProductKernel.best(for: Double.self) == .blas)
    let floatKernels = ProductKernel.available(for: Float.self)
    #expect(floatKernels.first == .blas)
    #expect(ProductKernel.best(for: Float.self) == floatKernels.last)
    // [[1, 2]] · op([[3, 4], [5, 6]]): as stored [[13, 16]], transposed [[11, 17]]; plus C.
    let operand = PackedOperand<Double>()
    let b: [Double] = [3, 4, 5, 6]
    let a: [Double] = [1, 2]
    for (transposed, expected) in [(false, [13.0, 16]), (true, [11, 17])] {
      b.withUnsafeBufferPointer {
        operand.prepare($0.baseAddress!, ldb: 2, transposed: transposed, k: 2, n: 2)
      }
      var c: [Double] = [100, 200]
      a.withUnsafeBufferPointer { a in
        c.withUnsafeMutableBufferPointer {
          operand.multiply(
            m: 1, a.baseAddress!, lda: 2, accumulate: true, into: $0.baseAddress!, ldc: 2)
        }
      }
      #expect(c == [100 + expected[0], 200 + expected[1]])
    }
  }
}

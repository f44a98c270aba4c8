import Foundation
import Tensors
import Testing

@Suite struct BLASScalarTests {
  static func values(_ count: Int, seed: UInt64) -> [Float] {
    var generator = SeededGenerator(seed: seed)
    return (0..<count).map { _ in Float(generator.uniform(in: -2...2)) }
  }

  /// The vectorised Float loops give the bits of the plain Swift loop (no fused multiply-adds),
  /// over a length that leaves a tail after every vector width.
  @Test func floatTanhDerivativeMatchesThePlainLoop() {
    let b = Self.values(1037, seed: 1)
    var delta = Self.values(1037, seed: 2)
    var expected = delta
    for i in expected.indices { expected[i] *= 1 - b[i] * b[i] }
    b.withUnsafeBufferPointer { b in
      delta.withUnsafeMutableBufferPointer { Float.scaleByTanhDerivative($0, output: b) }
    }
    #expect(delta == expected)
  }

  @Test(arguments: [(37, 67), (1, 1), (0, 5), (130, 16)])
  func floatRowSumsMatchThePlainLoop(rows: Int, columns: Int) {
    let matrix = Self.values(rows * columns, seed: 3)
    var expected = [Float](repeating: 0, count: columns)
    for r in 0..<rows {
      for j in 0..<columns { expected[j] += matrix[r * columns + j] }
    }
    var result = [Float](repeating: .nan, count: columns)
    matrix.withUnsafeBufferPointer { m in
      result.withUnsafeMutableBufferPointer {
        Float.sumRows(of: m.baseAddress!, rows: rows, columns: columns, into: $0)
      }
    }
    #expect(result == expected)
  }
  /// The vectorised Float tanh against Double tanh on a grid over [−12, 12] (step 0.0005, plus
  /// the edges of its branches): within 4·10⁻⁷ relative and 6 units in the last place.
  @Test func floatTanhIsAccurate() {
    var inputs: [Float] = (0...48_000).map { Float(-12 + Double($0) * 0.0005) }
    inputs += [0, -0.0, 1e-30, -1e-30, 0.0004, -0.0004, 0.00039999, 7.9053111, 7.91, 1e30, -1e30]
    inputs += [.infinity, -.infinity]
    var outputs = [Float](repeating: 0, count: inputs.count)
    inputs.withUnsafeBufferPointer { a in
      outputs.withUnsafeMutableBufferPointer { Float.tanh(a, into: $0) }
    }
    var worstRelative = 0.0
    var worstUlps = 0.0
    for (x, y) in zip(inputs, outputs) {
      let exact = Foundation.tanh(Double(x))
      let error = abs(Double(y) - exact)
      if exact != 0 { worstRelative = max(worstRelative, error / abs(exact)) }
      worstUlps = max(worstUlps, error / Double(Float(abs(exact)).ulp))
      #expect(abs(y) <= 1)
    }
    #expect(worstRelative < 4e-7)
    #expect(worstUlps <= 6)
    var nan = [Float](repeating: 0, count: 1)
    [Float.nan].withUnsafeBufferPointer { a in
      nan.withUnsafeMutableBufferPointer { Float.tanh(a, into: $0) }
    }
    #expect(nan[0].isNaN)
  }

  /// In place (the way the network activates) gives the same bits as into another buffer.
  @Test func floatTanhInPlaceMatchesApart() {
    let inputs: [Float] = (0..<1000).map { Float($0 - 500) * 0.013 }
    var apart = [Float](repeating: 0, count: inputs.count)
    inputs.withUnsafeBufferPointer { a in
      apart.withUnsafeMutableBufferPointer { Float.tanh(a, into: $0) }
    }
    var inPlace = inputs
    inPlace.withUnsafeMutableBufferPointer { buffer in
      Float.tanh(UnsafeBufferPointer(buffer), into: buffer)
    }
    #expect(inPlace == apart)
    #expect(inPlace != inputs)
  }

  @Test func doubleTanhIsLibm() {
    let inputs: [Double] = [-20, -1.5, -1e-9, 0, 0.3, 4, 19]
    var outputs = [Double](repeating: 0, count: inputs.count)
    inputs.withUnsafeBufferPointer { a in
      outputs.withUnsafeMutableBufferPointer { Double.tanh(a, into: $0) }
    }
    #expect(outputs == inputs.map { Foundation.tanh($0) })
  }
}

import Tensors
import Testing

@Suite struct MatrixTests {
  @Test func storesRowMajor() {
    var m = Matrix<Double>(rows: 2, columns: 3, elements: [1, 2, 3, 4, 5, 6])
    #expect(m.count == 6)
    #expect(m[0, 2] == 3)
    #expect(m[1, 0] == 4)
    m[1, 2] = 9
    #expect(m.elements == [1, 2, 3, 4, 5, 9])
  }

  @Test func repeatingAndSetZero() {
    var m = Matrix<Float>(rows: 3, columns: 2, repeating: 1.5)
    #expect(m.elements == [Float](repeating: 1.5, count: 6))
    m.setZero()
    #expect(m == Matrix<Float>(rows: 3, columns: 2))
    #expect(m.rows == 3 && m.columns == 2)
  }

  @Test func convertsBetweenScalars() {
    let m = Matrix<Double>(rows: 1, columns: 3, elements: [0.1, -2, 1e-3])
    let f = m.converted(to: Float.self)
    #expect(f.elements == [Float(0.1), -2, Float(1e-3)])
    #expect(f.converted(to: Double.self).elements[1] == -2)
  }
}

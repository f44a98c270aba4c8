import Recur
import Tensors
import Testing

@Suite struct ParameterSetTests {
  @Test func keepsOrderAndLooksUpByKey() {
    var set = ParameterSet<Double>([("a", Matrix(rows: 1, columns: 2, elements: [1, 2]))])
    set.append("b", Matrix(rows: 2, columns: 2, repeating: 3))
    #expect(set.keys == ["a", "b"])
    #expect(set["b"]?.elements == [3, 3, 3, 3])
    #expect(set["c"] == nil)
    #expect(set.scalarCount == 6)
    let zeros = set.zeros()
    #expect(zeros.keys == set.keys)
    #expect(zeros.values.allSatisfy { $0.elements.allSatisfy { $0 == 0 } })
    #expect(zeros.values.map(\.rows) == [1, 2])
    let float = set.converted(to: Float.self)
    #expect(float["a"]?.elements == [1, 2])
    #expect(float.hasSameLayout(as: set))
    #expect(!ParameterSet<Double>().hasSameLayout(as: set))
  }
}

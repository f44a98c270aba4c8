import Recur
import Tensors
import Testing

@Suite struct GradientClippingTests {
  static func gradients(_ a: [Float], _ b: [Float]) -> ParameterSet<Float> {
    ParameterSet([
      ("a", Matrix(rows: 1, columns: a.count, elements: a)),
      ("b", Matrix(rows: 1, columns: b.count, elements: b)),
    ])
  }

  /// Global norm of (3, 0 | 4) is 5; clipped to 2.5 every entry halves.
  @Test func normScalesTheWholeGradient() {
    var g = Self.gradients([3, 0], [4])
    GradientClipping(norm: 2.5).apply(to: &g)
    #expect(g["a"]!.elements == [1.5, 0])
    #expect(g["b"]!.elements == [2])
    var small = Self.gradients([0.3, 0], [0.4])
    GradientClipping(norm: 2.5).apply(to: &small)
    #expect(small == Self.gradients([0.3, 0], [0.4]))
  }

  /// Clamp to ±1 first: (3, −0.5 | −4) → (1, −0.5 | −1), norm 1.5; then to norm 0.75: ×0.5.
  @Test func valueThenNorm() {
    var g = Self.gradients([3, -0.5], [-4])
    GradientClipping(value: 1).apply(to: &g)
    #expect(g == Self.gradients([1, -0.5], [-1]))
    var both = Self.gradients([3, -0.5], [-4])
    GradientClipping(norm: 0.75, value: 1).apply(to: &both)
    #expect(both == Self.gradients([0.5, -0.25], [-0.5]))
  }
}

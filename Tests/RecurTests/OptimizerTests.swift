import Recur
import Tensors
import Testing

@Suite struct OptimizerTests {
  static func parameters(_ values: [Float]) -> ParameterSet<Float> {
    ParameterSet([("w", Matrix(rows: 1, columns: values.count, elements: values))])
  }

  @Test func plainSGDStepsAgainstTheGradient() {
    var sgd = SGD(momentum: 0)
    var theta = Self.parameters([1, -2])
    sgd.step(&theta, gradients: Self.parameters([0.5, -4]), learningRate: 0.1)
    // 1 − 0.1·0.5 = 0.95; −2 − 0.1·(−4) = −1.6
    #expect(theta["w"]!.elements == [0.95, -1.6])
  }

  /// v₁ = g₁ = 1, θ₁ = 0 − 0.5·1 = −0.5; v₂ = 0.9·1 + 2 = 2.9, θ₂ = −0.5 − 0.5·2.9 = −1.95;
  /// v₃ = 0.9·2.9 + 0 = 2.61, θ₃ = −1.95 − 0.5·2.61 = −3.255.
  @Test func momentumAccumulatesVelocity() {
    var sgd = SGD(momentum: 0.9)
    var theta = Self.parameters([0])
    var trajectory: [Float] = []
    for gradient: Float in [1, 2, 0] {
      sgd.step(&theta, gradients: Self.parameters([gradient]), learningRate: 0.5)
      trajectory.append(theta["w"]!.elements[0])
    }
    #expect(abs(trajectory[0] - -0.5) < 1e-6)
    #expect(abs(trajectory[1] - -1.95) < 1e-6)
    #expect(abs(trajectory[2] - -3.255) < 1e-6)
  }
}

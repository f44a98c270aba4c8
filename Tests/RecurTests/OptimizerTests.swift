import Foundation
import Recur
import Tensors
import TestSupport
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

  /// Runs `optimizer` from θ = `start` over `gradients` (one step each) and returns θ after
  /// every step.
  static func trajectory(
    _ optimizer: some Optimizer, from start: [Float], gradients: [[Float]], learningRate: Float
  ) -> [[Float]] {
    var optimizer = optimizer
    var theta = parameters(start)
    return gradients.map { gradient in
      optimizer.step(&theta, gradients: parameters(gradient), learningRate: learningRate)
      return theta["w"]!.elements
    }
  }

  /// The steps against hand-worked values, to Float32's precision.
  static func expectClose(
    _ actual: [[Float]], _ expected: [[Double]],
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    #expect(actual.count == expected.count, sourceLocation: sourceLocation)
    TestSupport.expectClose(
      Array(actual.joined()), Array(expected.joined()), tolerance: 1e-6,
      sourceLocation: sourceLocation)
  }

  /// μ = 0.9, η = 0.1, g = 0.5 twice. Step 1: v = 0.5, θ = 1 − 0.1·(0.5 + 0.9·0.5) = 0.905.
  /// Step 2: v = 0.9·0.5 + 0.5 = 0.95, θ = 0.905 − 0.1·(0.5 + 0.9·0.95) = 0.7695.
  @Test func nesterovLooksAhead() {
    let steps = Self.trajectory(
      SGD(momentum: 0.9, nesterov: true), from: [1], gradients: [[0.5], [0.5]], learningRate: 0.1)
    Self.expectClose(steps, [[0.905], [0.7695]])
  }

  /// λ = 0.1: g = 1 + 0.1·2 = 1.2, θ = 2 − 0.5·1.2 = 1.4.
  @Test func weightDecayAddsToTheGradient() {
    let steps = Self.trajectory(
      SGD(momentum: 0, weightDecay: 0.1), from: [2], gradients: [[1]], learningRate: 0.5)
    Self.expectClose(steps, [[1.4]])
  }

  /// η = 0.1, β = (0.9, 0.999), g = 0.5 then −1. Step 1: m = 0.05, v = 0.00025, m̂ = 0.5,
  /// v̂ = 0.25, θ = 1 − 0.1·0.5/(0.5 + 1e-8) ≈ 0.9. Step 2: m = −0.055, v = 0.00124975,
  /// m̂ = −0.055/0.19, v̂ = 0.00124975/0.001999, θ = 0.9366103542 (the same recurrence in
  /// Python, double precision).
  @Test func adamCorrectsItsBias() {
    let steps = Self.trajectory(Adam(), from: [1], gradients: [[0.5], [-1]], learningRate: 0.1)
    Self.expectClose(steps, [[0.900000002], [0.9366103542405654]])
  }

  /// λ = 0.01. Adam's L2 adds λθ to g (0.51 at step 1); AdamW first shrinks θ by 1 − ηλ = 0.999
  /// and then takes the plain Adam step. Values from the recurrences in Python, double precision.
  @Test func adamWDecouplesWeightDecay() {
    let coupled = Self.trajectory(
      Adam(weightDecay: 0.01), from: [1], gradients: [[0.5], [-1]], learningRate: 0.1)
    Self.expectClose(coupled, [[0.9000000019607843], [0.9355236415321513]])
    let decoupled = Self.trajectory(
      Adam(weightDecay: 0.01, decoupledWeightDecay: true), from: [1], gradients: [[0.5], [-1]],
      learningRate: 0.1)
    Self.expectClose(decoupled, [[0.899000002], [0.9347113542385653]])
  }

  /// α = 0.99, η = 0.01, g = 0.5 twice: v = 0.0025, θ = 1 − 0.01·0.5/0.05 = 0.9; then
  /// v = 0.99·0.0025 + 0.0025 = 0.004975, θ = 0.9 − 0.005/√0.004975 = 0.8291119095.
  @Test func rmspropNormalisesByTheRunningAverage() {
    let steps = Self.trajectory(
      RMSprop(), from: [1], gradients: [[0.5], [0.5]], learningRate: 0.01)
    Self.expectClose(steps, [[0.9], [0.8291119095494123]])
  }

  /// η = 0.1, g = 0.5 then 1: s = 0.25, θ = 1 − 0.1·0.5/0.5 = 0.9; s = 1.25,
  /// θ = 0.9 − 0.1/√1.25 = 0.8105572809.
  @Test func adagradAccumulatesSquares() {
    let steps = Self.trajectory(Adagrad(), from: [1], gradients: [[0.5], [1]], learningRate: 0.1)
    Self.expectClose(steps, [[0.9], [0.8105572809280084]])
  }

  /// Three weights from θ = 1 with Δ₀ = 0.1, η₊ = 1.2, η₋ = 0.5. Signs of the gradients over
  /// three steps: a (+ + +): Δ 0.1, 0.12, 0.144 → θ 0.9, 0.78, 0.636. b (+ − −): step 2 flips,
  /// so Δ = 0.05 and b stays at 0.9; step 3 follows a "zero" gradient, so Δ stays 0.05 and b
  /// moves up to 0.95. c (0 + +): no move, then Δ 0.1 → 0.9, then 0.12 → 0.78.
  @Test func rpropAdaptsEachStepToTheSigns() {
    let steps = Self.trajectory(
      Rprop(), from: [1, 1, 1],
      gradients: [[3, 0.2, 0], [0.01, -7, 4], [5, -1, 2]], learningRate: 0.1)
    Self.expectClose(steps, [[0.9, 0.9, 1], [0.78, 0.9, 0.9], [0.636, 0.95, 0.78]])
  }

  /// Adam, AdamW, RMSprop and Adagrad update in C at the CPU's widest vectors; here they run
  /// against their equations as plain Swift loops, in the same order of operations: bit for bit
  /// over three steps on 141 scalars (so that every build's vector loop leaves a remainder),
  /// parameters and gradients random, with weight decay.
  @Test(arguments: ["adam", "adamw", "rmsprop", "adagrad"])
  func adaptiveStepsMatchTheirEquationsBitForBit(optimizer name: String) {
    var generator = SeededGenerator(seed: 11)
    let count = 141
    func random() -> [Float] { (0..<count).map { _ in Float(generator.uniform(in: -2...2)) } }
    let start = random()
    let gradients = (0..<3).map { _ in random() }
    let (rate, lambda): (Float, Float) = (0.01, 0.03)
    let optimizer: any Optimizer =
      switch name {
      case "adam": Adam(weightDecay: lambda)
      case "adamw": Adam(weightDecay: lambda, decoupledWeightDecay: true)
      case "rmsprop": RMSprop(weightDecay: lambda)
      default: Adagrad(weightDecay: lambda)
      }
    let actual = Self.trajectory(optimizer, from: start, gradients: gradients, learningRate: rate)

    var theta = start
    var first = [Float](repeating: 0, count: count)
    var second = first
    var expected: [[Float]] = []
    for (step, g) in gradients.enumerated() {
      for i in 0..<count {
        switch name {
        case "adam", "adamw":
          let (b1, b2, eps): (Float, Float, Float) = (0.9, 0.999, 1e-8)
          let t = Double(step + 1)
          let correction1 = Float(1 - pow(Double(b1), t))
          let correction2 = Float(1 - pow(Double(b2), t))
          let l2 = name == "adam" ? lambda : 0
          let shrink = name == "adam" ? 1 : 1 - rate * lambda
          let gradient = g[i] + l2 * theta[i]
          first[i] = b1 * first[i] + (1 - b1) * gradient
          second[i] = b2 * second[i] + (1 - b2) * gradient * gradient
          let mHat = first[i] / correction1
          let vHat = second[i] / correction2
          theta[i] = theta[i] * shrink - rate * mHat / (vHat.squareRoot() + eps)
        case "rmsprop":
          let (alpha, eps): (Float, Float) = (0.99, 1e-8)
          let gradient = g[i] + lambda * theta[i]
          first[i] = alpha * first[i] + (1 - alpha) * gradient * gradient
          theta[i] -= rate * gradient / (first[i].squareRoot() + eps)
        default:
          let eps: Float = 1e-10
          let gradient = g[i] + lambda * theta[i]
          first[i] += gradient * gradient
          theta[i] -= rate * gradient / (first[i].squareRoot() + eps)
        }
      }
      expected.append(theta)
    }
    #expect(actual.map { $0.map(\.bitPattern) } == expected.map { $0.map(\.bitPattern) })
    #expect(expected.last != start)
  }
}

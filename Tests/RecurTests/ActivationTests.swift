import Foundation
import Recur
import Testing

@Suite struct ActivationTests {
  static let inputs: [Double] = [-3, -0.5, -1e-3, 0.25, 2]

  func run(_ activation: any Activation) -> (b: [Double], scaled: [Double]) {
    var b = [Double](repeating: 0, count: Self.inputs.count)
    var delta = [Double](repeating: 2, count: Self.inputs.count)
    Self.inputs.withUnsafeBufferPointer { a in
      b.withUnsafeMutableBufferPointer { activation.apply(a, into: $0) }
      b.withUnsafeBufferPointer { output in
        delta.withUnsafeMutableBufferPointer {
          activation.scaleByDerivative($0, output: output)
        }
      }
    }
    return (b, delta)
  }

  @Test func tanh() {
    let (b, scaled) = run(Tanh())
    #expect(Tanh().name == "tanh")
    for (i, a) in Self.inputs.enumerated() {
      let cosh = Foundation.cosh(a)
      #expect(abs(b[i] - Foundation.tanh(a)) < 1e-15)
      #expect(abs(scaled[i] - 2 / (cosh * cosh)) < 1e-14)  // tanh' = sech²
    }
  }

  @Test func sigmoid() {
    let (b, scaled) = run(Sigmoid())
    #expect(Sigmoid().name == "sigmoid")
    for (i, a) in Self.inputs.enumerated() {
      #expect(abs(b[i] - 1 / (1 + exp(-a))) < 1e-15)
      #expect(abs(scaled[i] - 2 * exp(-a) / ((1 + exp(-a)) * (1 + exp(-a)))) < 1e-14)
    }
  }

  @Test func relu() {
    let (b, scaled) = run(ReLU())
    #expect(ReLU().name == "relu")
    #expect(b == [0, 0, 0, 0.25, 2])
    #expect(scaled == [0, 0, 0, 2, 2])
  }

  @Test func floatLoopsMatchDouble() {
    let a: [Float] = [-2, 0.5, 3]
    var b = [Float](repeating: 0, count: 3)
    a.withUnsafeBufferPointer { input in
      b.withUnsafeMutableBufferPointer { Sigmoid().apply(input, into: $0) }
    }
    #expect(abs(b[2] - Float(1 / (1 + exp(-3.0)))) < 1e-6)
  }
}

import Recur
import Tensors
import Testing

/// The gated cells' Float32 steps (the C kernels of gates.c) against the cells' equations
/// written here as plain Float loops in the same order of operations, tanh through the block
/// kernel and σ(x) = 0.5 + 0.5 · tanh(0.5 · x): bit for bit, at the first step (no previous
/// step) and a later one, with H = 37 so that every build's vector loop leaves a remainder.
@Suite struct GateKernelTests {
  static let (rows, hidden) = (3, 37)

  static func random(_ count: Int, _ generator: inout SeededGenerator) -> [Float] {
    (0..<count).map { _ in Float(generator.uniform(in: -2...2)) }
  }

  static func tanh(_ x: Float) -> Float {
    var result: Float = 0
    withUnsafePointer(to: x) { x in
      withUnsafeMutablePointer(to: &result) { result in
        Float.tanh(
          UnsafeBufferPointer(start: x, count: 1),
          into: UnsafeMutableBufferPointer(start: result, count: 1))
      }
    }
    return result
  }

  static func sigmoid(_ x: Float) -> Float { 0.5 + 0.5 * tanh(x * 0.5) }

  static func bits(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }

  @Test(arguments: [false, true])
  func lstmStepsMatchTheEquations(hasPrevious: Bool) {
    let (rows, h) = (Self.rows, Self.hidden)
    var generator = SeededGenerator(seed: 7)
    let pre = Self.random(rows * 4 * h, &generator)
    let previous = Self.random(rows * h, &generator)
    let outputDelta = Self.random(rows * h, &generator)
    let stateDeltaIn = Self.random(rows * h, &generator)
    var gates = pre
    var state = [Float](repeating: 0, count: rows * h)
    var squashed = state
    var output = state
    var stateDelta = stateDeltaIn
    let cell = LSTMCell()
    gates.withUnsafeMutableBufferPointer { gates in
      state.withUnsafeMutableBufferPointer { state in
        squashed.withUnsafeMutableBufferPointer { squashed in
          output.withUnsafeMutableBufferPointer { output in
            previous.withUnsafeBufferPointer { previous in
              let before = hasPrevious ? previous.baseAddress : nil
              cell.forward(
                CellForward(
                  rows: rows, hidden: h, gates: gates.baseAddress!, recurrent: nil,
                  previousOutput: nil, previousState: before, output: output.baseAddress!,
                  state: state.baseAddress, scratch: squashed.baseAddress, parameters: []))
              outputDelta.withUnsafeBufferPointer { outputDelta in
                stateDelta.withUnsafeMutableBufferPointer { stateDelta in
                  cell.backward(
                    CellBackward(
                      rows: rows, hidden: h, gates: UnsafePointer(gates.baseAddress!),
                      gateDeltas: gates.baseAddress!, recurrent: nil,
                      outputDelta: UnsafeMutablePointer(mutating: outputDelta.baseAddress!),
                      previousOutput: nil, previousState: before,
                      output: UnsafePointer(output.baseAddress!),
                      state: UnsafePointer(state.baseAddress!),
                      scratch: UnsafePointer(squashed.baseAddress!),
                      stateDelta: stateDelta.baseAddress, previousOutputDelta: nil,
                      parameters: [], parameterGradients: []))
                }
              }
            }
          }
        }
      }
    }
    var expectedDeltas = pre
    var expectedState = [Float](repeating: 0, count: rows * h)
    var expectedOutput = expectedState
    var expectedStateDelta = stateDeltaIn
    for r in 0..<rows {
      for j in 0..<h {
        let a = r * 4 * h + j
        let (i, f) = (Self.sigmoid(pre[a]), Self.sigmoid(pre[a + h]))
        let (g, o) = (Self.tanh(pre[a + 2 * h]), Self.sigmoid(pre[a + 3 * h]))
        let p = r * h + j
        let c = hasPrevious ? f * previous[p] + i * g : i * g
        let tc = Self.tanh(c)
        expectedState[p] = c
        expectedOutput[p] = o * tc
        let dh = outputDelta[p]
        let dao = dh * tc * o * (1 - o)
        let dc = stateDeltaIn[p] + dh * o * (1 - tc * tc)
        let cp: Float = hasPrevious ? previous[p] : 0
        expectedDeltas[a] = dc * g * i * (1 - i)
        expectedDeltas[a + h] = dc * cp * f * (1 - f)
        expectedDeltas[a + 2 * h] = dc * i * (1 - g * g)
        expectedDeltas[a + 3 * h] = dao
        expectedStateDelta[p] = dc * f
      }
    }
    #expect(Self.bits(state) == Self.bits(expectedState))
    #expect(Self.bits(output) == Self.bits(expectedOutput))
    #expect(Self.bits(squashed) == Self.bits(expectedState.map(Self.tanh)))
    #expect(Self.bits(gates) == Self.bits(expectedDeltas))
    #expect(Self.bits(stateDelta) == Self.bits(expectedStateDelta))
  }

  @Test(arguments: [false, true])
  func gruStepsMatchTheEquations(hasPrevious: Bool) {
    let (rows, h) = (Self.rows, Self.hidden)
    var generator = SeededGenerator(seed: 8)
    let pre = Self.random(rows * 3 * h, &generator)
    let product = Self.random(rows * 3 * h, &generator)
    let bias = Self.random(h, &generator)
    let previous = Self.random(rows * h, &generator)
    let outputDelta = Self.random(rows * h, &generator)
    let previousDeltaIn = Self.random(rows * h, &generator)
    let biasGradientIn = Self.random(h, &generator)
    var gates = pre
    var recurrent = product
    var output = [Float](repeating: 0, count: rows * h)
    var previousDelta = previousDeltaIn
    var biasGradient = biasGradientIn
    let cell = GRUCell()
    gates.withUnsafeMutableBufferPointer { gates in
      recurrent.withUnsafeMutableBufferPointer { recurrent in
        output.withUnsafeMutableBufferPointer { output in
          previous.withUnsafeBufferPointer { previous in
            bias.withUnsafeBufferPointer { bias in
              let before = hasPrevious ? previous.baseAddress : nil
              cell.forward(
                CellForward(
                  rows: rows, hidden: h, gates: gates.baseAddress!,
                  recurrent: recurrent.baseAddress, previousOutput: before,
                  previousState: nil, output: output.baseAddress!, state: nil, scratch: nil,
                  parameters: [bias.baseAddress!]))
              outputDelta.withUnsafeBufferPointer { outputDelta in
                previousDelta.withUnsafeMutableBufferPointer { previousDelta in
                  biasGradient.withUnsafeMutableBufferPointer { biasGradient in
                    cell.backward(
                      CellBackward(
                        rows: rows, hidden: h, gates: UnsafePointer(gates.baseAddress!),
                        gateDeltas: gates.baseAddress!, recurrent: recurrent.baseAddress,
                        outputDelta: UnsafeMutablePointer(mutating: outputDelta.baseAddress!),
                        previousOutput: before, previousState: nil,
                        output: UnsafePointer(output.baseAddress!), state: nil, scratch: nil,
                        stateDelta: nil,
                        previousOutputDelta: hasPrevious ? previousDelta.baseAddress : nil,
                        parameters: [bias.baseAddress!],
                        parameterGradients: [biasGradient.baseAddress!]))
                  }
                }
              }
            }
          }
        }
      }
    }
    var expectedGates = pre
    var expectedRecurrent = product
    var expectedOutput = [Float](repeating: 0, count: rows * h)
    var expectedPreviousDelta = previousDeltaIn
    var expectedBiasGradient = biasGradientIn
    for r in 0..<rows {
      for j in 0..<h {
        let a = r * 3 * h + j
        let reset = Self.sigmoid(pre[a] + product[a])
        let update = Self.sigmoid(pre[a + h] + product[a + h])
        let rn = product[a + 2 * h] + bias[j]
        let n = Self.tanh(pre[a + 2 * h] + reset * rn)
        let p = r * h + j
        expectedOutput[p] = hasPrevious ? n + update * (previous[p] - n) : n - update * n
        let dh = outputDelta[p]
        let dan = dh * (1 - update) * (1 - n * n)
        let dar = dan * rn * reset * (1 - reset)
        let hp: Float = hasPrevious ? previous[p] : 0
        let daz = dh * (hp - n) * update * (1 - update)
        let drn = dan * reset
        if hasPrevious { expectedPreviousDelta[p] += dh * update }
        expectedBiasGradient[j] += drn
        (expectedGates[a], expectedGates[a + h], expectedGates[a + 2 * h]) = (dar, daz, dan)
        expectedRecurrent[a] = dar
        expectedRecurrent[a + h] = daz
        expectedRecurrent[a + 2 * h] = drn
      }
    }
    #expect(Self.bits(output) == Self.bits(expectedOutput))
    #expect(Self.bits(gates) == Self.bits(expectedGates))
    #expect(Self.bits(recurrent) == Self.bits(expectedRecurrent))
    #expect(Self.bits(previousDelta) == Self.bits(expectedPreviousDelta))
    #expect(Self.bits(biasGradient) == Self.bits(expectedBiasGradient))
  }
}

import Foundation
import Recur
import Tensors
import TestSupport
import Testing

/// BPTT against central finite differences in Double, every entry of every key, for every cell
/// (Elman, LSTM with and without peepholes, GRU) × layers {1, 2} × {rnn, brnn} × every task ×
/// bias on/off, on a batch of lengths [3, 5, 1] so that padding is exercised in both directions
/// and through the layers. Every entry (biases and peepholes included) starts uniform in ±0.8,
/// so no gate sits at a value that hides a term. Fourth-order differences at ε = 5e-3
/// (`GradientCheck.derivative`): with the two-point difference the gated, stacked networks'
/// rounding and truncation errors met near 1e-6 whatever ε; a wrong term shows as 1e-2 or more
/// (the padding fault this suite caught was 0.66).
@Suite struct CellGradientTests {
  struct Case: CustomTestStringConvertible, Sendable {
    var cell: String
    var layers: Int
    var bidirectional: Bool
    var task: TaskKind
    var bias: Bool
    var testDescription: String {
      "\(cell) layers:\(layers) \(bidirectional ? "brnn" : "rnn") \(task) bias:\(bias)"
    }
  }

  static let cases: [Case] = ["elman", "lstm", "lstm+peepholes", "gru"].flatMap { cell in
    [1, 2].flatMap { layers in
      [false, true].flatMap { bidirectional in
        TaskKind.allCases.flatMap { task in
          [true, false].map { bias in
            Case(
              cell: cell, layers: layers, bidirectional: bidirectional, task: task, bias: bias)
          }
        }
      }
    }
  }

  static func network(_ c: Case, seed: UInt64 = 21) -> RecurrentNetwork<Double> {
    let shape = Fixtures.shape(
      bidirectional: c.bidirectional, bias: c.bias, task: c.task, layers: c.layers)
    let cell = Fixtures.cells[c.cell]!
    return RecurrentNetwork(
      shape: shape, cell: cell,
      parameters: Fixtures.parameters(for: shape, seed: seed, cell: cell))
  }

  static func batch(_ c: Case, sparse: Bool) -> SequenceBatch<Double> {
    SequenceBatch<Double>(
      examples: Fixtures.examples(
        lengths: [3, 5, 1], task: c.task, sparse: sparse, seed: c.task.isRegression ? 6 : 5),
      task: c.task, inputSize: 4)
  }

  @Test(arguments: cases)
  func bpttMatchesFiniteDifferences(_ c: Case) {
    let network = Self.network(c)
    let batch = Self.batch(c, sparse: c.layers == 2)
    let results = GradientCheck.run(model: network, batch: batch, epsilon: 5e-3)
    #expect(results.map(\.key) == network.parameters.keys)
    for result in results {
      #expect(result.maxRelativeError < 1e-6, "\(result.key): \(result.maxRelativeError)")
    }
  }

  /// Layer dropout and output dropout with fixed masks: BPTT against central differences of the
  /// same masked loss, for a 3-layer BRNN of each gated cell.
  @Test(arguments: ["lstm+peepholes", "gru"])
  func dropoutBetweenLayersIsBackpropagated(cell: String) {
    let c = Case(cell: cell, layers: 3, bidirectional: true, task: .framewise, bias: true)
    let network = Self.network(c, seed: 8)
    let batch = Self.batch(c, sparse: false)
    var generator = SeededGenerator(seed: 9)
    func mask(_ count: Int) -> [Double] {
      (0..<count).map { _ in generator.uniform() < 0.4 ? 0 : 1 / 0.6 }
    }
    let hiddenRows = batch.steps * batch.batchSize * 3
    let masks = DropoutMasks<Double>(
      output: [mask(batch.targets.count * 3), mask(batch.targets.count * 3)],
      layers: [[mask(hiddenRows), mask(hiddenRows)], [mask(hiddenRows), mask(hiddenRows)]])
    let worst = worstMaskedGradientError(network, batch: batch, masks: masks, epsilon: 5e-3)
    #expect(worst < 1e-6)
    // The masks matter: without them the gradient differs.
    var plain = network.parameters.zeros()
    var masked = plain
    _ = network.lossAndGradients(for: batch, into: &plain)
    _ = network.lossAndGradients(for: batch, into: &masked, dropout: masks)
    #expect(plain != masked)
  }

  /// A sequence's outputs do not depend on the longer sequences it is batched with, through
  /// every layer and both directions.
  @Test(arguments: ["lstm+peepholes", "gru"])
  func paddingChangesNothing(cell: String) {
    let c = Case(cell: cell, layers: 2, bidirectional: true, task: .framewise, bias: true)
    let network = Self.network(c, seed: 4)
    let examples = Fixtures.examples(
      lengths: [2, 6, 4], task: .framewise, sparse: false, seed: 3)
    let together = network.probabilities(
      for: SequenceBatch(examples: examples, task: .framewise, inputSize: 4))
    let steps = 6
    for (b, example) in examples.enumerated() {
      let alone = network.probabilities(
        for: SequenceBatch(examples: [example], task: .framewise, inputSize: 4))
      for t in 0..<example.length {
        for k in 0..<3 {
          let batched = together[(t * 3 + b) * 3 + k]
          #expect(abs(batched - alone[t * 3 + k]) < 1e-14)
        }
      }
      #expect(steps >= example.length)
    }
  }

  /// One LSTM step and one GRU step worked by hand from PyTorch's equations, on a single input
  /// and zero state: h = o·tanh(i·g) and h = (1 − z)·n, against the network's logits read back
  /// through an identity output layer.
  @Test func oneStepMatchesThePyTorchEquations() {
    func sigmoid(_ x: Double) -> Double { 1 / (1 + Foundation.exp(-x)) }
    let shape = NetworkShape(
      inputSize: 1, hiddenSize: 1, outputSize: 1, directions: [.forward], bias: true,
      task: .framewiseRegression)
    let x = 0.75
    let example = SequenceExample(
      inputs: .dense(values: [Float(x)], width: 1), values: [0], framewise: true)
    let batch = SequenceBatch<Double>(
      examples: [example], task: .framewiseRegression, inputSize: 1)
    // LSTM: U = [0.5, -0.3, 0.8, 0.2], c = [0.1, 0.4, -0.2, 0.3], V = 1, d = 0.
    let lstm = RecurrentNetwork<Double>(
      shape: shape, cell: LSTMCell(),
      parameters: ParameterSet([
        ("forward.U", Matrix(rows: 1, columns: 4, elements: [0.5, -0.3, 0.8, 0.2])),
        ("forward.W", Matrix(rows: 1, columns: 4, elements: [0, 0, 0, 0])),
        ("forward.c", Matrix(rows: 1, columns: 4, elements: [0.1, 0.4, -0.2, 0.3])),
        ("output.V", Matrix(rows: 1, columns: 1, elements: [1])),
        ("output.d", Matrix(rows: 1, columns: 1, elements: [0])),
      ]))
    let i = sigmoid(0.5 * x + 0.1)
    let g = Foundation.tanh(0.8 * x - 0.2)
    let o = sigmoid(0.2 * x + 0.3)
    let lstmH = o * Foundation.tanh(i * g)
    #expect(abs(lstm.evaluate(batch).outputs[0] - lstmH) < 1e-15)
    // GRU: U = [0.5, -0.3, 0.8], c = [0.1, 0.4, -0.2], c_hn = 0.6 (reset-scaled: r·0.6).
    let gru = RecurrentNetwork<Double>(
      shape: shape, cell: GRUCell(),
      parameters: ParameterSet([
        ("forward.U", Matrix(rows: 1, columns: 3, elements: [0.5, -0.3, 0.8])),
        ("forward.W", Matrix(rows: 1, columns: 3, elements: [0, 0, 0])),
        ("forward.c", Matrix(rows: 1, columns: 3, elements: [0.1, 0.4, -0.2])),
        ("forward.c_hn", Matrix(rows: 1, columns: 1, elements: [0.6])),
        ("output.V", Matrix(rows: 1, columns: 1, elements: [1])),
        ("output.d", Matrix(rows: 1, columns: 1, elements: [0])),
      ]))
    let r = sigmoid(0.5 * x + 0.1)
    let z = sigmoid(-0.3 * x + 0.4)
    let n = Foundation.tanh(0.8 * x - 0.2 + r * 0.6)
    #expect(abs(gru.evaluate(batch).outputs[0] - (1 - z) * n) < 1e-15)
  }

  /// Keys of a stacked BRNN render with their layer; the layer above reads both directions.
  @Test func stackedKeysAndShapes() {
    let shape = NetworkShape(
      inputSize: 5, hiddenSize: 4, outputSize: 3, directions: [.forward, .backward],
      bias: true, task: .framewise, layers: 2)
    let layout = RecurrentNetwork<Double>.parameterShapes(for: shape, cell: GRUCell())
    #expect(
      layout.map(\.key) == [
        "layers.0.forward.U", "layers.0.forward.W", "layers.0.forward.c", "layers.0.forward.c_hn",
        "layers.0.backward.U", "layers.0.backward.W", "layers.0.backward.c",
        "layers.0.backward.c_hn",
        "layers.1.forward.U", "layers.1.forward.W", "layers.1.forward.c", "layers.1.forward.c_hn",
        "layers.1.backward.U", "layers.1.backward.W", "layers.1.backward.c",
        "layers.1.backward.c_hn", "output.V", "output.d",
      ])
    #expect(layout[0].rows == 5 && layout[0].columns == 12)
    #expect(layout[8].rows == 8 && layout[8].columns == 12)
    #expect(layout[16].rows == 8 && layout[16].columns == 3)
  }

  /// The forget bias starts the forget gate's block of c, and only it.
  @Test func forgetBiasInitialisesTheForgetGate() {
    let shape = NetworkShape(
      inputSize: 2, hiddenSize: 3, outputSize: 2, directions: [.forward], bias: true,
      task: .framewise)
    var generator = SeededGenerator(seed: 1)
    let parameters = RecurrentNetwork<Double>.initialParameters(
      for: shape, cell: LSTMCell(forgetBias: 1, peepholes: true), generator: &generator)
    #expect(parameters["forward.c"]!.elements == [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0])
    #expect(parameters["forward.P"]!.elements == [Double](repeating: 0, count: 9))
  }
}

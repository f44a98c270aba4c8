import Foundation
import Recur
import Tensors
import TestSupport
import Testing

@Suite struct RecurrentNetworkTests {
  // MARK: Hand-worked forward pass

  /// I = 2, H = 2, K = 2, tanh, bias; one sequence x¹ = [1, 0], x² = [0.5, −1], targets [0, 1].
  ///
  ///     U = [0.5 −0.3; 0.2 0.4]  W = [0.1 0.2; −0.2 0.3]  c = [0.05 −0.05]
  ///     V = [1 −1; 0.5 0.25]     d = [0.1 −0.1]
  ///
  /// t = 1: a = x¹U + c = [0.5 + 0.05, −0.3 − 0.05] = [0.55, −0.35]
  ///        b = tanh a = [0.5005202112, −0.3363755443]
  ///        a_k = bV + d = [0.5005202 − 0.1681878 + 0.1, −0.5005202 − 0.0840939 − 0.1]
  ///            = [0.4323324390, −0.6846140973]
  ///        y = softmax = [0.7534218911, 0.2465781089]; −ln y_0 = 0.2831...
  /// t = 2: a = x²U + b¹W + c
  ///          = [0.25 − 0.2 + (0.0500520 + 0.0672751) + 0.05,
  ///             −0.15 − 0.4 + (0.1001040 − 0.1009127) − 0.05]
  ///          = [0.2173271300, −0.6008086211]
  ///        b = [0.2139690267, −0.5376247139]
  ///        a_k = [0.2139690 − 0.2688124 + 0.1, −0.2139690 − 0.1344062 − 0.1]
  ///            = [0.0451566698, −0.4483752052]
  ///        y = [0.6209380982, 0.3790619018]; −ln y_1 = 0.9700...
  /// total = −ln 0.7534218911 − ln 0.3790619018 = 1.2531856855, mean 0.6265928428.
  /// (Cross-checked with a plain-Python loop of the same formulas.)
  @Test func handWorkedForwardPass() {
    let shape = NetworkShape(
      inputSize: 2, hiddenSize: 2, outputSize: 2, directions: [.forward],
      bias: true, task: .framewise)
    let parameters = ParameterSet<Double>([
      ("forward.U", Matrix(rows: 2, columns: 2, elements: [0.5, -0.3, 0.2, 0.4])),
      ("forward.W", Matrix(rows: 2, columns: 2, elements: [0.1, 0.2, -0.2, 0.3])),
      ("forward.c", Matrix(rows: 1, columns: 2, elements: [0.05, -0.05])),
      ("output.V", Matrix(rows: 2, columns: 2, elements: [1, -1, 0.5, 0.25])),
      ("output.d", Matrix(rows: 1, columns: 2, elements: [0.1, -0.1])),
    ])
    let network = RecurrentNetwork(shape: shape, cell: ElmanCell(activation: Tanh()), parameters: parameters)
    let example = SequenceExample(
      inputs: .dense(values: [1, 0, 0.5, -1], width: 2),
      targets: [0, 1])
    let batch = SequenceBatch<Double>(examples: [example], task: .framewise, inputSize: 2)
    let evaluation = network.evaluate(batch)
    #expect(evaluation.loss.scored == 2)
    #expect(abs(evaluation.loss.total - 1.2531856855434276) < 1e-12)
    #expect(abs(evaluation.loss.mean - 0.6265928427717138) < 1e-12)
    #expect(evaluation.predictions == [0, 0])
    // The probabilities: y_0 at each step, recovered as exp(−loss) of a batch scoring one step.
    for (step, probability) in [(0, 0.7534218911268243), (1, 0.3790619018398945)] {
      let single = SequenceExample(
        inputs: example.inputs,
        targets: step == 0 ? [0, -1] : [-1, 1])
      let loss = network.evaluate(
        SequenceBatch<Double>(examples: [single], task: .framewise, inputSize: 2)
      ).loss
      #expect(loss.scored == 1)
      #expect(abs(exp(-loss.total) - probability) < 1e-12)
    }
    // Float follows the same code path.
    let floatNetwork = RecurrentNetwork(shape: shape, cell: ElmanCell(activation: Tanh()), parameters: parameters.converted(to: Float.self))
    let floatLoss = floatNetwork.evaluate(
      SequenceBatch<Float>(examples: [example], task: .framewise, inputSize: 2)
    ).loss
    #expect(abs(floatLoss.total - 1.2531856855434276) < 1e-5)
  }

  // MARK: Initial parameters

  @Test func initialParametersAreDeterministicBoundedAndShaped() {
    let shape = NetworkShape(
      inputSize: 5, hiddenSize: 4, outputSize: 3,
      directions: [.forward, .backward], bias: true, task: .sequence)
    var first = SeededGenerator(seed: 17)
    var second = SeededGenerator(seed: 17)
    var other = SeededGenerator(seed: 18)
    let a = RecurrentNetwork<Double>.initialParameters(for: shape, cell: ElmanCell(activation: Tanh()), generator: &first)
    let b = RecurrentNetwork<Double>.initialParameters(for: shape, cell: ElmanCell(activation: Tanh()), generator: &second)
    let c = RecurrentNetwork<Double>.initialParameters(for: shape, cell: ElmanCell(activation: Tanh()), generator: &other)
    #expect(a == b)
    #expect(a != c)
    #expect(first == second)
    #expect(
      a.keys == [
        "forward.U", "forward.W", "forward.c", "backward.U", "backward.W",
        "backward.c", "output.V", "output.d",
      ])
    let shapes = a.values.map { [$0.rows, $0.columns] }
    #expect(shapes == [[5, 4], [4, 4], [1, 4], [5, 4], [4, 4], [1, 4], [8, 3], [1, 3]])
    for (key, value) in zip(a.keys, a.values) {
      if key.hasSuffix(".c") || key.hasSuffix(".d") {
        #expect(value.elements.allSatisfy { $0 == 0 }, "\(key) not zero")
      } else {
        // 1/√4 = 0.5
        #expect(value.elements.allSatisfy { abs($0) <= 0.5 }, "\(key) out of range")
        #expect(value.elements.contains { abs($0) > 0.25 }, "\(key) suspiciously small")
      }
    }
    // Row-major draws in key order: the first entry of forward.U is the first draw.
    var replay = SeededGenerator(seed: 17)
    #expect(a["forward.U"]![0, 0] == replay.uniform(in: -0.5...0.5))
    #expect(a.scalarCount == 20 + 16 + 4 + 20 + 16 + 4 + 24 + 3)
    // Float gets the same draws, rounded.
    var floatGenerator = SeededGenerator(seed: 17)
    let f = RecurrentNetwork<Float>.initialParameters(for: shape, cell: ElmanCell(activation: Tanh()), generator: &floatGenerator)
    #expect(f == a.converted(to: Float.self))
    let noBias = NetworkShape(
      inputSize: 5, hiddenSize: 4, outputSize: 3,
      directions: [.forward], bias: false, task: .framewise)
    #expect(
      RecurrentNetwork<Double>.parameterShapes(for: noBias, cell: ElmanCell(activation: Tanh())).map(\.key)
        == ["forward.U", "forward.W", "output.V"])
  }

  // MARK: Padding invariance

  struct PaddingCase: CustomTestStringConvertible, Sendable {
    var bidirectional: Bool
    var task: TaskKind
    var sparse: Bool
    var testDescription: String {
      "\(bidirectional ? "brnn" : "rnn") \(task) \(sparse ? "sparse" : "dense")"
    }
  }

  static let paddingCases: [PaddingCase] = [false, true].flatMap { bidirectional in
    TaskKind.allCases.flatMap { task in
      [false, true].map { PaddingCase(bidirectional: bidirectional, task: task, sparse: $0) }
    }
  }

  /// Each sequence alone against the same sequence batched with longer and shorter ones: the
  /// loss, the predictions and the gradient contribution agree to 1e-12 (Double).
  @Test(arguments: paddingCases)
  func paddingChangesNothing(_ c: PaddingCase) {
    let shape = Fixtures.shape(bidirectional: c.bidirectional, bias: true, task: c.task)
    let network = RecurrentNetwork(shape: shape, cell: ElmanCell(activation: Tanh()), parameters: Fixtures.parameters(for: shape, seed: 8))
    let lengths = [3, 5, 1, 4]
    let examples = Fixtures.examples(lengths: lengths, task: c.task, sparse: c.sparse, seed: 13)
    let batch = SequenceBatch<Double>(examples: examples, task: c.task, inputSize: 4)
    var batchGradient = ParameterSet<Double>()
    let batchLoss = network.lossAndGradients(for: batch, into: &batchGradient)
    let batchPredictions = network.evaluate(batch).predictions

    var totalLoss = 0.0
    var totalScored = 0
    var weightedSum = network.parameters.zeros()
    var gradient = ParameterSet<Double>()
    for (b, example) in examples.enumerated() {
      let alone = SequenceBatch<Double>(examples: [example], task: c.task, inputSize: 4)
      let loss = network.lossAndGradients(for: alone, into: &gradient)
      totalLoss += loss.total
      totalScored += loss.scored
      for k in weightedSum.values.indices {
        for e in weightedSum.values[k].elements.indices {
          weightedSum.values[k].elements[e] += gradient.values[k].elements[e] * Double(loss.scored)
        }
      }
      // Predictions of the sequence alone equal its rows in the batch.
      let predictions = network.evaluate(alone).predictions
      if c.task.isFramewise {
        #expect(predictions == (0..<lengths[b]).map { batchPredictions[$0 * lengths.count + b] })
      } else {
        #expect(predictions == [batchPredictions[b]])
      }

      // The batch with every other sequence's targets removed: same loss and same gradient
      // as the sequence alone, although the others still run through the network.
      let isolated = examples.enumerated().map { other, example in
        var unscored = example
        if other != b { unscored.targets = example.targets.map { _ in -1 } }
        return unscored
      }
      var isolatedGradient = ParameterSet<Double>()
      let isolatedLoss = network.lossAndGradients(
        for: SequenceBatch(examples: isolated, task: c.task, inputSize: 4),
        into: &isolatedGradient)
      #expect(isolatedLoss.scored == loss.scored)
      #expect(abs(isolatedLoss.total - loss.total) < 1e-12)
      expectClose(
        isolatedGradient, gradient, tolerance: 1e-12, "sequence \(b) isolated in the batch")
    }
    #expect(totalScored == batchLoss.scored)
    #expect(abs(totalLoss - batchLoss.total) < 1e-12)
    var scaledBatch = batchGradient
    for k in scaledBatch.values.indices {
      for e in scaledBatch.values[k].elements.indices {
        scaledBatch.values[k].elements[e] *= Double(batchLoss.scored)
      }
    }
    expectClose(
      weightedSum, scaledBatch, tolerance: 1e-12, "Σ scored_b · ∇_b = scored · ∇_batch")
  }

  // MARK: Workspace reuse and precision

  /// Reused workspaces: alternating batch shapes on one network give the results of fresh
  /// networks, and Float tracks Double.
  @Test func workspacesAreReusedAcrossShapes() {
    let shape = Fixtures.shape(bidirectional: true, bias: true, task: .framewise)
    let parameters = Fixtures.parameters(for: shape, seed: 30)
    let network = RecurrentNetwork(shape: shape, cell: ElmanCell(activation: Sigmoid()), parameters: parameters)
    let small = SequenceBatch<Double>(
      examples: Fixtures.examples(lengths: [2, 1], task: .framewise, sparse: false, seed: 1),
      task: .framewise, inputSize: 4)
    let large = SequenceBatch<Double>(
      examples: Fixtures.examples(lengths: [6, 3, 7], task: .framewise, sparse: false, seed: 2),
      task: .framewise, inputSize: 4)
    var gradient = ParameterSet<Double>()
    let firstSmall = network.lossAndGradients(for: small, into: &gradient)
    let firstGradient = gradient
    _ = network.lossAndGradients(for: large, into: &gradient)
    let secondSmall = network.lossAndGradients(for: small, into: &gradient)
    #expect(firstSmall == secondSmall)
    #expect(gradient == firstGradient)

    let floatNetwork = RecurrentNetwork(shape: shape, cell: ElmanCell(activation: Sigmoid()), parameters: parameters.converted(to: Float.self))
    let floatBatch = SequenceBatch<Float>(
      examples: Fixtures.examples(lengths: [6, 3, 7], task: .framewise, sparse: false, seed: 2),
      task: .framewise, inputSize: 4)
    var floatGradient = ParameterSet<Float>()
    let floatLoss = floatNetwork.lossAndGradients(for: floatBatch, into: &floatGradient)
    var doubleGradient = ParameterSet<Double>()
    let doubleLoss = network.lossAndGradients(for: large, into: &doubleGradient)
    #expect(abs(floatLoss.mean - doubleLoss.mean) < 1e-5)
    for (x, y) in zip(floatGradient.values, doubleGradient.values) {
      for (p, q) in zip(x.elements, y.elements) { #expect(abs(Double(p) - q) < 1e-5) }
    }
  }

  @Test func unscoredBatchHasZeroLossAndGradient() {
    let shape = Fixtures.shape(bidirectional: false, bias: true, task: .framewise)
    let network = RecurrentNetwork(shape: shape, cell: ElmanCell(activation: Tanh()), parameters: Fixtures.parameters(for: shape, seed: 1))
    let example = SequenceExample(inputs: .sparse([[0], [1]]), targets: [-1, -1])
    var gradient = ParameterSet<Double>()
    let loss = network.lossAndGradients(
      for: SequenceBatch(examples: [example], task: .framewise, inputSize: 4), into: &gradient)
    #expect(loss == BatchLoss(total: 0, scored: 0))
    #expect(loss.mean == 0)
    #expect(gradient == network.parameters.zeros())
  }
}

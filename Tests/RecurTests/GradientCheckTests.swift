import Recur
import Tensors
import Testing

/// BPTT against central finite differences in Double, every entry of every key, for rnn and brnn
/// × tanh/sigmoid/relu × bias on/off × every task (framewise/sequence classification and
/// regression) × dense/sparse inputs, on a batch of
/// lengths [3, 5, 1] (so padding is exercised in both directions).
///
/// ReLU's kink: the check asserts that the batch keeps every real pre-activation at least 1e-3
/// away from 0 (seeds are fixed, so this is a property of the fixture), far more than
/// the ε perturbation can move it; no entry is skipped. Regression examples draw more numbers
/// for their targets, so they use example seed 6 (with 5, one sparse BRNN batch comes within
/// 8e-4 of the kink).
///
/// ε = 3e-5 rather than the default 1e-6: the loss carries a rounding error of about
/// 1e-16·|O|, so the central difference has an absolute error near 1e-16/ε while its truncation
/// error grows like ε². With ε = 1e-6 the rounding term alone (~1e-10) exceeds 1e-6 relative on
/// the few entries whose gradient is ~1e-4 (observed: 1.2e-6 on one backward.U entry);
/// ε = 3e-5 balances the two and the worst entry over all 96 cases (classification and
/// regression) is about 1e-7.
@Suite struct GradientCheckTests {
  struct Case: CustomTestStringConvertible, Sendable {
    var bidirectional: Bool
    var activation: String
    var bias: Bool
    var task: TaskKind
    var sparse: Bool
    var testDescription: String {
      "\(bidirectional ? "brnn" : "rnn") \(activation) bias:\(bias) \(task) "
        + (sparse ? "sparse" : "dense")
    }
  }

  static let cases: [Case] = [false, true].flatMap { bidirectional in
    ["tanh", "sigmoid", "relu"].flatMap { activation in
      [true, false].flatMap { bias in
        TaskKind.allCases.flatMap { task in
          [false, true].map { sparse in
            Case(
              bidirectional: bidirectional, activation: activation, bias: bias, task: task,
              sparse: sparse)
          }
        }
      }
    }
  }

  static func activation(named name: String) -> any Activation {
    Fixtures.activations.first { $0.name == name }!
  }

  @Test(arguments: cases)
  func bpttMatchesFiniteDifferences(_ c: Case) throws {
    let shape = Fixtures.shape(bidirectional: c.bidirectional, bias: c.bias, task: c.task)
    let network = RecurrentNetwork(shape: shape, cell: ElmanCell(activation: Self.activation(named: c.activation)),
      parameters: Fixtures.parameters(for: shape, seed: 21))
    let batch = SequenceBatch<Double>(
      examples: Fixtures.examples(
        lengths: [3, 5, 1], task: c.task, sparse: c.sparse, seed: c.task.isRegression ? 6 : 5),
      task: c.task, inputSize: shape.inputSize)
    if c.activation == "relu" {
      #expect(network.smallestPreActivationMagnitude(for: batch) > 1e-3)
    }
    let parametersBefore = network.parameters
    // A ReLU network's stencil (±2ε) must stay clear of the kink, also after the perturbation
    // has run through the recurrence; smooth ones take the default step.
    let results = GradientCheck.run(
      model: network, batch: batch, epsilon: c.activation == "relu" ? 3e-5 : 5e-3)
    #expect(network.parameters == parametersBefore)
    #expect(results.map(\.key) == shape.keys)
    for result in results {
      #expect(result.entriesChecked == network.parameters[result.key]!.count)
      #expect(result.maxRelativeError < 1e-6, "\(result.key): \(result.maxRelativeError)")
    }
  }

  @Test func samplesAtMostTheRequestedEntries() {
    let shape = Fixtures.shape(bidirectional: true, bias: true, task: .framewise)
    let network = RecurrentNetwork(shape: shape, cell: ElmanCell(activation: Tanh()), parameters: Fixtures.parameters(for: shape, seed: 3))
    let batch = SequenceBatch<Double>(
      examples: Fixtures.examples(lengths: [2, 4], task: .framewise, sparse: false, seed: 1),
      task: .framewise, inputSize: shape.inputSize)
    let results = GradientCheck.run(model: network, batch: batch, maxEntriesPerKey: 2)
    #expect(results.map(\.entriesChecked) == [2, 2, 2, 2, 2, 2, 2, 2])
    #expect(results.allSatisfy { $0.maxRelativeError < 1e-6 })
  }

  /// The checker reports disagreement: with a huge ε the central difference is wrong.
  @Test func largeStepShowsTruncationError() {
    let shape = Fixtures.shape(bidirectional: false, bias: false, task: .sequence)
    let network = RecurrentNetwork(shape: shape, cell: ElmanCell(activation: Tanh()), parameters: Fixtures.parameters(for: shape, seed: 4))
    let batch = SequenceBatch<Double>(
      examples: Fixtures.examples(lengths: [2, 3], task: .sequence, sparse: false, seed: 2),
      task: .sequence, inputSize: shape.inputSize)
    // Checking with a huge ε makes the finite difference wrong, so the error must be visible.
    let results = GradientCheck.run(model: network, batch: batch, epsilon: 0.5)
    #expect(results.contains { $0.maxRelativeError > 1e-3 })
  }
}

extension NetworkShape {
  var keys: [String] { RecurrentNetwork<Double>.parameterShapes(for: self, cell: ElmanCell(activation: Tanh())).map(\.key) }
}

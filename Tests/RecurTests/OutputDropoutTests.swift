import Recur
import Tensors
import TestSupport
import Testing

/// Dropout on the hidden outputs the output layer reads, with a fixed mask: BPTT against central
/// differences of the same masked loss, and an all-ones mask against no dropout.
@Suite struct OutputDropoutTests {
  static func masks(
    rows: Int, hidden: Int, directions: Int, rate: Double, seed: UInt64
  ) -> [[Double]] {
    var generator = SeededGenerator(seed: seed)
    return (0..<directions).map { _ in
      (0..<(rows * hidden)).map { _ in generator.uniform() < rate ? 0 : 1 / (1 - rate) }
    }
  }

  @Test(arguments: [TaskKind.framewise, .sequence, .framewiseRegression])
  func gradientsMatchFiniteDifferences(task: TaskKind) {
    let shape = Fixtures.shape(bidirectional: true, bias: true, task: task)
    let network = RecurrentNetwork<Double>(shape: shape, cell: ElmanCell(activation: Tanh()), parameters: Fixtures.parameters(for: shape, seed: 3))
    let batch = SequenceBatch<Double>(
      examples: Fixtures.examples(lengths: [3, 5, 2], task: task, sparse: false, seed: 4),
      task: task, inputSize: shape.inputSize)
    let masks = Self.masks(
      rows: batch.targets.count, hidden: shape.hiddenSize, directions: 2, rate: 0.4, seed: 5)
    #expect(masks.joined().contains(0))
    let worst = worstMaskedGradientError(
      network, batch: batch, masks: DropoutMasks(output: masks), epsilon: 5e-3)
    #expect(worst < 1e-6)
  }

  @Test func aMaskOfOnesChangesNothing() {
    let shape = Fixtures.shape(bidirectional: true, bias: true, task: .framewise)
    let network = RecurrentNetwork<Double>(shape: shape, cell: ElmanCell(activation: Sigmoid()), parameters: Fixtures.parameters(for: shape, seed: 6))
    let batch = SequenceBatch<Double>(
      examples: Fixtures.examples(lengths: [4, 2], task: .framewise, sparse: true, seed: 7),
      task: .framewise, inputSize: shape.inputSize)
    var plain = network.parameters.zeros()
    var masked = network.parameters.zeros()
    let a = network.lossAndGradients(for: batch, into: &plain)
    let ones = [[Double]](
      repeating: [Double](repeating: 1, count: batch.targets.count * shape.hiddenSize), count: 2)
    let b = network.lossAndGradients(for: batch, into: &masked, dropout: DropoutMasks(output: ones))
    #expect(a == b)
    #expect(plain == masked)
  }
}

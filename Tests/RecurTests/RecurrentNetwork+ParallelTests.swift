import Recur
import Tensors
import Testing

/// Running the two directions of a BRNN on two threads changes nothing: loss, gradients and
/// logits are bit-identical to the one-thread order, and from call to call.
@Suite struct RecurrentNetworkParallelTests {
  @Test(arguments: [TaskKind.framewise, .sequence], [false, true])
  func parallelDirectionsAreBitIdentical(task: TaskKind, sparse: Bool) {
    let shape = Fixtures.shape(
      bidirectional: true, bias: true, task: task, inputSize: 5, hiddenSize: 7, outputSize: 4)
    let parameters = Fixtures.parameters(for: shape, seed: 11).converted(to: Float.self)
    let examples = Fixtures.examples(
      lengths: [6, 2, 5, 6, 1], inputSize: 5, outputSize: 4, task: task, sparse: sparse,
      seed: 12)
    let batch = SequenceBatch<Float>(examples: examples, task: task, inputSize: 5)

    let serial = RecurrentNetwork(shape: shape, cell: ElmanCell(activation: Tanh()), parameters: parameters)
    var serialGradients = ParameterSet<Float>()
    let serialLoss = serial.lossAndGradients(for: batch, into: &serialGradients)

    let parallel = RecurrentNetwork(shape: shape, cell: ElmanCell(activation: Tanh()), parameters: parameters)
    parallel.parallelDirections = true
    for _ in 0..<20 {
      var gradients = ParameterSet<Float>()
      let loss = parallel.lossAndGradients(for: batch, into: &gradients)
      #expect(loss == serialLoss)
      #expect(gradients == serialGradients)
      let (a, b) = (parallel.evaluate(batch), serial.evaluate(batch))
      #expect(a.loss == b.loss)
      #expect(a.predictions == b.predictions)
    }
  }
}

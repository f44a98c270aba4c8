import Recur
import Tensors
import Testing

/// The recurrent product kernels change rounding only: loss and gradients under each kernel this
/// CPU runs agree with the BLAS kernel's to Float precision, and each kernel repeats its own
/// results bit for bit, with the directions in turn or in parallel.
@Suite struct RecurrentNetworkProductKernelTests {
  @Test(arguments: [TaskKind.framewise, .sequence])
  func kernelsAgreeAndRepeat(task: TaskKind) {
    let shape = Fixtures.shape(
      bidirectional: true, bias: true, task: task, inputSize: 6, hiddenSize: 37, outputSize: 5)
    let parameters = Fixtures.parameters(for: shape, seed: 21).converted(to: Float.self)
    let examples = Fixtures.examples(
      lengths: [7, 3, 7, 1, 5, 6, 2, 7, 4], inputSize: 6, outputSize: 5, task: task,
      sparse: false, seed: 22)
    let batch = SequenceBatch<Float>(examples: examples, task: task, inputSize: 6)

    func run(_ kernel: ProductKernel, parallel: Bool) -> (Double, ParameterSet<Float>) {
      let network = RecurrentNetwork(shape: shape, cell: ElmanCell(activation: Tanh()), parameters: parameters)
      network.recurrentProduct = kernel
      network.parallelDirections = parallel
      var gradients = ParameterSet<Float>()
      let loss = network.lossAndGradients(for: batch, into: &gradients)
      return (loss.mean, gradients)
    }

    let (blasLoss, blasGradients) = run(.blas, parallel: false)
    for kernel in ProductKernel.available(for: Float.self) {
      let (loss, gradients) = run(kernel, parallel: false)
      #expect(abs(loss - blasLoss) <= 1e-5 * abs(blasLoss), "\(kernel)")
      for (key, (mine, reference)) in zip(
        gradients.keys, zip(gradients.values, blasGradients.values))
      {
        let largest = reference.elements.map { abs($0) }.max() ?? 0
        for (x, y) in zip(mine.elements, reference.elements) {
          #expect(abs(x - y) <= 1e-5 * max(largest, 1e-3), "\(kernel) \(key)")
        }
      }
      let (again, gradientsAgain) = run(kernel, parallel: true)
      #expect(again == loss, "\(kernel)")
      #expect(gradientsAgain == gradients, "\(kernel)")
    }
  }
}

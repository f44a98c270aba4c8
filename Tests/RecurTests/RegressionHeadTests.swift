import Recur
import Tensors
import Testing

@Suite struct RegressionHeadTests {
  /// All weights zero but the output bias d = (0.5, −1), so y = d on every row whatever the input.
  /// Two sequences, targets z = (1, 1) and (0, −1):
  ///   y − z = (−0.5, −2) and (0.5, 0); loss total = ½(0.25 + 4 + 0.25 + 0) = 2.25 over N = 4
  ///   scored values, mean 0.5625; ∂mean/∂d = Σ_rows (y − z) / N = (0, −2) / 4 = (0, −0.5).
  @Test func linearOutputAndHalfSquaredError() throws {
    let shape = NetworkShape(
      inputSize: 2, hiddenSize: 3, outputSize: 2, directions: [.forward, .backward], bias: true,
      task: .sequenceRegression)
    let parameters = ParameterSet<Double>(
      RecurrentNetwork<Double>.parameterShapes(for: shape, cell: ElmanCell(activation: Tanh())).map { key, rows, columns in
        (
          key,
          key == "output.d"
            ? Matrix(rows: 1, columns: 2, elements: [0.5, -1])
            : Matrix(rows: rows, columns: columns)
        )
      })
    let network = RecurrentNetwork(shape: shape, cell: ElmanCell(activation: Tanh()), parameters: parameters)
    let batch = SequenceBatch<Double>(
      examples: [
        SequenceExample(inputs: .sparse([[0], [1]]), values: [1, 1], framewise: false),
        SequenceExample(inputs: .sparse([[1]]), values: [0, -1], framewise: false),
      ], task: .sequenceRegression, inputSize: 2)
    let evaluation = network.evaluate(batch)
    #expect(evaluation.loss == BatchLoss(total: 2.25, scored: 4))
    #expect(evaluation.loss.mean == 0.5625)
    #expect(evaluation.outputs == [0.5, -1, 0.5, -1])
    var gradients = ParameterSet<Double>()
    _ = network.lossAndGradients(for: batch, into: &gradients)
    #expect(try #require(gradients["output.d"]).elements == [0, -0.5])
  }

  /// Framewise regression lays values out time-major like the class targets: row t·B + b.
  @Test func framewiseValuesAreTimeMajor() {
    let a = SequenceExample(inputs: .sparse([[0], [1]]), values: [1, 2], framewise: true)
    let b = SequenceExample(inputs: .sparse([[1]]), values: [3], framewise: true)
    let batch = SequenceBatch<Float>(
      examples: [a, b], task: .framewiseRegression, inputSize: 2)
    // rows: (t0,b0)=1, (t0,b1)=3, (t1,b0)=2, (t1,b1)=padding
    #expect(batch.targets == [0, 0, 0, -1])
    #expect(batch.values == [1, 3, 2, 0])
  }
}

import Recur
import Tensors

/// Builders shared by the Recur tests.
enum Fixtures {
  static let activations: [any Activation] = [Tanh(), Sigmoid(), ReLU()]

  static func shape(
    bidirectional: Bool, bias: Bool, task: TaskKind, inputSize: Int = 4, hiddenSize: Int = 3,
    outputSize: Int = 3, layers: Int = 1
  ) -> NetworkShape {
    NetworkShape(
      inputSize: inputSize, hiddenSize: hiddenSize, outputSize: outputSize,
      directions: bidirectional ? [.forward, .backward] : [.forward], bias: bias, task: task,
      layers: layers)
  }

  /// The cells the tests cover, by a short name.
  static let cells: [String: any RecurrentCell] = [
    "elman": ElmanCell(activation: Tanh()), "lstm": LSTMCell(),
    "lstm+peepholes": LSTMCell(peepholes: true), "gru": GRUCell(),
  ]

  /// Every entry (biases included) uniform in ±scale, so biases are exercised too.
  static func parameters(
    for shape: NetworkShape, seed: UInt64, scale: Double = 0.8,
    cell: any RecurrentCell = ElmanCell(activation: Tanh())
  ) -> ParameterSet<Double> {
    var generator = SeededGenerator(seed: seed)
    return ParameterSet(
      RecurrentNetwork<Double>.parameterShapes(for: shape, cell: cell).map { key, r, c in
        (
          key,
          Matrix(
            rows: r, columns: c,
            elements: (0..<(r * c)).map { _ in generator.uniform(in: -scale...scale) })
        )
      })
  }

  /// Examples of the given lengths. Dense inputs are uniform in ±1; sparse rows hold one or two
  /// distinct features. Framewise targets include a -1 (unscored) on the second step of any
  /// sequence with at least three steps. Regression targets are uniform in ±1, K per row.
  static func examples(
    lengths: [Int], inputSize: Int = 4, outputSize: Int = 3, task: TaskKind, sparse: Bool,
    seed: UInt64
  ) -> [SequenceExample] {
    var generator = SeededGenerator(seed: seed)
    return lengths.map { length in
      let inputs: ExampleInputs
      if sparse {
        inputs = .sparse(
          (0..<length).map { _ in
            let first = Int32(generator.integer(below: inputSize))
            guard generator.integer(below: 2) == 1 else { return [first] }
            return [
              first,
              (first + 1 + Int32(generator.integer(below: inputSize - 1)))
                % Int32(inputSize),
            ]
          })
      } else {
        inputs = .dense(
          values: (0..<(length * inputSize)).map { _ in Float(generator.uniform(in: -1...1)) },
          width: inputSize)
      }
      switch task {
      case .framewise:
        let targets = (0..<length).map { t in
          t == 1 && length >= 3 ? -1 : Int32(generator.integer(below: outputSize))
        }
        return SequenceExample(inputs: inputs, targets: targets)
      case .sequence:
        return SequenceExample(
          inputs: inputs, targets: [Int32(generator.integer(below: outputSize))])
      case .framewiseRegression, .sequenceRegression:
        let rows = task.isFramewise ? length : 1
        var example = SequenceExample(
          inputs: inputs,
          values: (0..<(rows * outputSize)).map { _ in generator.uniform(in: -1...1) },
          framewise: task.isFramewise)
        if task.isFramewise && length >= 3 { example.targets[1] = -1 }
        return example
      }
    }
  }
}

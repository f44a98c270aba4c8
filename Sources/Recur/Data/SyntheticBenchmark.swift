import Tensors

/// Seeded classic benchmarks for recurrent networks: parity, the adding problem and reversal.
/// Each draws train, dev and test in that order from the generator it is given.
public struct SyntheticBenchmark: Dataset {
  public let info: DatasetInfo
  private let splits: [Split: [SequenceExample]]

  public func examples(_ split: Split) -> [SequenceExample] {
    splits[split] ?? []
  }

  private init(
    info: DatasetInfo, sizes: GeneratedSplits, generator: SeededGenerator,
    example: (Int, inout SeededGenerator) -> SequenceExample
  ) {
    var random = generator
    var splits: [Split: [SequenceExample]] = [:]
    for (split, count) in sizes.counts {
      splits[split] = (0..<count).map { _ in
        let length = sizes.drawLength(&random)
        return example(length, &random)
      }
    }
    self.info = info
    self.splits = splits
  }

  /// Parity: a sequence of bits (one-hot, I = 2); the class is whether the number of ones is
  /// even (0) or odd (1). Sequence classification, K = 2.
  public static func parity(
    _ sizes: GeneratedSplits, generator: SeededGenerator
  ) -> SyntheticBenchmark {
    SyntheticBenchmark(
      info: DatasetInfo(inputSize: 2, outputSize: 2, task: .sequence, labels: ["even", "odd"]),
      sizes: sizes, generator: generator
    ) { length, random in
      let bits = (0..<length).map { _ in Int32(random.integer(below: 2)) }
      return SequenceExample(
        inputs: .sparse(bits.map { [$0] }), targets: [bits.reduce(0, +) % 2])
    }
  }

  /// The adding problem (Hochreiter and Schmidhuber 1997): each step holds a value uniform in
  /// [0, 1] and a marker; exactly two steps are marked (1), one in each half of the sequence,
  /// and the target is the sum of their values. Dense inputs, I = 2; sequence regression, K = 1.
  /// Predicting the mean, 1, gives an MSE of 1/6 ≈ 0.167. Needs `min_length` ≥ 2.
  public static func adding(
    _ sizes: GeneratedSplits, generator: SeededGenerator
  ) -> SyntheticBenchmark {
    SyntheticBenchmark(
      info: DatasetInfo(inputSize: 2, outputSize: 1, task: .sequenceRegression, labels: ["sum"]),
      sizes: sizes, generator: generator
    ) { length, random in
      let half = length / 2
      let first = random.integer(below: half)
      let second = half + random.integer(below: length - half)
      var values: [Float] = []
      var sum = 0.0
      for t in 0..<length {
        let value = Float(random.uniform())
        let marked = t == first || t == second
        if marked { sum += Double(value) }
        values += [value, marked ? 1 : 0]
      }
      return SequenceExample(
        inputs: .dense(values: values, width: 2), values: [sum], framewise: false)
    }
  }

  /// Reversal: a sequence of symbols (one-hot, I = `symbols`); the target at step t is the symbol
  /// at step T−1−t. Framewise classification, K = `symbols`. The first half of the outputs needs
  /// the future of the sequence: a bidirectional task.
  public static func reverse(
    _ sizes: GeneratedSplits, symbols: Int, generator: SeededGenerator
  ) -> SyntheticBenchmark {
    SyntheticBenchmark(
      info: DatasetInfo(
        inputSize: symbols, outputSize: symbols, task: .framewise,
        labels: (0..<symbols).map { "S\($0)" }),
      sizes: sizes, generator: generator
    ) { length, random in
      let sequence = (0..<length).map { _ in Int32(random.integer(below: symbols)) }
      return SequenceExample(inputs: .sparse(sequence.map { [$0] }), targets: sequence.reversed())
    }
  }
}

extension SyntheticBenchmark {
  /// The shape `parity(sizes, …)` has, without drawing it.
  public static func parityShape(_ sizes: GeneratedSplits) -> DatasetShape {
    DatasetShape(generated: sizes, inputSize: 2, outputSize: 2, task: .sequence, denseInputs: false)
  }

  /// The shape `adding(sizes, …)` has, without drawing it.
  public static func addingShape(_ sizes: GeneratedSplits) -> DatasetShape {
    DatasetShape(
      generated: sizes, inputSize: 2, outputSize: 1, task: .sequenceRegression, denseInputs: true)
  }

  /// The shape `reverse(sizes, symbols:, …)` has, without drawing it.
  public static func reverseShape(_ sizes: GeneratedSplits, symbols: Int) -> DatasetShape {
    DatasetShape(
      generated: sizes, inputSize: symbols, outputSize: symbols, task: .framewise,
      denseInputs: false)
  }
}

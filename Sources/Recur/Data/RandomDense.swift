import Tensors

/// Seeded random dense sequences with random tags: the workload of the NumPy reference
/// benchmark (`reference_brnn.py`). There is nothing to learn; it measures speed.
///
/// Every sequence has `steps` steps of `input` standard-normal features (dense inputs) and a
/// uniformly random tag from `classes` at every step (framewise). Splits are drawn in train,
/// dev, test order; within a sequence, all `steps × input` features (row-major, Box–Muller
/// normals drawn in Double and stored as Float) come first, then the `steps` tags.
public struct RandomDense: Dataset {
  /// The generator's settings; the registry describes each with its default.
  public struct Configuration: Sendable, Equatable {
    public var trainSequences: Int
    public var devSequences: Int
    public var testSequences: Int
    /// T, the length of every sequence.
    public var steps: Int
    /// I, the features per step.
    public var input: Int
    /// K, the number of tags.
    public var classes: Int

    public init(
      trainSequences: Int, devSequences: Int, testSequences: Int, steps: Int, input: Int,
      classes: Int
    ) {
      self.trainSequences = trainSequences
      self.devSequences = devSequences
      self.testSequences = testSequences
      self.steps = steps
      self.input = input
      self.classes = classes
    }
  }

  public let configuration: Configuration
  public let info: DatasetInfo
  private let splits: [Split: [SequenceExample]]

  /// Draws every split from `generator`. Precondition (the registry checks the ranges):
  /// positive steps and input, at least two classes, no negative counts.
  public init(_ configuration: Configuration, generator: SeededGenerator) {
    let c = configuration
    precondition(
      c.steps >= 1 && c.input >= 1 && c.classes >= 2
        && min(c.trainSequences, c.devSequences, c.testSequences) >= 0,
      "random-dense sizes out of range")
    self.configuration = configuration
    var random = generator
    var splits: [Split: [SequenceExample]] = [:]
    for (split, count) in [
      (Split.train, c.trainSequences), (.dev, c.devSequences), (.test, c.testSequences),
    ] {
      var examples: [SequenceExample] = []
      examples.reserveCapacity(count)
      for _ in 0..<count {
        let values = (0..<(c.steps * c.input)).map { _ in Float(random.normal()) }
        let targets = (0..<c.steps).map { _ in Int32(random.integer(below: c.classes)) }
        examples.append(
          SequenceExample(inputs: .dense(values: values, width: c.input), targets: targets))
      }
      splits[split] = examples
    }
    self.splits = splits
    info = DatasetInfo(
      inputSize: c.input, outputSize: c.classes, task: .framewise,
      labels: (0..<c.classes).map { "C\($0)" })
  }

  public func examples(_ split: Split) -> [SequenceExample] {
    splits[split] ?? []
  }

  /// The shape the dataset has, without drawing it: every sequence `steps` long.
  public static func shape(_ c: Configuration) -> DatasetShape {
    DatasetShape(
      generated: GeneratedSplits(
        trainSequences: c.trainSequences, devSequences: c.devSequences,
        testSequences: c.testSequences, minLength: c.steps, maxLength: c.steps),
      inputSize: c.input, outputSize: c.classes, task: .framewise, denseInputs: true)
  }
}

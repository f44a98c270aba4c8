/// The sizes of a dataset that matter before it trains: what the network is built for, how much
/// data there is and how long its longest sequence is. A generated dataset states them from its
/// options alone, without drawing any data; a dataset read from files measures them on what it
/// read.
public struct DatasetShape: Sendable, Equatable {
  /// I.
  public var inputSize: Int
  /// K.
  public var outputSize: Int
  public var task: TaskKind
  /// Whether a step is `inputSize` values (dense) or a few active indices (sparse).
  public var denseInputs: Bool
  /// Active indices per step of a sparse input, on average (1 for one-hot symbols).
  public var activeInputsPerStep: Int
  /// Sequences per split; a split that is absent holds 0.
  public var sequences: [Split: Int]
  /// Steps per split over all its sequences (for generated data, the expected number);
  /// `Int.max` when the count does not fit in an `Int`.
  public var steps: [Split: Int]
  /// The longest sequence any split holds (or may hold): T of the largest batch.
  public var longestSequence: Int

  public init(
    inputSize: Int, outputSize: Int, task: TaskKind, denseInputs: Bool,
    activeInputsPerStep: Int = 1, sequences: [Split: Int], steps: [Split: Int],
    longestSequence: Int
  ) {
    self.inputSize = inputSize
    self.outputSize = outputSize
    self.task = task
    self.denseInputs = denseInputs
    self.activeInputsPerStep = activeInputsPerStep
    self.sequences = sequences
    self.steps = steps
    self.longestSequence = longestSequence
  }

  /// The shape of generated splits whose lengths are drawn uniformly from `min_length …
  /// max_length`: the expected steps are count × (min + max) / 2.
  public init(
    generated splits: GeneratedSplits, inputSize: Int, outputSize: Int, task: TaskKind,
    denseInputs: Bool
  ) {
    var sequences: [Split: Int] = [:]
    var steps: [Split: Int] = [:]
    let meanLength = Double(splits.minLength) / 2 + Double(splits.maxLength) / 2
    for (split, count) in splits.counts {
      sequences[split] = count
      steps[split] = Self.saturating(Double(count) * meanLength)
    }
    self.init(
      inputSize: inputSize, outputSize: outputSize, task: task, denseInputs: denseInputs,
      sequences: sequences, steps: steps, longestSequence: splits.maxLength)
  }

  /// The shape of examples already in memory, measured.
  public init(measuring dataset: some Dataset) {
    let info = dataset.info
    var sequences: [Split: Int] = [:]
    var steps: [Split: Int] = [:]
    var longest = 0
    var active = 0
    var sparseSteps = 0
    var dense = false
    for split in Split.allCases {
      let examples = dataset.examples(split)
      sequences[split] = examples.count
      var total = 0
      for example in examples {
        total += example.length
        longest = max(longest, example.length)
        switch example.inputs {
        case .dense: dense = true
        case .sparse(let rows):
          sparseSteps += rows.count
          for row in rows { active += row.count }
        }
      }
      steps[split] = total
    }
    self.init(
      inputSize: info.inputSize, outputSize: info.outputSize, task: info.task,
      denseInputs: dense, activeInputsPerStep: sparseSteps == 0 ? 1 : max(1, active / sparseSteps),
      sequences: sequences, steps: steps, longestSequence: longest)
  }

  /// The splits that hold at least one sequence, in train, dev, test order.
  public var availableSplits: [Split] {
    Split.allCases.filter { (sequences[$0] ?? 0) > 0 }
  }

  /// Bytes the examples of `split` take in memory, estimated: per step the inputs (4 bytes a
  /// dense value; a sparse step's index array, about 40 bytes plus 4 an index), a 4-byte target
  /// and, for framewise regression, K 8-byte values; per sequence about 200 bytes of arrays.
  /// `Int.max` when the estimate does not fit in an `Int`.
  public func bytes(of split: Split) -> Int {
    let perStep =
      (denseInputs ? 4 * Double(inputSize) : 40 + 4 * Double(activeInputsPerStep)) + 4
      + (task == .framewiseRegression ? 8 * Double(outputSize) : 0)
    let perSequence = 200 + (task == .sequenceRegression ? 8 * Double(outputSize) : 0)
    return Self.saturating(
      Double(steps[split] ?? 0) * perStep + Double(sequences[split] ?? 0) * perSequence)
  }

  /// `value` rounded up to an `Int`, or `Int.max` when it is beyond the range.
  package static func saturating(_ value: Double) -> Int {
    value >= Double(Int.max) ? Int.max : Int(value.rounded(.up))
  }
}

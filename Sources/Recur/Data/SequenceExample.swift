/// The inputs of one example as a dataset provides it, independent of the training scalar.
public enum ExampleInputs: Sendable, Equatable {
  /// Per step: active feature indices (one-hot: one index each; multi-hot for word features).
  case sparse([[Int32]])
  /// `T × width` values, row-major, in single precision (what training reads; half the memory
  /// of Double for large dense datasets).
  case dense(values: [Float], width: Int)
}

/// One example: its inputs and its targets.
public struct SequenceExample: Sendable, Equatable {
  /// The inputs, one row per step.
  public var inputs: ExampleInputs
  /// Classification, framewise: a class per step (-1 = not scored); sequence: exactly one.
  /// Regression: which rows are scored, as for classification, with 0 for a scored row.
  public var targets: [Int32]
  /// Regression only: K real targets per scored row (framewise: `T × K` row-major, rows that are
  /// not scored ignored; sequence: K). Empty for classification.
  public var values: [Double]
  /// Tagging only: per step, whether the word was unknown (outside the vocabulary). Empty when
  /// the dataset has no notion of unknown words.
  public var unknown: [Bool]

  /// A classification example; the number of steps is implied by `inputs`.
  public init(inputs: ExampleInputs, targets: [Int32], unknown: [Bool] = []) {
    self.inputs = inputs
    self.targets = targets
    self.values = []
    self.unknown = unknown
  }

  /// A regression example, every row scored: framewise one row per step, else one row;
  /// `values` as above.
  public init(inputs: ExampleInputs, values: [Double], framewise: Bool) {
    self.inputs = inputs
    self.targets = []
    self.values = values
    self.unknown = []
    self.targets = [Int32](repeating: 0, count: framewise ? length : 1)
  }

  /// The number of steps.
  public var length: Int {
    switch inputs {
    case .sparse(let steps): steps.count
    case .dense(let values, let width): width > 0 ? values.count / width : 0
    }
  }
}

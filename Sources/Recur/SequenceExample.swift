/// The inputs of one example as a dataset provides it, independent of the training scalar.
public enum ExampleInputs: Sendable, Equatable {
  /// Per step: active feature indices (one-hot: one index each).
  case sparse([[Int32]])
  /// `T × width` values, row-major.
  case dense(values: [Double], width: Int)
}

/// One example: its inputs and its targets.
public struct SequenceExample: Sendable, Equatable {
  /// The inputs, one row per step.
  public var inputs: ExampleInputs
  /// Framewise: one per step (-1 = not scored); sequence: exactly one.
  public var targets: [Int32]

  /// An example; the number of steps is implied by `inputs`.
  public init(inputs: ExampleInputs, targets: [Int32]) {
    self.inputs = inputs
    self.targets = targets
  }

  /// The number of steps.
  public var length: Int {
    switch inputs {
    case .sparse(let steps): steps.count
    case .dense(let values, let width): width > 0 ? values.count / width : 0
    }
  }
}

/// What the targets of a batch label, and so which output head and loss a network uses.
public enum TaskKind: String, Sendable, Codable, CaseIterable {
  /// One class per step (tagging): targets count T·B, -1 at padding. Softmax, cross-entropy.
  case framewise
  /// One class per sequence: targets count B. Softmax, cross-entropy.
  case sequence
  /// K real numbers per step: linear output, squared error.
  case framewiseRegression = "framewise-regression"
  /// K real numbers per sequence: linear output, squared error.
  case sequenceRegression = "sequence-regression"

  /// Whether every step is scored (framewise) rather than one step per sequence.
  public var isFramewise: Bool { self == .framewise || self == .framewiseRegression }

  /// Whether the outputs are real numbers (linear output, squared error) rather than classes.
  public var isRegression: Bool { self == .framewiseRegression || self == .sequenceRegression }
}

/// The direction a recurrent layer runs in time.
public enum Direction: String, Sendable, Codable {
  case forward, backward
}

/// The sizes and options that fix a network's parameter shapes.
public struct NetworkShape: Sendable, Codable, Equatable {
  /// I, the input width (vocabulary size for sparse inputs).
  public var inputSize: Int
  /// H, the hidden size of each direction.
  public var hiddenSize: Int
  /// K, the number of classes.
  public var outputSize: Int
  /// `[.forward]` = rnn, `[.forward, .backward]` = brnn.
  public var directions: [Direction]
  /// Whether the hidden layers carry `c` and the output layer carries `d`.
  public var bias: Bool
  /// Framewise or sequence classification.
  public var task: TaskKind

  public init(
    inputSize: Int, hiddenSize: Int, outputSize: Int, directions: [Direction], bias: Bool,
    task: TaskKind
  ) {
    self.inputSize = inputSize
    self.hiddenSize = hiddenSize
    self.outputSize = outputSize
    self.directions = directions
    self.bias = bias
    self.task = task
  }
}

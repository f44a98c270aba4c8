/// The direction a recurrent layer runs in time.
public enum Direction: String, Sendable, Codable {
  case forward, backward
}

/// The sizes and options that fix a network's parameter shapes.
public struct NetworkShape: Sendable, Codable, Equatable {
  /// I, the input width (vocabulary size for sparse inputs).
  public var inputSize: Int
  /// H, the hidden size of each direction and layer.
  public var hiddenSize: Int
  /// K, the number of classes.
  public var outputSize: Int
  /// `[.forward]` = rnn, `[.forward, .backward]` = brnn.
  public var directions: [Direction]
  /// Whether the hidden layers carry `c` and the output layer carries `d`.
  public var bias: Bool
  /// Framewise or sequence classification.
  public var task: TaskKind
  /// Stacked recurrent layers; layer k + 1 reads every direction of layer k.
  public var layers: Int

  public init(
    inputSize: Int, hiddenSize: Int, outputSize: Int, directions: [Direction], bias: Bool,
    task: TaskKind, layers: Int = 1
  ) {
    self.inputSize = inputSize
    self.hiddenSize = hiddenSize
    self.outputSize = outputSize
    self.directions = directions
    self.bias = bias
    self.task = task
    self.layers = layers
  }
}

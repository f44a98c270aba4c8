/// What a parameter of a recurrent network is, as a typed value: its layer, its direction and
/// its role. It renders as the parameter's key in a `ParameterSet`, checkpoints and exports:
/// `forward.W`, `output.V`, and for stacked networks `layers.1.backward.W`.
public struct ParameterKey: Sendable, Hashable, CustomStringConvertible {
  /// What the matrix does.
  public enum Role: Sendable, Hashable {
    /// U, `I × G·H` (or `D·H × G·H` above the first layer).
    case input
    /// W, `H × G·H`.
    case recurrent
    /// c, `1 × G·H`.
    case bias
    /// A parameter the cell adds (`RecurrentCell.parameters`), by its name.
    case cell(String)
    /// V, `D·H × K`.
    case output
    /// d, `1 × K`.
    case outputBias

    /// The role's name in keys.
    public var name: String {
      switch self {
      case .input: "U"
      case .recurrent: "W"
      case .bias: "c"
      case .cell(let name): name
      case .output: "V"
      case .outputBias: "d"
      }
    }
  }

  /// The 0-based layer, or nil for the output layer and for every key of a one-layer network
  /// (which renders without the `layers.N.` prefix).
  public var layer: Int?
  /// The direction, or nil for the output layer.
  public var direction: Direction?
  public var role: Role

  public init(layer: Int?, direction: Direction?, role: Role) {
    self.layer = layer
    self.direction = direction
    self.role = role
  }

  public var description: String {
    var parts: [String] = []
    if let layer { parts += ["layers", String(layer)] }
    parts.append(direction?.rawValue ?? "output")
    parts.append(role.name)
    return parts.joined(separator: ".")
  }
}

/// One entry of a network's parameter layout: its typed key and its shape.
public struct ParameterSlot: Sendable, Equatable {
  public var key: ParameterKey
  public var rows: Int
  public var columns: Int
  public init(key: ParameterKey, rows: Int, columns: Int) {
    self.key = key
    self.rows = rows
    self.columns = columns
  }

  /// The rendered key.
  public var name: String { key.description }
}

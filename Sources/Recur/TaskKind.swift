/// What the targets of a batch label.
public enum TaskKind: String, Sendable, Codable, CaseIterable {
  /// One label per step (tagging): targets count T·B, -1 at padding.
  case framewise
  /// One label per sequence: targets count B.
  case sequence
}

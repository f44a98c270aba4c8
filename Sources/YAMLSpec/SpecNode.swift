/// One node of a parsed spec: a scalar, a sequence or a mapping, with the location of its first
/// character.
///
/// Two nodes are equal when their contents are equal: locations (of nodes and of keys) are not
/// compared, so a tree parsed from `yamlText()` equals the tree that wrote it.
public struct SpecNode: Sendable, Equatable {
  /// How a scalar was written. Validation uses it: a quoted `"3"` is a string, never an integer.
  public enum ScalarStyle: Sendable {
    /// Unquoted.
    case plain
    /// Single- or double-quoted, literal (`|`) or folded (`>`).
    case quoted
  }

  /// One key and its value in a mapping.
  public struct Entry: Sendable, Equatable {
    /// The key's text.
    public var key: String
    /// Where the key starts.
    public var keyLocation: SourceLocation
    /// The value.
    public var value: SpecNode

    /// An entry `key: value`.
    public init(key: String, keyLocation: SourceLocation, value: SpecNode) {
      self.key = key
      self.keyLocation = keyLocation
      self.value = value
    }

    public static func == (lhs: Entry, rhs: Entry) -> Bool {
      lhs.key == rhs.key && lhs.value == rhs.value
    }
  }

  /// What a node holds.
  public enum Content: Sendable, Equatable {
    /// A scalar's text (after unescaping) and how it was written.
    case scalar(String, ScalarStyle)
    /// The items of a sequence.
    case sequence([SpecNode])
    /// The entries of a mapping, in the order they were written.
    case mapping([Entry])
  }

  /// What the node holds.
  public var content: Content
  /// Where the node starts (for an alias, where the anchored node starts).
  public var location: SourceLocation

  /// A node holding `content`, located at `location`.
  public init(_ content: Content, location: SourceLocation) {
    self.content = content
    self.location = location
  }

  public static func == (lhs: SpecNode, rhs: SpecNode) -> Bool {
    lhs.content == rhs.content
  }
}

// MARK: - Building contents

extension SpecNode.Content {
  /// The plain scalar `null`.
  public static var null: SpecNode.Content { .scalar("null", .plain) }

  /// A string scalar: plain when the text reads back as that same string, quoted otherwise
  /// (`"yes"`, `"1.0"`, `""`, `"a: b"`, …).
  public static func string(_ text: String) -> SpecNode.Content {
    let readsAsString = ScalarSyntax.plainType(of: text) == .string
    let plain = readsAsString && ScalarSyntax.canWritePlain(text, inFlow: false)
    return .scalar(text, plain ? .plain : .quoted)
  }

  /// The plain scalar for `value` in decimal.
  public static func integer(_ value: Int) -> SpecNode.Content {
    .scalar(String(value), .plain)
  }

  /// The plain scalar for `value`, in YAML's float syntax (`.inf`, `-.inf`, `.nan`).
  public static func number(_ value: Double) -> SpecNode.Content {
    .scalar(ScalarSyntax.text(of: value), .plain)
  }

  /// The plain scalar `true` or `false`.
  public static func boolean(_ value: Bool) -> SpecNode.Content {
    .scalar(value ? "true" : "false", .plain)
  }

  /// A sequence of the given contents, every item located at `SourceLocation.builtIn`.
  public static func list(_ items: [SpecNode.Content]) -> SpecNode.Content {
    .sequence(items.map { SpecNode($0, location: .builtIn) })
  }
}

// MARK: - Reading

extension SpecNode {
  /// The value of `key` when this node is a mapping holding it.
  public subscript(key: String) -> SpecNode? {
    entries?.first { $0.key == key }?.value
  }

  /// The entry for `key` when this node is a mapping holding it.
  public func entry(for key: String) -> Entry? {
    entries?.first { $0.key == key }
  }

  /// The entries when this node is a mapping.
  public var entries: [Entry]? {
    if case .mapping(let entries) = content { return entries }
    return nil
  }

  /// The items when this node is a sequence.
  public var items: [SpecNode]? {
    if case .sequence(let items) = content { return items }
    return nil
  }

  /// The text when this node is a scalar (of either style).
  public var scalar: String? {
    if case .scalar(let text, _) = content { return text }
    return nil
  }

  /// Whether this node is YAML's null: a plain `~`, `null`, `Null`, `NULL` or nothing at all.
  public var isNull: Bool {
    if case .scalar(let text, .plain) = content { return ScalarSyntax.isNull(text) }
    return false
  }

  /// A short description of what the node is, for messages: `null`, `'abc'`, `-3`,
  /// `a quoted string '3'`, `a sequence`, `a mapping`.
  public var kindDescription: String {
    switch content {
    case .scalar(let text, .plain):
      if ScalarSyntax.isNull(text) { return "null" }
      return ScalarSyntax.plainType(of: text) == .string ? "'\(text)'" : text
    case .scalar(let text, .quoted): return "a quoted string '\(text)'"
    case .sequence: return "a sequence"
    case .mapping: return "a mapping"
    }
  }

  /// This node with its location, and the locations of everything below it, set to `location`.
  public func relocated(to location: SourceLocation) -> SpecNode {
    switch content {
    case .scalar:
      return SpecNode(content, location: location)
    case .sequence(let items):
      return SpecNode(.sequence(items.map { $0.relocated(to: location) }), location: location)
    case .mapping(let entries):
      let moved = entries.map {
        Entry(key: $0.key, keyLocation: location, value: $0.value.relocated(to: location))
      }
      return SpecNode(.mapping(moved), location: location)
    }
  }
}

// MARK: - Editing

extension SpecNode {
  /// This mapping with the value of `key` replaced by `content` (located where the old value
  /// was), or with `key: content` appended (located at the mapping) when the key is absent.
  /// Precondition: the node is a mapping.
  public func replacing(_ key: String, with content: Content) -> SpecNode {
    guard var entries else {
      preconditionFailure("replacing(_:with:) on a node that is not a mapping")
    }
    if let index = entries.firstIndex(where: { $0.key == key }) {
      entries[index].value = SpecNode(content, location: entries[index].value.location)
    } else {
      entries.append(
        Entry(key: key, keyLocation: location, value: SpecNode(content, location: location)))
    }
    return SpecNode(.mapping(entries), location: location)
  }

  /// This mapping without `key` (unchanged when the key is absent). Precondition: the node is a
  /// mapping.
  public func removing(_ key: String) -> SpecNode {
    guard let entries else { preconditionFailure("removing(_:) on a node that is not a mapping") }
    return SpecNode(.mapping(entries.filter { $0.key != key }), location: location)
  }
}

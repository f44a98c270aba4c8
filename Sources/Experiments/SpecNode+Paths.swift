import YAMLSpec

extension SpecNode {
  /// The node at a dotted key path (`model.hidden`, `training.metrics.0`), or nil.
  func node(atPath path: String) -> SpecNode? {
    var node = self
    for segment in path.split(separator: ".", omittingEmptySubsequences: false).map(String.init) {
      if let child = node[segment] {
        node = child
      } else if let items = node.items, let index = Int(segment), items.indices.contains(index) {
        node = items[index]
      } else {
        return nil
      }
    }
    return node
  }

  /// Every key path of the tree, parents before children: `model`, `model.hidden` …
  var keyPaths: [String] {
    var paths: [String] = []
    func walk(_ node: SpecNode, _ prefix: String) {
      for entry in node.entries ?? [] {
        let path = prefix.isEmpty ? entry.key : prefix + "." + entry.key
        paths.append(path)
        walk(entry.value, path)
      }
    }
    walk(self, "")
    return paths
  }

  /// This tree with the value at a dotted key path set to `value` (with the value's own
  /// location). Missing or null mappings on the way are created, located at `value`; a segment
  /// below a scalar or past the end of a sequence leaves the tree as it was, which the caller
  /// rules out by checking the path against the resolved spec first.
  func setting(_ value: SpecNode, atPath path: String) -> SpecNode {
    let segments = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    return setting(value, at: segments[...])
  }

  private func setting(_ value: SpecNode, at segments: ArraySlice<String>) -> SpecNode {
    guard let segment = segments.first else { return value }
    let rest = segments.dropFirst()
    switch content {
    case .mapping(var entries):
      if let index = entries.firstIndex(where: { $0.key == segment }) {
        entries[index].value = entries[index].value.setting(value, at: rest)
      } else {
        let empty = SpecNode(.mapping([]), location: value.location)
        entries.append(
          Entry(key: segment, keyLocation: value.location, value: empty.setting(value, at: rest)))
      }
      return SpecNode(.mapping(entries), location: location)
    case .sequence(var items):
      guard let index = Int(segment), items.indices.contains(index) else { return self }
      items[index] = items[index].setting(value, at: rest)
      return SpecNode(.sequence(items), location: location)
    case .scalar where isNull:
      return SpecNode(.mapping([]), location: location).setting(value, at: segments)
    case .scalar:
      return self
    }
  }

  /// The value in one line, as YAML flow: `64`, `[csv, json]`, `{type: rnn, hidden: 4}`.
  public var flowText: String {
    switch content {
    case .scalar(let text, .plain): return text
    case .scalar(let text, .quoted):
      return SpecNode.Content.string(text) == .scalar(text, .plain) ? text : "\"\(text)\""
    case .sequence(let items): return "[" + items.map(\.flowText).joined(separator: ", ") + "]"
    case .mapping(let entries):
      return "{" + entries.map { "\($0.key): \($0.value.flowText)" }.joined(separator: ", ") + "}"
    }
  }
}

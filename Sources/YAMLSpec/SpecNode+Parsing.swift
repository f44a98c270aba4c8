internal import Foundation

extension SpecNode {
  /// Parses exactly one YAML document with libyaml.
  ///
  /// Anchors and aliases are resolved (an alias is a copy of the anchored node, keeping the
  /// anchor's locations); `<<` merge keys (a mapping or a sequence of mappings) merge with explicit
  /// keys winning, and earlier mappings of a merge sequence winning over later ones. A key written
  /// twice, a second document, tabs used as indentation, non-scalar mapping keys, undefined
  /// aliases, nesting deeper than 256 levels (an alias as deep as the node it copies), tags other
  /// than `!!str`, `!!int`, `!!float`, `!!bool`, `!!null`, `!!map` and `!!seq`, and every libyaml
  /// scanner or parser error are `SpecError`s located where libyaml reports them (1-based). `!!str` makes a scalar quoted. An empty document is an empty mapping.
  public static func parse(_ text: String, sourceName: String) throws(SpecError) -> SpecNode {
    let mapping = SourceMapping(source: SourceFile(name: sourceName, text: text))
    var builder = try TreeBuilder(text: text, mapping: mapping, isOverrideValue: false)
    return try builder.document()
  }

  /// Reads the file at `path` and parses it, named by `path` as given. A file that cannot be read
  /// or is not UTF-8 is a `SpecError` without a location.
  public static func load(contentsOf path: String) throws(SpecError) -> SpecNode {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw SpecError("cannot read spec file '\(path)': no such file")
    }
    guard !isDirectory.boolValue else {
      throw SpecError("cannot read spec file '\(path)': it is a directory")
    }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw SpecError("cannot read spec file '\(path)'")
    }
    guard let text = String(validating: data, as: UTF8.self) else {
      throw SpecError("cannot read spec file '\(path)': it is not UTF-8 text")
    }
    return try parse(text, sourceName: path)
  }

  /// Parses one override value: a scalar or a flow collection, never a block collection. An empty
  /// value is null.
  static func parseOverrideValue(
    _ text: String, mapping: SourceMapping
  ) throws(SpecError)
    -> SpecNode
  {
    var builder = try TreeBuilder(text: text, mapping: mapping, isOverrideValue: true)
    return try builder.document()
  }
}

/// Builds a `SpecNode` tree from libyaml's events: resolves aliases and merge keys, checks tags
/// and duplicate keys.
private struct TreeBuilder {
  private static let coreTagPrefix = "tag:yaml.org,2002:"
  private static let maximumDepth = 256

  private let reader: YAMLEventReader
  private let mapping: SourceMapping
  private let isOverrideValue: Bool
  /// Anchored nodes with their height, so that an alias counts as deep as what it copies.
  private var anchors: [String: (node: SpecNode, height: Int)] = [:]
  private var depth = 0
  /// The deepest level reached so far in the node being built, aliases counted at their height.
  private var deepest = 0

  init(text: String, mapping: SourceMapping, isOverrideValue: Bool) throws(SpecError) {
    reader = try YAMLEventReader(text: text, mapping: mapping)
    self.mapping = mapping
    self.isOverrideValue = isOverrideValue
  }

  /// The stream's only document.
  mutating func document() throws(SpecError) -> SpecNode {
    _ = try reader.next()  // stream start
    let start = try reader.next()
    guard case .documentStart = start.kind else {
      let empty: SpecNode.Content = isOverrideValue ? .scalar("", .plain) : .mapping([])
      return SpecNode(empty, location: mapping.location(line: 0, column: 0))
    }
    let first = try reader.next()
    var root = try node(startingWith: first)
    _ = try reader.next()  // document end
    let next = try reader.next()
    if case .documentStart = next.kind {
      throw SpecError(
        "found a second YAML document; a spec holds exactly one", at: next.location,
        expected: "a single document (remove the '---' or '...' separator)")
    }
    if !isOverrideValue, case .scalar("", .plain) = first.kind, first.tag == nil {
      root = SpecNode(.mapping([]), location: root.location)
    }
    return root
  }

  private mutating func node(startingWith event: YAMLEvent) throws(SpecError) -> SpecNode {
    depth += 1
    defer { depth -= 1 }
    guard depth <= Self.maximumDepth else {
      throw SpecError("nesting deeper than \(Self.maximumDepth) levels", at: event.location)
    }
    let outerDeepest = deepest
    deepest = depth
    defer { deepest = max(outerDeepest, deepest) }
    let node: SpecNode
    switch event.kind {
    case .alias(let anchor):
      guard let anchored = anchors[anchor] else {
        throw SpecError(
          "undefined alias '*\(anchor)'", at: event.location,
          expected: "an anchor '&\(anchor)' defined before its alias")
      }
      // Aliases of aliases would otherwise nest without bound and overflow the stack of every
      // walk over the tree, its deallocation included.
      deepest = depth + anchored.height - 1
      guard deepest <= Self.maximumDepth else {
        throw SpecError(
          "nesting deeper than \(Self.maximumDepth) levels through the alias '*\(anchor)'",
          at: event.location,
          expected: "an alias of a node at most \(Self.maximumDepth - depth + 1) levels deep here")
      }
      return anchored.node
    case .scalar(let text, let style):
      node = SpecNode(
        .scalar(text, try scalarStyle(style, tag: event.tag, at: event.location)),
        location: event.location)
    case .sequenceStart(let isFlow):
      try checkCollection(isFlow: isFlow, tag: event.tag, expectedTag: "seq", at: event.location)
      node = try sequence(at: event.location)
    case .mappingStart(let isFlow):
      try checkCollection(isFlow: isFlow, tag: event.tag, expectedTag: "map", at: event.location)
      node = try mapping(at: event.location)
    case .streamStart, .streamEnd, .documentStart, .documentEnd, .sequenceEnd, .mappingEnd:
      throw SpecError("unexpected YAML structure", at: event.location)
    }
    if let anchor = event.anchor { anchors[anchor] = (node, deepest - depth + 1) }
    return node
  }

  private mutating func sequence(at location: SourceLocation) throws(SpecError) -> SpecNode {
    var items: [SpecNode] = []
    while true {
      let event = try reader.next()
      if case .sequenceEnd = event.kind { break }
      items.append(try node(startingWith: event))
    }
    return SpecNode(.sequence(items), location: location)
  }

  /// One part of a mapping as written: an explicit entry, or the entries a `<<` key brings in.
  private enum Part {
    case explicit(SpecNode.Entry)
    case merged([SpecNode.Entry])
  }

  private mutating func mapping(at location: SourceLocation) throws(SpecError) -> SpecNode {
    var parts: [Part] = []
    var firstLocations: [String: SourceLocation] = [:]
    while true {
      let keyEvent = try reader.next()
      if case .mappingEnd = keyEvent.kind { break }
      let key = try self.key(from: keyEvent)
      let value = try node(startingWith: try reader.next())
      if let first = firstLocations[key.text] {
        throw SpecError(
          "duplicate key '\(key.text)' (first at line \(first.line))", at: keyEvent.location)
      }
      firstLocations[key.text] = keyEvent.location
      if key.isMerge {
        parts.append(.merged(try mergedEntries(from: value)))
      } else {
        parts.append(
          .explicit(SpecNode.Entry(key: key.text, keyLocation: keyEvent.location, value: value)))
      }
    }
    var entries: [SpecNode.Entry] = []
    var present = Set(firstLocations.keys)
    for part in parts {
      switch part {
      case .explicit(let entry):
        entries.append(entry)
      case .merged(let merged):
        for entry in merged where present.insert(entry.key).inserted {
          entries.append(entry)
        }
      }
    }
    return SpecNode(.mapping(entries), location: location)
  }

  /// A mapping key: a scalar, or an alias of one. `isMerge` for a plain, untagged `<<`.
  private mutating func key(
    from event: YAMLEvent
  ) throws(SpecError)
    -> (text: String, isMerge: Bool)
  {
    switch event.kind {
    case .scalar(let text, let style):
      _ = try scalarStyle(style, tag: event.tag, at: event.location)
      let node = SpecNode(.scalar(text, style), location: event.location)
      if let anchor = event.anchor { anchors[anchor] = (node, 1) }
      return (text, text == "<<" && style == .plain && event.tag == nil)
    case .alias:
      let node = try node(startingWith: event)
      guard let text = node.scalar else {
        throw SpecError(
          "mapping keys must be scalars", at: event.location,
          expected: "a scalar key such as 'name:'")
      }
      return (text, false)
    default:
      throw SpecError(
        "mapping keys must be scalars", at: event.location,
        expected: "a scalar key such as 'name:'")
    }
  }

  /// The entries a `<<` value brings in: a mapping's, or those of a sequence of mappings where an
  /// earlier mapping's key wins over a later one's.
  private func mergedEntries(from value: SpecNode) throws(SpecError) -> [SpecNode.Entry] {
    let sources: [SpecNode]
    switch value.content {
    case .mapping: sources = [value]
    case .sequence(let items): sources = items
    case .scalar: throw mergeError(at: value.location)
    }
    var merged: [SpecNode.Entry] = []
    var seen: Set<String> = []
    for source in sources {
      guard let entries = source.entries else { throw mergeError(at: source.location) }
      for entry in entries where seen.insert(entry.key).inserted {
        merged.append(entry)
      }
    }
    return merged
  }

  private func mergeError(at location: SourceLocation) -> SpecError {
    SpecError(
      "a '<<' merge key needs a mapping or a sequence of mappings", at: location,
      expected: "an alias of a mapping ('<<: *defaults') or a list of them")
  }

  /// The style a scalar keeps: `!!str` and the non-specific `!` make it a string (quoted), the
  /// other scalar tags make it plain; any other tag is an error.
  private func scalarStyle(
    _ style: SpecNode.ScalarStyle, tag: String?, at location: SourceLocation
  ) throws(SpecError) -> SpecNode.ScalarStyle {
    guard let tag else { return style }
    switch tag {
    case "!", Self.coreTagPrefix + "str": return .quoted
    case Self.coreTagPrefix + "int", Self.coreTagPrefix + "float", Self.coreTagPrefix + "bool",
      Self.coreTagPrefix + "null":
      return .plain
    default: throw tagError(tag, on: "a scalar", at: location)
    }
  }

  private func checkCollection(
    isFlow: Bool, tag: String?, expectedTag: String, at location: SourceLocation
  ) throws(SpecError) {
    if isOverrideValue && !isFlow && depth == 1 {
      throw SpecError(
        "an override value must be a scalar or a flow collection", at: location,
        expected: "a value such as 128, [csv, json] or {type: sgd}")
    }
    guard let tag, tag != "!", tag != Self.coreTagPrefix + expectedTag else { return }
    throw tagError(tag, on: expectedTag == "seq" ? "a sequence" : "a mapping", at: location)
  }

  private func tagError(_ tag: String, on kind: String, at location: SourceLocation) -> SpecError {
    let standard = ["str", "int", "float", "bool", "null", "map", "seq"]
    let name =
      tag.hasPrefix(Self.coreTagPrefix)
      ? "!!" + tag.dropFirst(Self.coreTagPrefix.count) : tag
    let isStandard = standard.contains { "!!" + $0 == name }
    return SpecError(
      isStandard ? "tag '\(name)' cannot be used on \(kind)" : "unsupported tag '\(name)'",
      at: location,
      expected: "one of the tags " + standard.map { "!!" + $0 }.joined(separator: ", "))
  }
}

extension SpecNode {
  /// Applies command-line overrides `a.b.c=value`, in order.
  ///
  /// The value is parsed as a YAML flow node (a scalar, `[a, b]` or `{k: v}`; nothing after `=`
  /// is null) and located in a source named `"<override N>"`, N being the argument's 1-based
  /// index, whose only line is the whole argument: line 1, column = where the value starts. Missing
  /// intermediate mappings are created (a null value counts as an empty mapping), so a key the
  /// file omitted but the schema knows can be set; a created key is located at column 1 of the
  /// argument, where schema validation reports it if it is unknown. Integer segments index into
  /// sequences (`layers.0.size=8`). An argument without `=`, an empty key segment, an index that
  /// is not in the sequence, and a key below a scalar are errors.
  public func applying(overrides: [String]) throws(SpecError) -> SpecNode {
    var result = self
    for (index, argument) in overrides.enumerated() {
      let override = try Override(argument: argument, number: index + 1)
      result = try result.setting(
        override.value, at: override.segments[...], override: override, traversed: [])
    }
    return result
  }

  private func setting(
    _ value: SpecNode, at segments: ArraySlice<Override.Segment>, override: Override,
    traversed: [String]
  ) throws(SpecError) -> SpecNode {
    guard let segment = segments.first else { return value }
    let rest = segments.dropFirst()
    let path = traversed + [segment.text]
    switch content {
    case .mapping(var entries):
      try Self.set(value, in: &entries, segment: segment, rest: rest, override: override, path)
      return SpecNode(.mapping(entries), location: location)
    case .scalar where isNull:
      var entries: [Entry] = []
      try Self.set(value, in: &entries, segment: segment, rest: rest, override: override, path)
      return SpecNode(.mapping(entries), location: location)
    case .sequence(var items):
      guard let index = Int(segment.text), items.indices.contains(index) else {
        throw SpecError(
          "'\(traversed.joined(separator: "."))' is a sequence of \(items.count) items, "
            + "so '\(segment.text)' does not name one of them",
          at: override.location(of: segment), keyPath: path.joined(separator: "."),
          expected: items.isEmpty
            ? "no index (the sequence is empty)"
            : "an index from 0 to \(items.count - 1)")
      }
      items[index] = try items[index].setting(
        value, at: rest, override: override, traversed: path)
      return SpecNode(.sequence(items), location: location)
    case .scalar:
      let holder = traversed.isEmpty ? "the spec" : "'\(traversed.joined(separator: "."))'"
      throw SpecError(
        "cannot set '\(path.joined(separator: "."))': \(holder) is a scalar, not a mapping",
        at: override.location(of: segment), keyPath: path.joined(separator: "."))
    }
  }

  /// Sets the value below `segment` in a mapping's entries, creating the entry when it is missing.
  private static func set(
    _ value: SpecNode, in entries: inout [Entry], segment: Override.Segment,
    rest: ArraySlice<Override.Segment>, override: Override, _ path: [String]
  ) throws(SpecError) {
    if let index = entries.firstIndex(where: { $0.key == segment.text }) {
      entries[index].value = try entries[index].value.setting(
        value, at: rest, override: override, traversed: path)
    } else {
      let keyLocation = override.location(column: 1)
      let empty = SpecNode(.mapping([]), location: keyLocation)
      let child = try empty.setting(value, at: rest, override: override, traversed: path)
      entries.append(Entry(key: segment.text, keyLocation: keyLocation, value: child))
    }
  }
}

/// One `key.path=value` argument, split and parsed.
private struct Override {
  struct Segment {
    var text: String
    /// The 1-based column of the segment in the argument.
    var column: Int
  }

  let source: SourceFile
  let segments: [Segment]
  let value: SpecNode

  init(argument: String, number: Int) throws(SpecError) {
    source = SourceFile(name: "<override \(number)>", text: argument)
    let scalars = Array(argument.unicodeScalars)
    guard let equals = scalars.firstIndex(of: "=") else {
      throw SpecError(
        "override '\(argument)' has no '='", at: SourceLocation(source: source, line: 1, column: 1),
        expected: "key.path=value, e.g. model.hidden=128")
    }
    var segments: [Segment] = []
    var start = 0
    for index in 0...equals where index == equals || scalars[index] == "." {
      var text = ""
      text.unicodeScalars.append(contentsOf: scalars[start..<index])
      segments.append(Segment(text: text, column: start + 1))
      start = index + 1
    }
    self.segments = segments
    if let empty = segments.first(where: { $0.text.isEmpty }) {
      let message =
        equals == 0
        ? "override '\(argument)' has an empty key path"
        : "override '\(argument)' has an empty key segment"
      throw SpecError(
        message, at: SourceLocation(source: source, line: 1, column: empty.column),
        expected: "key.path=value, e.g. model.hidden=128")
    }
    var valueText = ""
    valueText.unicodeScalars.append(contentsOf: scalars[(equals + 1)...])
    value = try SpecNode.parseOverrideValue(
      valueText, mapping: SourceMapping(source: source, firstLineColumnOffset: equals + 1))
  }

  func location(column: Int) -> SourceLocation {
    SourceLocation(source: source, line: 1, column: column)
  }

  func location(of segment: Segment) -> SourceLocation {
    location(column: segment.column)
  }
}

extension SpecNode {
  /// Applies command-line overrides, in order, in the forms Hydra uses:
  ///
  /// - `a.b.c=value` and `++a.b.c=value` set the key, creating it when missing;
  /// - `+a.b.c=value` adds a key the spec does not have (an error if it has it);
  /// - `~a.b.c` removes a key, so that its default applies; `~a.b.c=value` removes it only if it
  ///   has that value (an error otherwise).
  ///
  /// The value is parsed as a YAML flow node (a scalar, `[a, b]` or `{k: v}`; nothing after `=`
  /// is null) and located in a source named `"<override N>"`, N being the argument's 1-based
  /// index, whose only line is the whole argument: line 1, column = where the value starts. Missing
  /// intermediate mappings are created (a null value counts as an empty mapping), so a key the
  /// file omitted but the schema knows can be set; a created key is located at column 1 of the
  /// argument, where schema validation reports it if it is unknown. Integer segments index into
  /// sequences (`layers.0.size=8`). An argument without `=` (but `~key`), an empty key segment,
  /// an index that is not in the sequence, a key below a scalar, and a comma list of values
  /// (`a=1,2`, which only `runner sweep` takes) are errors.
  public func applying(overrides: [String]) throws(SpecError) -> SpecNode {
    var result = self
    for (index, argument) in overrides.enumerated() {
      result = try result.applying(Override(argument: argument, number: index + 1))
    }
    return result
  }

  /// Applies one parsed override (see `applying(overrides:)`); a comma list of values is an
  /// error, since it only makes sense to a sweep.
  public func applying(_ override: Override) throws(SpecError) -> SpecNode {
    if override.values.count > 1 {
      throw SpecError(
        "'\(override.argument)' is a comma list of values, which only a sweep takes",
        at: override.location(column: override.listCommaColumn),
        keyPath: override.path,
        expected: "one value: [a, b] for a list, quotes for a string with commas ('a,b'), "
          + "or runner sweep to run every value")
    }
    return try editing(at: override.segments[...], override: override, traversed: [])
  }

  private func editing(
    at segments: ArraySlice<Override.Segment>, override: Override, traversed: [String]
  ) throws(SpecError) -> SpecNode {
    guard let segment = segments.first else {
      guard let value = override.values.first else {
        preconditionFailure("an override without a value reached the end of its path")
      }
      return value
    }
    let rest = segments.dropFirst()
    let path = traversed + [segment.text]
    switch content {
    case .mapping(var entries):
      try Self.edit(&entries, segment: segment, rest: rest, override: override, path)
      return SpecNode(.mapping(entries), location: location)
    case .scalar where isNull && override.form != .remove:
      var entries: [Entry] = []
      try Self.edit(&entries, segment: segment, rest: rest, override: override, path)
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
      if rest.isEmpty, override.form == .add || override.form == .remove {
        throw SpecError(
          "'\(override.argument)': \(override.form == .add ? "+" : "~") adds and removes keys "
            + "of mappings, and '\(path.joined(separator: "."))' is an item of a sequence",
          at: override.location(of: segment), keyPath: path.joined(separator: "."),
          expected: "\(override.path)=value to replace the item, or a new list for "
            + "'\(traversed.joined(separator: "."))'")
      }
      items[index] = try items[index].editing(at: rest, override: override, traversed: path)
      return SpecNode(.sequence(items), location: location)
    case .scalar:
      let holder = traversed.isEmpty ? "the spec" : "'\(traversed.joined(separator: "."))'"
      let verb = override.form == .remove ? "remove" : "set"
      throw SpecError(
        "cannot \(verb) '\(path.joined(separator: "."))': \(holder) is "
          + (isNull ? "null" : "a scalar") + ", not a mapping",
        at: override.location(of: segment), keyPath: path.joined(separator: "."))
    }
  }

  /// Applies the override below `segment` in a mapping's entries: sets, adds or removes the
  /// entry at the end of the path, creating missing entries on the way unless removing.
  private static func edit(
    _ entries: inout [Entry], segment: Override.Segment,
    rest: ArraySlice<Override.Segment>, override: Override, _ path: [String]
  ) throws(SpecError) {
    let keyPath = path.joined(separator: ".")
    guard let index = entries.firstIndex(where: { $0.key == segment.text }) else {
      if override.form == .remove {
        throw SpecError(
          "cannot remove '\(override.path)': the spec has no '\(keyPath)'",
          at: override.location(of: segment), keyPath: keyPath,
          expected: "a key path of the spec")
      }
      let keyLocation = override.location(column: 1)
      let empty = SpecNode(.mapping([]), location: keyLocation)
      let child = try empty.editing(at: rest, override: override, traversed: path)
      entries.append(Entry(key: segment.text, keyLocation: keyLocation, value: child))
      return
    }
    guard rest.isEmpty else {
      entries[index].value = try entries[index].value.editing(
        at: rest, override: override, traversed: path)
      return
    }
    let existing = entries[index]
    switch override.form {
    case .add:
      throw SpecError(
        "cannot add '\(keyPath)': the spec has it already (\(existing.keyLocation))",
        at: override.location(of: segment), keyPath: keyPath,
        expected: "++\(keyPath)=… or \(keyPath)=… to replace it")
    case .remove:
      if let expected = override.values.first, existing.value != expected {
        throw SpecError(
          "cannot remove '\(keyPath)': its value is \(existing.value.overrideText), "
            + "not \(expected.overrideText)",
          at: expected.location, keyPath: keyPath,
          expected: "~\(keyPath) to remove it whatever its value")
      }
      entries.remove(at: index)
    case .set, .force:
      entries[index].value = try existing.value.editing(
        at: rest, override: override, traversed: path)
    }
  }

  /// The node in flow style, for messages: `64`, `[csv, json]`, `{type: sgd}`.
  fileprivate var overrideText: String {
    switch content {
    case .scalar(let text, .plain): return text
    case .scalar(let text, .quoted): return "'\(text)'"
    case .sequence(let items):
      return "[" + items.map(\.overrideText).joined(separator: ", ") + "]"
    case .mapping(let entries):
      return "{" + entries.map { "\($0.key): \($0.value.overrideText)" }.joined(separator: ", ")
        + "}"
    }
  }
}

/// One command-line override, split and parsed: `key.path=value`, `+key.path=value`,
/// `++key.path=value`, `~key.path` or `~key.path=value`, where the value may be a comma list
/// (`model.hidden=32,64`) that a sweep runs one value at a time.
public struct Override: Sendable {
  /// What the override does with its key.
  public enum Form: Sendable {
    /// `key=value`: sets the key, creating it when missing.
    case set
    /// `+key=value`: adds a key the spec does not have.
    case add
    /// `++key=value`: sets the key, creating it when missing.
    case force
    /// `~key` or `~key=value`: removes the key (only if it has `value`, when given).
    case remove
  }

  struct Segment: Sendable {
    var text: String
    /// The 1-based column of the segment in the argument.
    var column: Int
  }

  /// The argument as given.
  public let argument: String
  public let form: Form
  let source: SourceFile
  let segments: [Segment]
  /// The value (none for `~key`), or the values of a comma list split outside brackets and
  /// quotes, each located in the argument.
  public let values: [SpecNode]
  /// The column of the first comma that splits the values (0 for a single value).
  let listCommaColumn: Int

  /// Parses argument number `number` (1-based) of the command line's overrides.
  public init(argument: String, number: Int) throws(SpecError) {
    self.argument = argument
    source = SourceFile(name: "<override \(number)>", text: argument)
    let scalars = Array(argument.unicodeScalars)
    let keyStart: Int
    if scalars.starts(with: "++".unicodeScalars) {
      (form, keyStart) = (.force, 2)
    } else if scalars.first == "+" {
      (form, keyStart) = (.add, 1)
    } else if scalars.first == "~" {
      (form, keyStart) = (.remove, 1)
    } else {
      (form, keyStart) = (.set, 0)
    }
    let prefix = String(String.UnicodeScalarView(scalars[..<keyStart]))
    let example =
      form == .remove
      ? "~key.path, e.g. ~training.clip_norm"
      : "\(prefix)key.path=value, e.g. \(prefix)model.hidden=128"
    let equals = scalars[keyStart...].firstIndex(of: "=")
    guard equals != nil || form == .remove else {
      throw SpecError(
        "override '\(argument)' has no '='", at: SourceLocation(source: source, line: 1, column: 1),
        expected: example)
    }
    let keyEnd = equals ?? scalars.count
    var segments: [Segment] = []
    var start = keyStart
    for index in keyStart...keyEnd where index == keyEnd || scalars[index] == "." {
      segments.append(
        Segment(text: String(String.UnicodeScalarView(scalars[start..<index])), column: start + 1))
      start = index + 1
    }
    self.segments = segments
    if let empty = segments.first(where: { $0.text.isEmpty }) {
      let message =
        keyEnd == keyStart
        ? "override '\(argument)' has an empty key path"
        : "override '\(argument)' has an empty key segment"
      throw SpecError(
        message, at: SourceLocation(source: source, line: 1, column: empty.column),
        expected: example)
    }
    guard let equals else {
      (values, listCommaColumn) = ([], 0)
      return
    }
    let pieces = Self.splitAtTopLevelCommas(scalars, from: equals + 1)
    listCommaColumn = pieces.count > 1 ? pieces[1].lowerBound : 0
    var values: [SpecNode] = []
    for piece in pieces {
      let text = String(String.UnicodeScalarView(scalars[piece]))
      if pieces.count > 1, text.allSatisfy(\.isWhitespace) {
        throw SpecError(
          "override '\(argument)' has an empty value in its comma list",
          at: SourceLocation(source: source, line: 1, column: piece.lowerBound + 1),
          keyPath: segments.map(\.text).joined(separator: "."),
          expected: "values separated by single commas, e.g. model.hidden=32,64,128")
      }
      values.append(
        try SpecNode.parseOverrideValue(
          text, mapping: SourceMapping(source: source, firstLineColumnOffset: piece.lowerBound)))
    }
    if form == .remove, values.count > 1 {
      throw SpecError(
        "override '\(argument)' removes a key only if it has one value, not a comma list",
        at: SourceLocation(source: source, line: 1, column: listCommaColumn),
        keyPath: segments.map(\.text).joined(separator: "."),
        expected: "~key.path=value, e.g. ~training.clip_norm=5")
    }
    self.values = values
  }

  /// The dotted key path, e.g. `model.hidden`.
  public var path: String { segments.map(\.text).joined(separator: ".") }

  /// Where the key path starts in the argument (after `+`, `++` or `~`).
  public var keyLocation: SourceLocation { location(column: segments[0].column) }

  /// This override with only its value number `index` (of a comma list).
  public func choosing(_ index: Int) -> Override {
    Override(copying: self, values: [values[index]])
  }

  private init(copying other: Override, values: [SpecNode]) {
    argument = other.argument
    form = other.form
    source = other.source
    segments = other.segments
    self.values = values
    listCommaColumn = 0
  }

  func location(column: Int) -> SourceLocation {
    SourceLocation(source: source, line: 1, column: column)
  }

  func location(of segment: Segment) -> SourceLocation {
    location(column: segment.column)
  }

  /// The ranges of `scalars[start...]` between commas that are outside brackets, braces and
  /// quotes, as Hydra splits a multirun value: `1,2` is two values, `[1,2]` and `'1,2'` one.
  /// A quote opens a string only where YAML's flow syntax would start one (at the start of the
  /// value or after `[`, `{`, `,` or `:`), so `it's` stays a plain scalar.
  static func splitAtTopLevelCommas(
    _ scalars: [Unicode.Scalar], from start: Int
  ) -> [Range<Int>] {
    var pieces: [Range<Int>] = []
    var pieceStart = start
    var depth = 0
    var quote: Unicode.Scalar?
    var previous: Unicode.Scalar?  // the last character outside quotes that is not a space
    var index = start
    while index < scalars.count {
      let scalar = scalars[index]
      if let open = quote {
        if open == "\"", scalar == "\\" {
          index += 1
        } else if scalar == open {
          if open == "'", index + 1 < scalars.count, scalars[index + 1] == "'" {
            index += 1
          } else {
            quote = nil
            previous = scalar
          }
        }
      } else {
        let opensString = previous.map { "[{,:".unicodeScalars.contains($0) } ?? true
        switch scalar {
        case "'" where opensString, "\"" where opensString:
          quote = scalar
        case "[", "{": depth += 1
        case "]", "}": depth = max(0, depth - 1)
        case "," where depth == 0:
          pieces.append(pieceStart..<index)
          pieceStart = index + 1
          previous = nil
          index += 1
          continue
        default: break
        }
        if quote == nil, scalar != " " { previous = scalar }
      }
      index += 1
    }
    pieces.append(pieceStart..<scalars.count)
    return pieces
  }
}

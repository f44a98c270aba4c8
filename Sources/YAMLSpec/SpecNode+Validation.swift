extension SpecNode {
  /// Checks a mapping node against option descriptions and fills in defaults.
  ///
  /// Every fault of the mapping is reported (the first thrown, the others in its `others`):
  /// unknown keys (with the closest valid name), wrong types ("expected an integer, found
  /// 'abc'"), out-of-range values ("expected an integer ≥ 1, found -3"), nulls for options that
  /// are not nullable, unknown choices and missing required options (located at the mapping) are
  /// `SpecError`s with a location and a `keyPath` prefixed by `path` (e.g. "model.hidden"). Keys
  /// in `passThrough` are left alone (e.g. "type"). A null node counts as an empty mapping.
  ///
  /// Returns the mapping with the pass-through keys first (in their order), then every described
  /// option in description order, defaults located at the mapping; values normalised: integers
  /// as plain decimal text, booleans as `true`/`false`.
  public func resolved(
    against options: [OptionDescription], path: String, passThrough: Set<String> = []
  ) throws(SpecError) -> SpecNode {
    let entries: [Entry]
    switch content {
    case .mapping(let mappingEntries): entries = mappingEntries
    case .scalar where isNull: entries = []
    case .scalar, .sequence:
      throw SpecError(
        "expected a mapping of options, found \(kindDescription)", at: location,
        keyPath: path)
    }
    let names = options.map(\.name)
    let candidates = names + passThrough.sorted()
    // Every fault of the mapping is found; the first is thrown, carrying the others.
    var errors: [SpecError] = []
    for entry in entries where !names.contains(entry.key) && !passThrough.contains(entry.key) {
      errors.append(
        SpecError(
          "unknown option '\(entry.key)'", at: entry.keyLocation,
          keyPath: Self.join(path, entry.key),
          expected: "one of: " + candidates.joined(separator: ", "),
          suggestion: closestMatch(to: entry.key, in: candidates)))
    }
    var result = entries.filter { passThrough.contains($0.key) }
    for option in options {
      let keyPath = Self.join(path, option.name)
      if let entry = entries.first(where: { $0.key == option.name }) {
        var checked = entry
        if !(entry.value.isNull && option.isNullable) {
          do {
            checked.value = try entry.value.validated(
              as: option.kind, name: option.name, keyPath: keyPath)
          } catch {
            errors.append(error)
          }
        }
        result.append(checked)
      } else if let defaultValue = option.defaultValue {
        let value = SpecNode(defaultValue, location: location).relocated(to: location)
        result.append(Entry(key: option.name, keyLocation: location, value: value))
      } else {
        errors.append(
          SpecError(
            "missing required option '\(option.name)'", at: location, keyPath: keyPath,
            expected: option.kind.descriptionWithArticle))
      }
    }
    if let first = errors.first { throw first.adding(Array(errors.dropFirst())) }
    return SpecNode(.mapping(result), location: location)
  }

  /// A resolved mapping without the options that are `elidedAtDefault` and hold their default
  /// (numbers compared as numbers, other scalars as normalised text).
  public func eliding(defaultsOf options: [OptionDescription]) -> SpecNode {
    guard case .mapping(let entries) = content else { return self }
    let kept = entries.filter { entry in
      guard let option = options.first(where: { $0.name == entry.key }), option.elidedAtDefault,
        let defaultValue = option.defaultValue
      else { return true }
      let value = SpecNode(defaultValue, location: location)
      if let stated = entry.value.scalar.flatMap(ScalarSyntax.number),
        let standard = value.scalar.flatMap(ScalarSyntax.number)
      {
        return stated != standard
      }
      return entry.value.scalar != value.scalar || entry.value.isNull != value.isNull
    }
    return SpecNode(.mapping(kept), location: location)
  }

  /// The node checked against `kind` and normalised.
  private func validated(
    as kind: OptionDescription.Kind, name: String, keyPath: String
  )
    throws(SpecError) -> SpecNode
  {
    let mismatch = SpecError(
      "expected \(kind.descriptionWithArticle), found \(kindDescription)", at: location,
      keyPath: keyPath)
    if isNull { throw mismatch }
    switch kind {
    case .integer(let range):
      guard case .scalar(let text, .plain) = content, ScalarSyntax.isDecimalInteger(text) else {
        throw mismatch
      }
      guard let value = ScalarSyntax.integer(text), range?.contains(value) ?? true else {
        throw mismatch
      }
      return SpecNode(.integer(value), location: location)
    case .number(let minimum, let minimumInclusive, let maximum, let maximumInclusive):
      guard case .scalar(let text, .plain) = content, let value = ScalarSyntax.number(text) else {
        throw mismatch
      }
      if let minimum, !(minimumInclusive ? value >= minimum : value > minimum) { throw mismatch }
      if let maximum, !(maximumInclusive ? value <= maximum : value < maximum) { throw mismatch }
      return self
    case .boolean:
      guard case .scalar(let text, .plain) = content, let value = ScalarSyntax.boolean(text) else {
        throw mismatch
      }
      return SpecNode(.boolean(value), location: location)
    case .string:
      guard case .scalar = content else { throw mismatch }
      return self
    case .choice(let values):
      guard case .scalar(let text, _) = content else { throw mismatch }
      guard values.contains(text) else {
        throw SpecError(
          "unknown \(name) '\(text)'", at: location, keyPath: keyPath,
          expected: kind.description, suggestion: closestMatch(to: text, in: values))
      }
      return self
    case .list(let itemKind, let allowed):
      guard case .sequence(let items) = content else { throw mismatch }
      var checked: [SpecNode] = []
      for (index, item) in items.enumerated() {
        let itemPath = "\(keyPath).\(index)"
        let value = try item.validated(as: itemKind, name: name, keyPath: itemPath)
        if let allowed, let text = value.scalar, !allowed.contains(text) {
          throw SpecError(
            "unknown value '\(text)' in \(name)", at: item.location, keyPath: itemPath,
            expected: "one of: " + allowed.joined(separator: ", "),
            suggestion: closestMatch(to: text, in: allowed))
        }
        checked.append(value)
      }
      return SpecNode(.sequence(checked), location: location)
    }
  }

  static func join(_ path: String, _ key: String) -> String {
    path.isEmpty ? key : path + "." + key
  }
}

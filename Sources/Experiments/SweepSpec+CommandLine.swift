import YAMLSpec

extension SweepSpec {
  /// Applies the command line's overrides to a sweep document, the way Hydra's multirun reads
  /// them: each override applies in order (a comma list with its first value, which checks its
  /// form and key), then every comma list joins the sweep. `seed=1,2,3` (or `sweep.seeds=1,2,3`)
  /// sets the seeds; `key.path=a,b,c` becomes the grid parameter `key.path: [a, b, c]`, replacing
  /// the sweep section's own list for that key and added to the others. A document without a
  /// sweep section gets one (a grid, unless an override says otherwise).
  static func applyingCommandLine(
    _ arguments: [String], to document: SpecNode
  ) throws(SpecError) -> SpecNode {
    var document = document
    var lists: [Override] = []
    for (index, argument) in arguments.enumerated() {
      let override = try Override(argument: argument, number: index + 1)
      guard override.values.count > 1 else {
        document = try document.applying(override)
        continue
      }
      let path = override.path
      if path != "seed", path != "sweep.seeds" {
        if path == "sweep" || path.hasPrefix("sweep.") {
          throw SpecError(
            "'\(argument)': a comma list sweeps a key of the spec, and '\(path)' is a key of "
              + "the sweep section", at: override.keyLocation, keyPath: path,
            expected: "a list in brackets for a sweep option, e.g. sweep.seeds=[1, 2]")
        }
        document = try document.applying(override.choosing(0))
      }
      lists.append(override)
    }
    guard !lists.isEmpty, var entries = document.entries else { return document }
    let sectionIndex = entries.firstIndex { $0.key == "sweep" }
    let sectionNode = sectionIndex.map { entries[$0].value }
    guard sectionNode?.entries != nil || sectionNode?.isNull ?? true else { return document }
    var section = sectionNode?.entries ?? []
    for list in lists {
      let values = SpecNode(.sequence(list.values), location: list.values[0].location)
      if list.path == "seed" || list.path == "sweep.seeds" {
        Self.set(values, for: "seeds", keyLocation: list.keyLocation, in: &section)
      } else {
        let parametersNode = section.first { $0.key == "parameters" }?.value
        guard parametersNode?.entries != nil || parametersNode?.isNull ?? true else {
          return document
        }
        var parameters = parametersNode?.entries ?? []
        Self.set(values, for: list.path, keyLocation: list.keyLocation, in: &parameters)
        Self.set(
          SpecNode(.mapping(parameters), location: parametersNode?.location ?? list.keyLocation),
          for: "parameters", keyLocation: list.keyLocation, in: &section)
      }
    }
    let sectionEntry = SpecNode.Entry(
      key: "sweep",
      keyLocation: sectionIndex.map { entries[$0].keyLocation } ?? lists[0].keyLocation,
      value: SpecNode(.mapping(section), location: sectionNode?.location ?? lists[0].keyLocation))
    if let sectionIndex {
      entries[sectionIndex] = sectionEntry
    } else {
      entries.append(sectionEntry)
    }
    return SpecNode(.mapping(entries), location: document.location)
  }

  /// Replaces the value of `key` in `entries`, or appends `key: value`.
  private static func set(
    _ value: SpecNode, for key: String, keyLocation: SourceLocation,
    in entries: inout [SpecNode.Entry]
  ) {
    if let index = entries.firstIndex(where: { $0.key == key }) {
      entries[index].value = value
    } else {
      entries.append(SpecNode.Entry(key: key, keyLocation: keyLocation, value: value))
    }
  }
}

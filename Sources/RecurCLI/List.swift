import ArgumentParser
import Experiments
import YAMLSpec

/// `runner list [kind]`: the registered components and their options.
struct List: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "List the registered components and their options.")

  @Argument(
    help: ArgumentHelp(
      "One kind: \(ComponentKind.allCases.map(\.plural).joined(separator: ", ")).",
      valueName: "kind"))
  var kind: String?

  func validate() throws {
    if let kind, Self.kind(named: kind) == nil {
      let names = ComponentKind.allCases.map(\.plural)
      let hint = closestMatch(to: kind, in: names).map { " (did you mean '\($0)'?)" } ?? ""
      throw ValidationError(
        "unknown kind '\(kind)'; expected one of: \(names.joined(separator: ", "))\(hint)")
    }
  }

  func run() {
    let kinds = kind.flatMap(Self.kind(named:)).map { [$0] } ?? ComponentKind.allCases
    var blocks: [String] = []
    for kind in kinds {
      var lines = [kind.plural]
      for component in RunnerContext.registry.descriptions(of: kind) {
        lines.append("  \(component.name) — \(component.summary)")
        let width = component.options.map(\.name.count).max() ?? 0
        let typeWidth = component.options.map(\.typeDescription.count).max() ?? 0
        for option in component.options {
          lines.append(
            "      " + Format.left(option.name, width + 2)
              + Format.left(option.typeDescription, typeWidth + 2)
              + Format.left(option.defaultDescription, 14) + option.help)
        }
      }
      blocks.append(lines.joined(separator: "\n"))
    }
    print(blocks.joined(separator: "\n\n"))
  }

  /// "models" or "model" → `.model`.
  static func kind(named name: String) -> ComponentKind? {
    ComponentKind.allCases.first { $0.plural == name || $0.rawValue == name }
  }
}

extension OptionDescription {
  /// The default as `runner list` shows it: `required`, `null` (the help says what leaving the
  /// option out means), or the value as YAML would write it inline.
  var defaultDescription: String {
    guard let defaultValue else { return "required" }
    let node = SpecNode(defaultValue, location: .builtIn)
    if node.isNull { return "null" }
    if let items = node.items {
      return "[" + items.compactMap(\.scalar).joined(separator: ", ") + "]"
    }
    return node.scalar ?? ""
  }
}

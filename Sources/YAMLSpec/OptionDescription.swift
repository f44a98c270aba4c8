/// One option of a component's section: its name, the values it accepts, its default and help.
public struct OptionDescription: Sendable {
  /// The values an option accepts.
  public indirect enum Kind: Sendable {
    /// A plain decimal integer, within the bounds (inclusive) when given.
    case integer(ClosedRange<Int>?)
    /// An integer or a float (YAML 1.2 core syntax, `.inf`, `.nan`), within the bounds given.
    case number(minimum: Double?, minimumInclusive: Bool, maximum: Double?, maximumInclusive: Bool)
    /// `true` or `false` (also YAML 1.1 `yes`/`no`/`on`/`off`, capitalised or upper case).
    case boolean
    /// Any scalar, plain or quoted, except null.
    case string
    /// A scalar that is one of the given names.
    case choice([String])
    /// A sequence whose items are of the given kind and, when `allowed` is given, among those
    /// names, e.g. `formats: [csv, json]`.
    case list(of: Kind, allowed: [String]?)
  }

  /// The key in the section.
  public var name: String
  /// What the option accepts.
  public var kind: Kind
  /// The value used when the key is missing; nil makes the option required. A null default
  /// (`SpecNode.Content.null`) makes the option nullable: an explicit null is then accepted.
  public var defaultValue: SpecNode.Content?
  /// One line for `--help`-style listings.
  public var help: String
  /// Whether the resolved spec leaves the option out while it holds its default: for options
  /// added after specs were first written, so that an older spec resolves to the same text,
  /// and so to the same sweep-trial identity, as before (`SpecNode.eliding(defaultsOf:)`).
  public var elidedAtDefault = false

  /// An option named `name` of `kind`, required when `defaultValue` is nil.
  public init(name: String, kind: Kind, defaultValue: SpecNode.Content?, help: String) {
    self.name = name
    self.kind = kind
    self.defaultValue = defaultValue
    self.help = help
  }

  /// The same option, left out of resolved specs while it holds its default.
  public func elidedAtDefault(_ elided: Bool = true) -> OptionDescription {
    var option = self
    option.elidedAtDefault = elided
    return option
  }

  /// Whether the key must be present.
  public var isRequired: Bool { defaultValue == nil }

  /// Whether an explicit null is accepted: the default is null.
  public var isNullable: Bool {
    guard let defaultValue else { return false }
    return SpecNode(defaultValue, location: .builtIn).isNull
  }

  /// What the option accepts, for messages and help: `"integer ≥ 1"`, `"number > 0"`,
  /// `"one of: tanh, sigmoid, relu"`, `"list of strings"`.
  public var typeDescription: String { kind.description }
}

// MARK: - Factories

extension OptionDescription {
  /// An integer option, e.g. `.integer("hidden", default: 64, range: 1...Int.max, help: "…")`.
  public static func integer(
    _ name: String, default value: Int?, range: ClosedRange<Int>? = nil, help: String
  ) -> OptionDescription {
    OptionDescription(
      name: name, kind: .integer(range), defaultValue: value.map { .integer($0) },
      help: help)
  }

  /// An integer option with a lower bound, e.g. `.integer("hidden", default: 64, range: 1...)`.
  public static func integer(
    _ name: String, default value: Int?, range: PartialRangeFrom<Int>, help: String
  ) -> OptionDescription {
    integer(name, default: value, range: range.lowerBound...Int.max, help: help)
  }

  /// A number option, e.g. `.number("learning_rate", default: 0.1, minimum: 0,
  /// minimumInclusive: false, help: "…")` for a number > 0.
  public static func number(
    _ name: String, default value: Double?, minimum: Double? = nil,
    minimumInclusive: Bool = true, maximum: Double? = nil, maximumInclusive: Bool = true,
    help: String
  ) -> OptionDescription {
    let kind = Kind.number(
      minimum: minimum, minimumInclusive: minimumInclusive, maximum: maximum,
      maximumInclusive: maximumInclusive)
    return OptionDescription(
      name: name, kind: kind, defaultValue: value.map { .number($0) },
      help: help)
  }

  /// A boolean option.
  public static func boolean(
    _ name: String, default value: Bool?, help: String
  )
    -> OptionDescription
  {
    OptionDescription(
      name: name, kind: .boolean, defaultValue: value.map { .boolean($0) },
      help: help)
  }

  /// A string option.
  public static func string(
    _ name: String, default value: String?, help: String
  )
    -> OptionDescription
  {
    OptionDescription(
      name: name, kind: .string, defaultValue: value.map { .string($0) },
      help: help)
  }

  /// An option whose value is one of `values`.
  public static func choice(
    _ name: String, _ values: [String], default value: String?, help: String
  ) -> OptionDescription {
    OptionDescription(
      name: name, kind: .choice(values), defaultValue: value.map { .string($0) },
      help: help)
  }

  /// A list of names from `allowed`, e.g. `.list("formats", allowed: ["csv", "json"],
  /// default: ["csv"], help: "…")`.
  public static func list(
    _ name: String, allowed: [String], default value: [String]?, help: String
  ) -> OptionDescription {
    OptionDescription(
      name: name, kind: .list(of: .string, allowed: allowed),
      defaultValue: value.map { .list($0.map { .string($0) }) }, help: help)
  }
}

// MARK: - Descriptions

extension OptionDescription.Kind: CustomStringConvertible {
  /// `"integer ≥ 1"`, `"number > 0 and ≤ 1"`, `"boolean"`, `"string"`, `"one of: a, b"`,
  /// `"list of integers ≥ 1"`, `"list of values from: csv, json"`.
  public var description: String {
    switch self {
    case .integer(let range): return "integer" + Self.bounds(of: range)
    case .number(let minimum, let minimumInclusive, let maximum, let maximumInclusive):
      return "number" + Self.bounds(minimum, minimumInclusive, maximum, maximumInclusive)
    case .boolean: return "boolean"
    case .string: return "string"
    case .choice(let values): return "one of: " + values.joined(separator: ", ")
    case .list(let kind, let allowed):
      if let allowed { return "list of values from: " + allowed.joined(separator: ", ") }
      return "list of " + kind.plural
    }
  }

  /// The description as the object of "expected": `"an integer ≥ 1"`, `"a list of strings"`.
  public var descriptionWithArticle: String {
    switch self {
    case .integer: return "an " + description
    case .choice: return description
    case .number, .boolean, .string, .list: return "a " + description
    }
  }

  private var plural: String {
    switch self {
    case .integer(let range): return "integers" + Self.bounds(of: range)
    case .number(let minimum, let minimumInclusive, let maximum, let maximumInclusive):
      return "numbers" + Self.bounds(minimum, minimumInclusive, maximum, maximumInclusive)
    case .boolean: return "booleans"
    case .string: return "strings"
    case .choice(let values): return "values from: " + values.joined(separator: ", ")
    case .list: return "lists (" + description + ")"
    }
  }

  private static func bounds(of range: ClosedRange<Int>?) -> String {
    guard let range else { return "" }
    switch (range.lowerBound == Int.min, range.upperBound == Int.max) {
    case (true, true): return ""
    case (false, true): return " ≥ \(range.lowerBound)"
    case (true, false): return " ≤ \(range.upperBound)"
    case (false, false): return " between \(range.lowerBound) and \(range.upperBound)"
    }
  }

  private static func bounds(
    _ minimum: Double?, _ minimumInclusive: Bool, _ maximum: Double?, _ maximumInclusive: Bool
  ) -> String {
    var parts: [String] = []
    if let minimum { parts.append((minimumInclusive ? "≥ " : "> ") + format(minimum)) }
    if let maximum { parts.append((maximumInclusive ? "≤ " : "< ") + format(maximum)) }
    return parts.isEmpty ? "" : " " + parts.joined(separator: " and ")
  }

  /// Whole numbers without a fraction (`0`, not `0.0`).
  private static func format(_ value: Double) -> String {
    if value.isFinite, value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
    return ScalarSyntax.text(of: value)
  }
}

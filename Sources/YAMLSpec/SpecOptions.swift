/// A section's options, declared once as the stored properties of a struct:
///
///     struct StepOptions: SpecOptions {
///       @SpecOption(default: 10, range: 1..., help: "epochs between reductions")
///       var stepSize: Int
///       @SpecOption(default: 0.1, minimum: 0, minimumInclusive: false, help: "factor γ")
///       var gamma: Double
///     }
///
/// Each `@SpecOption` is the whole declaration: the key (the property's name in snake case,
/// `step_size`), what it accepts (from the property's type and the bounds given), its default
/// and its help. `optionDescriptions` lists them, in declaration order, for the validator and
/// `runner list`; `SpecDecoder` reads a resolved section back into the struct, so the code that
/// builds a component reads `options.stepSize` and finds a value the validator has checked.
/// `$stepSize` is where the value came from, to locate an error at it.
///
/// A group's properties are `@SpecOption`s and `@Include`s (another group's options, in place). A
/// default that differs between components sharing a group is set on a template:
/// `_stepSize = _stepSize.defaulting(to: 5)` in an initializer of the group (integers and
/// numbers).
public protocol SpecOptions: Decodable, Sendable {
  /// The group with its declared defaults.
  init()
}

extension SpecOptions {
  /// The declared options, in declaration order, those of included groups in their place.
  public var optionDescriptions: [OptionDescription] {
    Mirror(reflecting: self).children.flatMap { child -> [OptionDescription] in
      switch child.value {
      case let option as any DeclaredOption:
        [option.description(named: optionKey(forProperty: child.label ?? ""))]
      case let included as any IncludedOptions: included.optionDescriptions
      default: []
      }
    }
  }
}

extension SpecOptions {
  /// Where the option at spec key `key` came from, in a group read from a section: for an error
  /// that a lower layer reports by the option's key. Nil for a key the group does not declare.
  public func source(of key: String) -> OptionSource? {
    for child in Mirror(reflecting: self).children {
      switch child.value {
      case let option as any DeclaredOption:
        if optionKey(forProperty: child.label ?? "") == key { return option.source }
      case let included as any IncludedOptions:
        if let source = included.source(of: key) { return source }
      default: continue
      }
    }
    return nil
  }
}

/// The spec key of the option stored as `label` (`_batchSize` → `batch_size`): the property's
/// name without the wrapper's underscore, each capital letter written as `_` and its lower case.
func optionKey(forProperty label: String) -> String {
  var key = ""
  for character in label.drop(while: { $0 == "_" }) {
    if character.isUppercase {
      key += "_" + character.lowercased()
    } else {
      key.append(character)
    }
  }
  return key
}

/// Where an option's value came from: its node in the resolved spec and its key path, for
/// errors located at the value (`$batchSize.error(…)`) and for lookups that report at it.
public struct OptionSource: Sendable, Decodable {
  /// The value's node.
  public let node: SpecNode
  /// Its dotted key path, `training.batch_size`.
  public let keyPath: String

  init(node: SpecNode, keyPath: String) {
    self.node = node
    self.keyPath = keyPath
  }

  /// The option's key, the last part of its key path (`batch_size`).
  public var key: String {
    keyPath.split(separator: ".").last.map(String.init) ?? keyPath
  }

  /// Only `SpecDecoder` knows where a value came from; another decoder cannot make one.
  public init(from decoder: any Decoder) throws {
    throw DecodingError.typeMismatch(
      OptionSource.self,
      DecodingError.Context(
        codingPath: decoder.codingPath,
        debugDescription: "an option's source is read by SpecDecoder only"))
  }

  /// An error at the value: `message`, and what was expected when given.
  public func error(_ message: String, expected: String? = nil) -> SpecError {
    SpecError(message, at: node.location, keyPath: keyPath, expected: expected)
  }
}

/// A `@SpecOption` of a group's template, which describes itself once its key is known.
protocol DeclaredOption {
  func description(named name: String) -> OptionDescription
  /// Where a read option's value came from; nil in a template.
  var source: OptionSource? { get }
}

/// An `@Include`, whose group's options take its place.
protocol IncludedOptions {
  var optionDescriptions: [OptionDescription] { get }
  func source(of key: String) -> OptionSource?
}

/// One option of an `SpecOptions`: declared with what it accepts, its default and its help;
/// read back holding its checked value and where that value came from.
@propertyWrapper
public struct SpecOption<Value: Decodable & Sendable>: Sendable, Decodable, DeclaredOption {
  private enum State: Sendable {
    /// A template's declaration (the key is the property's name).
    case declared(OptionDescription.Kind, default: SpecNode.Content?, help: String, elided: Bool)
    /// A value read from a resolved section.
    case read(Value, OptionSource)
  }
  private let state: State

  /// The value read from the spec. A group's template holds declarations, not values.
  public var wrappedValue: Value {
    guard case .read(let value, _) = state else {
      preconditionFailure("an option's value is read from a resolved section, not a template")
    }
    return value
  }

  /// Where the value came from.
  public var projectedValue: OptionSource {
    guard case .read(_, let source) = state else {
      preconditionFailure("an option's source is known once it is read from a section")
    }
    return source
  }

  /// An option that accepts `kind`, required when `defaultValue` is nil; left out of resolved
  /// specs while at its default when `elidedAtDefault` (`OptionDescription.elidedAtDefault`).
  public init(
    kind: OptionDescription.Kind, default defaultValue: SpecNode.Content?, help: String,
    elidedAtDefault: Bool = false
  ) {
    state = .declared(kind, default: defaultValue, help: help, elided: elidedAtDefault)
  }

  /// The value at the decoder's node, with its location.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    state = .read(try container.decode(Value.self), try container.decode(OptionSource.self))
  }

  /// The same declaration with the default `value`, and `help` when given.
  fileprivate func defaulting(
    toContent value: SpecNode.Content, help newHelp: String?
  ) -> SpecOption {
    guard case .declared(let kind, _, let help, let elided) = state else { return self }
    return SpecOption(kind: kind, default: value, help: newHelp ?? help, elidedAtDefault: elided)
  }

  var source: OptionSource? {
    guard case .read(_, let source) = state else { return nil }
    return source
  }

  func description(named name: String) -> OptionDescription {
    guard case .declared(let kind, let defaultValue, let help, let elided) = state else {
      preconditionFailure("options are described from a group's template")
    }
    return OptionDescription(name: name, kind: kind, defaultValue: defaultValue, help: help)
      .elidedAtDefault(elided)
  }
}

/// Another group's options, in place among this group's (`@Include var files: DataFiles`).
@propertyWrapper
public struct Include<Group: SpecOptions>: Sendable, Decodable, IncludedOptions {
  public var wrappedValue: Group

  /// The included group's template, `Group()` unless another is given.
  public init(_ template: Group = Group()) {
    wrappedValue = template
  }

  /// The included options, read from the same section as the rest.
  public init(from decoder: any Decoder) throws {
    wrappedValue = try decoder.singleValueContainer().decode(Group.self)
  }

  var optionDescriptions: [OptionDescription] { wrappedValue.optionDescriptions }

  func source(of key: String) -> OptionSource? { wrappedValue.source(of: key) }
}

// MARK: - Declarations by value type

extension SpecOption where Value: FixedWidthInteger {
  /// An integer within `range` (inclusive); required without a default.
  public init(
    default value: Value? = nil, range: ClosedRange<Int>? = nil, help: String,
    elidedAtDefault: Bool = false
  ) {
    self.init(
      kind: .integer(range), default: value.map { .integer(Int($0)) }, help: help,
      elidedAtDefault: elidedAtDefault)
  }

  /// An integer of at least `range`'s bound, e.g. `range: 1...`.
  public init(
    default value: Value? = nil, range: PartialRangeFrom<Int>, help: String,
    elidedAtDefault: Bool = false
  ) {
    self.init(
      default: value, range: range.lowerBound...Int.max, help: help,
      elidedAtDefault: elidedAtDefault)
  }

  /// The same declaration with the default `value` (and `help`, when given): for a group's
  /// template whose component differs from the group's other users.
  public func defaulting(to value: Value, help: String? = nil) -> SpecOption {
    defaulting(toContent: .integer(Int(value)), help: help)
  }
}

extension SpecOption where Value == Int? {
  /// An integer within `range`, or null (the default).
  public init(range: ClosedRange<Int>, help: String, elidedAtDefault: Bool = false) {
    self.init(kind: .integer(range), default: .null, help: help, elidedAtDefault: elidedAtDefault)
  }

  /// An integer of at least `range`'s bound, or null (the default).
  public init(range: PartialRangeFrom<Int>, help: String, elidedAtDefault: Bool = false) {
    self.init(range: range.lowerBound...Int.max, help: help, elidedAtDefault: elidedAtDefault)
  }
}

extension SpecOption {
  /// A list of integers of at least `range`'s bound, or null (the default).
  public init<Integer>(range: PartialRangeFrom<Int>, help: String)
  where Value == [Integer]?, Integer: FixedWidthInteger & Decodable & Sendable {
    self.init(
      kind: .list(of: .integer(range.lowerBound...Int.max), allowed: nil), default: .null,
      help: help)
  }
}

extension SpecOption where Value == Double {
  /// A number within the bounds given; required without a default.
  public init(
    default value: Double? = nil, minimum: Double? = nil, minimumInclusive: Bool = true,
    maximum: Double? = nil, maximumInclusive: Bool = true, help: String,
    elidedAtDefault: Bool = false
  ) {
    self.init(
      kind: .number(
        minimum: minimum, minimumInclusive: minimumInclusive, maximum: maximum,
        maximumInclusive: maximumInclusive),
      default: value.map { .number($0) }, help: help, elidedAtDefault: elidedAtDefault)
  }

  /// The same declaration with the default `value` (and `help`, when given).
  public func defaulting(to value: Double, help: String? = nil) -> SpecOption {
    defaulting(toContent: .number(value), help: help)
  }
}

extension SpecOption where Value == Double? {
  /// A number within the bounds given, or null (the default).
  public init(
    minimum: Double? = nil, minimumInclusive: Bool = true, maximum: Double? = nil,
    maximumInclusive: Bool = true, help: String
  ) {
    self.init(
      kind: .number(
        minimum: minimum, minimumInclusive: minimumInclusive, maximum: maximum,
        maximumInclusive: maximumInclusive),
      default: .null, help: help)
  }
}

extension SpecOption where Value == Bool {
  /// `true` or `false`; required without a default.
  public init(default value: Bool? = nil, help: String) {
    self.init(kind: .boolean, default: value.map { .boolean($0) }, help: help)
  }
}

extension SpecOption where Value == String {
  /// Any scalar but null; required without a default.
  public init(default value: String? = nil, help: String, elidedAtDefault: Bool = false) {
    self.init(
      kind: .string, default: value.map { .string($0) }, help: help,
      elidedAtDefault: elidedAtDefault)
  }
}

extension SpecOption where Value == String? {
  /// Any scalar, or null (the default).
  public init(help: String) {
    self.init(kind: .string, default: .null, help: help)
  }
}

extension SpecOption where Value == [String] {
  /// A list of strings; required without a default.
  public init(default value: [String]? = nil, help: String) {
    self.init(
      kind: .list(of: .string, allowed: nil), default: value.map { .list($0.map { .string($0) }) },
      help: help)
  }
}

extension SpecOption where Value: CaseIterable & RawRepresentable, Value.RawValue == String {
  /// One of the enum's raw values; required without a default.
  public init(default value: Value? = nil, help: String) {
    self.init(
      kind: .choice(Value.allCases.map(\.rawValue)), default: value.map { .string($0.rawValue) },
      help: help)
  }
}

extension SpecOption {
  /// One of the enum's raw values, or null (the default).
  public init<Choice>(help: String)
  where
    Value == Choice?, Choice: CaseIterable & RawRepresentable & Decodable & Sendable,
    Choice.RawValue == String
  {
    self.init(kind: .choice(Choice.allCases.map(\.rawValue)), default: .null, help: help)
  }

  /// A list of the enum's raw values.
  public init<Choice>(default value: [Choice], help: String)
  where
    Value == [Choice], Choice: CaseIterable & RawRepresentable & Decodable & Sendable,
    Choice.RawValue == String
  {
    self.init(
      kind: .list(of: .string, allowed: Choice.allCases.map(\.rawValue)),
      default: .list(value.map { .string($0.rawValue) }), help: help)
  }
}

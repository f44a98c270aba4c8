/// An error about a spec, carrying its context. `description` renders:
///
///     experiments/bad.yaml:7:14: error: unknown optimizer 'adamw' at optimizer.type
///       type: adamw
///             ^
///     expected one of: adam, adagrad, rmsprop, sgd (did you mean 'adam'?)
///
/// The location prefix is left out when there is no location, " at keyPath" when there is no key
/// path, and the quoted line and caret when the location's source has no such line.
public struct SpecError: Error, Sendable, CustomStringConvertible, Equatable {
  /// Where the offending text starts.
  public var location: SourceLocation?
  /// The dotted key path of the offending value, e.g. `"optimizer.type"` or `"layers.0.size"`.
  public var keyPath: String?
  /// What is wrong, e.g. `"unknown optimizer 'adamw'"`.
  public var message: String
  /// What would have been accepted, e.g. `"one of: adam, adagrad, rmsprop, sgd"`.
  public var expected: String?
  /// The closest valid name, e.g. `"adam"`.
  public var suggestion: String?
  /// Further errors of the same spec, independent of this one, reported with it: `description`
  /// renders them all in file order (at most `reportLimit` in all). This error's own fields
  /// describe the one found first.
  public var others: [SpecError] = []

  /// The most errors one report renders.
  public static let reportLimit = 20

  /// An error with `message` and as much context as is known.
  public init(
    _ message: String, at location: SourceLocation? = nil, keyPath: String? = nil,
    expected: String? = nil, suggestion: String? = nil
  ) {
    self.message = message
    self.location = location
    self.keyPath = keyPath
    self.expected = expected
    self.suggestion = suggestion
  }

  /// The error as a compiler-style diagnostic (see the type's documentation); with `others`,
  /// every error's diagnostic in file order, then their count.
  public var description: String {
    guard !others.isEmpty else { return diagnostic }
    var alone = self
    alone.others = []
    let all = ([alone] + others).sorted { $0.precedes($1) }.prefix(Self.reportLimit)
    return all.map(\.diagnostic).joined(separator: "\n")
      + "\n\(all.count) errors" + (others.count + 1 > all.count ? " (more not shown)" : "")
  }

  /// This error joined by `more`, those equal to one already present left out.
  public func adding(_ more: [SpecError]) -> SpecError {
    var joined = self
    for error in more.flatMap({ [$0.withoutOthers] + $0.others }) {
      let known = [joined.withoutOthers] + joined.others
      if !known.contains(where: { $0.location == error.location && $0.message == error.message }) {
        joined.others.append(error)
      }
    }
    return joined
  }

  private var withoutOthers: SpecError {
    var alone = self
    alone.others = []
    return alone
  }

  /// File order: by source, line and column; errors without a location last.
  func precedes(_ other: SpecError) -> Bool {
    switch (location, other.location) {
    case (let a?, let b?):
      if a.source.name != b.source.name { return a.source.name < b.source.name }
      return (a.line, a.column) < (b.line, b.column)
    case (.some, nil): return true
    default: return false
    }
  }

  /// One error as a compiler-style diagnostic.
  private var diagnostic: String {
    var head = "error: \(message)"
    if let location { head = "\(location): " + head }
    if let keyPath, !keyPath.isEmpty { head += " at \(keyPath)" }
    var lines = [head]
    if let location, let text = location.source.line(location.line) {
      lines.append("  " + text)
      lines.append("  " + Self.caretPadding(in: text, column: location.column) + "^")
    }
    let suggestionText = suggestion.map { "(did you mean '\($0)'?)" }
    switch (expected, suggestionText) {
    case (let expected?, let suggestion?): lines.append("expected \(expected) \(suggestion)")
    case (let expected?, nil): lines.append("expected \(expected)")
    case (nil, let suggestion?): lines.append(suggestion)
    case (nil, nil): break
    }
    return lines.joined(separator: "\n")
  }

  /// Blanks that put a caret under `column` of `text`; a tab is copied so the caret lines up
  /// whatever the terminal's tab width.
  private static func caretPadding(in text: String, column: Int) -> String {
    var padding = ""
    for (offset, scalar) in text.unicodeScalars.enumerated() where offset < column - 1 {
      padding.append(scalar == "\t" ? "\t" : " ")
    }
    let missing = column - 1 - padding.unicodeScalars.count
    return missing > 0 ? padding + String(repeating: " ", count: missing) : padding
  }
}

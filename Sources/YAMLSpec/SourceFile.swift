/// The text of one source (a spec file, or one command-line override), kept so an error can
/// quote the offending line.
public final class SourceFile: Sendable {
  /// The path as the user gave it, or a name such as `"<override 2>"` for a command-line source.
  public let name: String
  /// The lines of the text without their terminators (`\n`, `\r\n`, `\r` and the Unicode line
  /// breaks libyaml counts: U+0085, U+2028, U+2029).
  public let lines: [String]

  /// Keeps `text` split into lines under `name`.
  public init(name: String, text: String) {
    self.name = name
    var lines: [String] = []
    var current = ""
    var previousWasCarriageReturn = false
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\n" where previousWasCarriageReturn:
        break
      case "\n", "\r", "\u{85}", "\u{2028}", "\u{2029}":
        lines.append(current)
        current = ""
      default:
        current.unicodeScalars.append(scalar)
      }
      previousWasCarriageReturn = scalar == "\r"
    }
    lines.append(current)
    self.lines = lines
  }

  /// The text of the 1-based line `number`, or nil when the source has no such line.
  public func line(_ number: Int) -> String? {
    lines.indices.contains(number - 1) ? lines[number - 1] : nil
  }
}

import Foundation

/// Lines for standard output, written unbuffered so that epoch lines show as they happen and in
/// order with everything else, whether the output is a terminal, a pipe or a file.
enum Console {
  static func line(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
  }

  static func error(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
  }
}

/// Number formats for the terminal.
enum Format {
  /// `value` with `digits` decimals.
  static func fixed(_ value: Double, _ digits: Int) -> String {
    String(format: "%.\(digits)f", value)
  }

  /// A share as a percentage with two decimals: 0.9123 → "91.23%".
  static func percent(_ value: Double) -> String {
    String(format: "%.2f%%", value * 100)
  }

  /// A metric's value: a share as a percentage, anything else with four significant digits.
  static func metric(_ value: Double, proportion: Bool) -> String {
    proportion ? percent(value) : String(format: "%.4g", value)
  }

  /// A rate with a k or M suffix: 123456 → "123.5k".
  static func rate(_ value: Double) -> String {
    switch value {
    case 1_000_000...: String(format: "%.2fM", value / 1_000_000)
    case 1_000...: String(format: "%.1fk", value / 1_000)
    default: String(format: "%.0f", value)
    }
  }

  /// Pads `text` on the right to `width` characters.
  static func left(_ text: String, _ width: Int) -> String {
    text + String(repeating: " ", count: max(0, width - text.count))
  }

  /// Pads `text` on the left to `width` characters.
  static func right(_ text: String, _ width: Int) -> String {
    String(repeating: " ", count: max(0, width - text.count)) + text
  }
}

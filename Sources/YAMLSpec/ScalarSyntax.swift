/// How YAML reads plain scalars, and when a string can be written without quotes.
enum ScalarSyntax {
  /// The type a plain scalar's text resolves to.
  enum PlainType: Equatable {
    case null, boolean, integer, number, string
  }

  /// The type of `text` as a plain scalar: YAML 1.2 core null, integers in decimal, YAML 1.2
  /// core floats (with `.inf` and `.nan`), and booleans including YAML 1.1 `yes`/`no`/`on`/`off`.
  static func plainType(of text: String) -> PlainType {
    if isNull(text) { return .null }
    if boolean(text) != nil { return .boolean }
    if isDecimalInteger(text) { return .integer }
    if number(text) != nil { return .number }
    return .string
  }

  static func isNull(_ text: String) -> Bool {
    ["", "~", "null", "Null", "NULL"].contains(text)
  }

  /// True or false for `true`, `yes`, `on` and `false`, `no`, `off` in lower case, capitalised or
  /// upper case; nil for anything else.
  static func boolean(_ text: String) -> Bool? {
    let spellings = [text.lowercased(), text.capitalized(), text.uppercased()]
    guard spellings.contains(text) else { return nil }
    switch text.lowercased() {
    case "true", "yes", "on": return true
    case "false", "no", "off": return false
    default: return nil
    }
  }

  /// Whether `text` is an optional sign followed by decimal digits.
  static func isDecimalInteger(_ text: String) -> Bool {
    var digits = Substring(text)
    if let first = digits.first, first == "+" || first == "-" { digits = digits.dropFirst() }
    return !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
  }

  /// The value of a decimal integer, or nil when `text` is not one or does not fit in `Int`.
  static func integer(_ text: String) -> Int? {
    guard isDecimalInteger(text) else { return nil }
    return Int(text.hasPrefix("+") ? String(text.dropFirst()) : text)
  }

  /// The value of a YAML 1.2 core number (an integer or a float, `.inf`, `-.inf`, `.nan`), or
  /// nil when `text` is not one.
  static func number(_ text: String) -> Double? {
    switch text {
    case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
    case "-.inf", "-.Inf", "-.INF": return -.infinity
    case ".nan", ".NaN", ".NAN": return .nan
    default: break
    }
    guard isCoreFloat(text) else { return nil }
    return Double(text)
  }

  /// `[-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?`
  private static func isCoreFloat(_ text: String) -> Bool {
    var rest = Substring(text)
    func digits() -> Int {
      let run = rest.prefix { $0.isASCII && $0.isNumber }
      rest = rest.dropFirst(run.count)
      return run.count
    }
    if let sign = rest.first, sign == "+" || sign == "-" { rest = rest.dropFirst() }
    let integerDigits = digits()
    var fractionDigits = 0
    if rest.first == "." {
      rest = rest.dropFirst()
      fractionDigits = digits()
    }
    guard integerDigits > 0 || fractionDigits > 0 else { return false }
    if let e = rest.first, e == "e" || e == "E" {
      rest = rest.dropFirst()
      if let sign = rest.first, sign == "+" || sign == "-" { rest = rest.dropFirst() }
      guard digits() > 0 else { return false }
    }
    return rest.isEmpty
  }

  /// `value` in YAML float syntax, shortest round-tripping digits.
  static func text(of value: Double) -> String {
    if value.isNaN { return ".nan" }
    if value.isInfinite { return value < 0 ? "-.inf" : ".inf" }
    return String(value)
  }

  /// Whether `text` can be written as a plain scalar that libyaml reads back as exactly `text`
  /// (its type aside). Conservative: anything doubtful is quoted.
  static func canWritePlain(_ text: String, inFlow: Bool) -> Bool {
    let scalars = Array(text.unicodeScalars)
    guard let first = scalars.first, let last = scalars.last else { return false }
    let flowIndicators: Set<Unicode.Scalar> = [",", "[", "]", "{", "}"]
    let neverFirst: Set<Unicode.Scalar> = [
      ",", "[", "]", "{", "}", "#", "&", "*", "!", "|", ">", "'", "\"", "%", "@", "`",
    ]
    if neverFirst.contains(first) || first == " " || last == " " || last == ":" { return false }
    if ["-", "?", ":"].contains(first) {
      guard scalars.count > 1, scalars[1] != " ", !flowIndicators.contains(scalars[1]) else {
        return false
      }
    }
    if text.hasPrefix("---") || text.hasPrefix("...") { return false }
    for (index, scalar) in scalars.enumerated() {
      if isUnsafe(scalar) || (inFlow && (flowIndicators.contains(scalar) || scalar == ":")) {
        return false
      }
      let next = index + 1 < scalars.count ? scalars[index + 1] : nil
      if scalar == ":" && next == " " { return false }
      if scalar == " " && next == "#" { return false }
    }
    return true
  }

  /// Control characters (tabs included), line breaks, byte order marks and the characters
  /// libyaml refuses to read: written only as escapes inside double quotes.
  private static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0..<0x20, 0x7F...0x9F, 0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF: return true
    default: return false
    }
  }

  /// `text` as a double-quoted YAML scalar.
  static func doubleQuoted(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": result += "\\\""
      case "\\": result += "\\\\"
      case "\n": result += "\\n"
      case "\t": result += "\\t"
      case "\r": result += "\\r"
      case "\0": result += "\\0"
      case "\u{85}": result += "\\N"
      case "\u{2028}": result += "\\L"
      case "\u{2029}": result += "\\P"
      case _ where isUnsafe(scalar):
        let hex = String(scalar.value, radix: 16, uppercase: true)
        result += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
      default: result.unicodeScalars.append(scalar)
      }
    }
    return result + "\""
  }
}

extension String {
  /// The first character upper-cased and the rest lower-cased.
  fileprivate func capitalized() -> String {
    prefix(1).uppercased() + dropFirst().lowercased()
  }
}

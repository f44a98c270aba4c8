extension SpecNode {
  /// Block-style YAML text (two-space indent, key order kept) that parses back to an equal tree
  /// (modulo locations).
  ///
  /// Quoted scalars stay quoted (double quotes, with escapes), so strings that would read as
  /// another type (`"yes"`, `"1.0"`, `"null"`, `""`) keep their quotes; plain scalars stay plain
  /// unless their text cannot be written plain (`a: b`, `# x`, leading spaces …, possible only in
  /// trees built in code), when they are quoted. Sequences of scalars that fit are written in flow
  /// style, `[csv, json]`.
  public func yamlText() -> String {
    var lines: [String] = []
    if let inline = inlineText() {
      lines.append(inline)
    } else {
      appendBlock(to: &lines, indent: 0)
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// The widest flow sequence written on one line.
  private static let flowWidth = 80

  /// The node on one line, or nil when it needs a block of its own.
  private func inlineText() -> String? {
    switch content {
    case .scalar(let text, let style):
      return Self.scalarText(text, style: style, inFlow: false)
    case .mapping(let entries):
      return entries.isEmpty ? "{}" : nil
    case .sequence(let items):
      if items.isEmpty { return "[]" }
      var texts: [String] = []
      for item in items {
        guard case .scalar(let text, let style) = item.content, !(style == .plain && text.isEmpty),
          style == .quoted || ScalarSyntax.canWritePlain(text, inFlow: true)
        else { return nil }
        texts.append(Self.scalarText(text, style: style, inFlow: true))
      }
      let flow = "[" + texts.joined(separator: ", ") + "]"
      return flow.count <= Self.flowWidth ? flow : nil
    }
  }

  /// A mapping's or a sequence's lines at `indent`.
  private func appendBlock(to lines: inout [String], indent: Int) {
    let padding = String(repeating: " ", count: indent)
    switch content {
    case .scalar:
      lines.append(padding + (inlineText() ?? ""))
    case .mapping(let entries):
      for entry in entries {
        let key = padding + Self.keyText(entry.key) + ":"
        if let inline = entry.value.inlineText() {
          lines.append(inline.isEmpty ? key : key + " " + inline)
        } else {
          lines.append(key)
          entry.value.appendBlock(to: &lines, indent: indent + 2)
        }
      }
    case .sequence(let items):
      for item in items {
        if let inline = item.inlineText() {
          lines.append(inline.isEmpty ? padding + "-" : padding + "- " + inline)
        } else if case .mapping = item.content {
          // The mapping's first key goes on the dash's line: "- a: 1" then "  b: 2".
          var itemLines: [String] = []
          item.appendBlock(to: &itemLines, indent: indent + 2)
          itemLines[0] = padding + "- " + itemLines[0].dropFirst(indent + 2)
          lines.append(contentsOf: itemLines)
        } else {
          lines.append(padding + "-")
          item.appendBlock(to: &lines, indent: indent + 2)
        }
      }
    }
  }

  private static func scalarText(_ text: String, style: ScalarStyle, inFlow: Bool) -> String {
    switch style {
    case .plain where text.isEmpty: return ""
    case .plain where ScalarSyntax.canWritePlain(text, inFlow: inFlow): return text
    case .plain, .quoted: return ScalarSyntax.doubleQuoted(text)
    }
  }

  /// Keys are strings whatever they look like; only a key that would not read back as the same
  /// text, or would read as a merge key, is quoted.
  private static func keyText(_ key: String) -> String {
    key != "<<" && ScalarSyntax.canWritePlain(key, inFlow: false)
      ? key : ScalarSyntax.doubleQuoted(key)
  }
}

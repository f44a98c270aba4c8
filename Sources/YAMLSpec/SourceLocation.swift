/// A 1-based line and column in a `SourceFile`. Columns count Unicode scalars, as libyaml does.
public struct SourceLocation: Sendable, Equatable, CustomStringConvertible {
  /// The source the position refers to; two locations compare their sources by name.
  public let source: SourceFile
  /// The 1-based line.
  public let line: Int
  /// The 1-based column.
  public let column: Int

  /// A position in `source`.
  public init(source: SourceFile, line: Int, column: Int) {
    self.source = source
    self.line = line
    self.column = column
  }

  /// `"path:line:column"`.
  public var description: String { "\(source.name):\(line):\(column)" }

  public static func == (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
    lhs.source.name == rhs.source.name && lhs.line == rhs.line && lhs.column == rhs.column
  }

  /// The location given to nodes built in code (option defaults, for example) before they are
  /// placed in a tree.
  public static let builtIn = SourceLocation(
    source: SourceFile(name: "<built-in>", text: ""), line: 1, column: 1)
}

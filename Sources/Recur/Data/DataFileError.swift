/// A data file that cannot be read or does not hold what its format promises.
public struct DataFileError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The dataset option that named the file (`train`, `dev`, `test`) or that is at fault (e.g.
  /// `label_column`); filled in by the dataset that read the file when the reader leaves it out.
  public var option: String?
  /// The path as the spec gives it.
  public var file: String
  /// 1-based line, when the problem is on one line.
  public var line: Int?
  public var message: String
  /// What would have been accepted.
  public var expected: String?

  public init(
    option: String? = nil, file: String, line: Int? = nil, _ message: String,
    expected: String? = nil
  ) {
    self.option = option
    self.file = file
    self.line = line
    self.message = message
    self.expected = expected
  }

  /// `file:line: message`, or `file: message` when no line is at fault.
  public var description: String {
    "\(file)\(line.map { ":\($0)" } ?? ""): \(message)"
  }
}

/// Multi-hot sparse rows (CSR) with weight 1: row r's active feature indices are
/// `indices[offsets[r] ..< offsets[r+1]]`. A one-hot word input is one index per row.
public struct SparseRows: Sendable, Equatable {
  /// Row starts into `indices`; count `rows + 1`, `offsets[0] == 0`, non-decreasing.
  public var offsets: [Int]
  /// Active feature indices of all rows, concatenated.
  public var indices: [Int32]

  /// Precondition: `offsets` is non-empty, starts at 0, is non-decreasing and ends at
  /// `indices.count`.
  public init(offsets: [Int], indices: [Int32]) {
    precondition(offsets.first == 0, "offsets must start at 0")
    precondition(offsets.last == indices.count, "offsets must end at indices.count")
    precondition(
      zip(offsets, offsets.dropFirst()).allSatisfy { $0 <= $1 },
      "offsets must be non-decreasing")
    self.offsets = offsets
    self.indices = indices
  }

  /// Number of rows.
  public var rows: Int { offsets.count - 1 }
}

/// The differences between two runs' metrics, for `runner reproduce`.
public enum MetricsComparison {
  /// Wall-clock columns: they differ from run to run and are not compared.
  public static let wallClockColumns: Set<String> = ["seconds", "tokens_per_second"]

  /// Every difference between `stored` and `new`, one line each: columns present in only one,
  /// rows present in only one, and every value that differs (`epoch 2 dev loss: 0.41 → 0.42`).
  /// Values are compared as the text the files hold, which reads back to the same Double.
  public static func differences(stored: MetricsTable, new: MetricsTable) -> [String] {
    var lines: [String] = []
    let compared = stored.columns.filter { !wallClockColumns.contains($0) }
    for column in compared where !new.columns.contains(column) {
      lines.append("column \(column) is missing from the new run")
    }
    for column in new.columns where !stored.columns.contains(column) {
      if !wallClockColumns.contains(column) { lines.append("column \(column) is new") }
    }
    let shared = compared.filter { new.columns.contains($0) && $0 != "epoch" && $0 != "split" }
    func key(_ row: [String]) -> String { "epoch \(row[0]) \(row[1])" }
    let newRows = Dictionary(
      new.rows.map { (key($0), $0) }, uniquingKeysWith: { first, _ in first })
    let storedKeys = Set(stored.rows.map(key))
    for row in stored.rows {
      guard let other = newRows[key(row)] else {
        lines.append("\(key(row)): missing from the new run")
        continue
      }
      for column in shared {
        let old = row[stored.columns.firstIndex(of: column)!]
        let value = other[new.columns.firstIndex(of: column)!]
        if old != value { lines.append("\(key(row)) \(column): \(old) → \(value)") }
      }
    }
    for row in new.rows where !storedKeys.contains(key(row)) {
      lines.append("\(key(row)): only in the new run")
    }
    return lines
  }
}

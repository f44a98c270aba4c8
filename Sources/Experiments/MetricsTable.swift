import Foundation
import Recur

/// The per-epoch rows of a finished (or running) run, read back from `metrics.csv`, or from the
/// `rows` of `metrics.json` when the run wrote no CSV.
public struct MetricsTable: Sendable, Equatable {
  /// Column names in file order: `epoch, split, loss, …`.
  public var columns: [String]
  /// One value per column; an empty string where a metric had nothing scored.
  public var rows: [[String]]

  public init(columns: [String], rows: [[String]]) {
    self.columns = columns
    self.rows = rows
  }

  /// Reads the metrics of the run in `directory`; nil when it has no metrics file yet.
  public static func load(from directory: URL) throws(RunFileError) -> MetricsTable? {
    let csv = directory.appendingPathComponent("metrics.csv")
    if let data = FileManager.default.contents(atPath: csv.path) {
      return try parse(csv: [UInt8](data), path: csv.path)
    }
    let json = directory.appendingPathComponent("metrics.json")
    guard let data = FileManager.default.contents(atPath: json.path) else { return nil }
    return try parse(json: data, path: json.path)
  }

  static func parse(csv bytes: [UInt8], path: String) throws(RunFileError) -> MetricsTable {
    let records: [CSV.Record]
    do {
      records = try CSV.records(in: TextFile(path: path, bytes: bytes))
    } catch {
      throw RunFileError(error)
    }
    guard let header = records.first?.fields, header.starts(with: ["epoch", "split"]) else {
      throw RunFileError(path: path, reason: "not a metrics file (no epoch,split header)")
    }
    for record in records where record.fields.count != header.count {
      throw RunFileError(
        path: path,
        reason: "line \(record.line) has \(record.fields.count) fields, expected \(header.count)")
    }
    return MetricsTable(columns: header, rows: records.dropFirst().map(\.fields))
  }

  static func parse(json data: Data, path: String) throws(RunFileError) -> MetricsTable {
    guard let document = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let columns = document["columns"] as? [String],
      let rows = document["rows"] as? [[String: Any]]
    else {
      throw RunFileError(path: path, reason: "not a metrics file (no columns and rows)")
    }
    let values = rows.map { row in
      columns.map { column -> String in
        switch row[column] {
        case let text as String: return text
        case let number as NSNumber: return number.stringValue
        default: return ""
        }
      }
    }
    return MetricsTable(columns: columns, rows: values)
  }

  /// The values of `column` on the rows of `split`, with their epochs, in file order; rows where
  /// the value is empty are left out.
  public func series(_ column: String, split: String) -> [(epoch: Int, value: Double)] {
    guard let valueIndex = columns.firstIndex(of: column) else { return [] }
    return rows.compactMap { row in
      guard row[1] == split, let epoch = Int(row[0]), let value = Double(row[valueIndex]) else {
        return nil
      }
      return (epoch, value)
    }
  }

  /// The last epoch written.
  public var lastEpoch: Int? { rows.compactMap { Int($0[0]) }.max() }
}

extension RunFileError {
  /// A run's own file that does not read as what Recur wrote: the reader's line and message.
  init(_ error: DataFileError) {
    self.init(path: error.file, reason: (error.line.map { "line \($0): " } ?? "") + error.message)
  }
}

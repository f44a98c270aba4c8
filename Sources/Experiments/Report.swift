import Foundation
import Recur

/// `report.md` and SVG plots for a run directory or a sweep directory.
public enum Report {
  /// Writes the report of the run or sweep in `folder`; returns the files written, relative to
  /// `folder`. A sweep's trials get their own run reports.
  public static func write(for folder: URL) throws -> [String] {
    let directory = RunDirectory(url: folder, id: folder.lastPathComponent)
    if FileManager.default.fileExists(atPath: folder.appendingPathComponent("sweep.json").path) {
      return try sweep(directory)
    }
    guard let table = try MetricsTable.load(from: folder) else {
      throw RunFileError(
        path: folder.path, reason: "neither a run (metrics.csv) nor a sweep (sweep.json)")
    }
    return try run(directory, table: table)
  }

  /// Learning curves: one plot per metric column (loss first), a series per split.
  public static func learningCurves(_ table: MetricsTable) -> [(name: String, plot: SVGPlot)] {
    let skipped: Set<String> = ["epoch", "split", "learning_rate", "seconds", "tokens_per_second"]
    let splits = table.rows.map { $0[1] }.reduce(into: [String]()) {
      if !$0.contains($1) { $0.append($1) }
    }
    return table.columns.filter { !skipped.contains($0) }.map { column in
      let series = splits.map { split in
        SVGPlot.Series(
          name: split,
          points: table.series(column, split: split).map { (Double($0.epoch), $0.value) })
      }
      return (
        column,
        SVGPlot(title: "\(column) per epoch", xLabel: "epoch", yLabel: column, series: series)
      )
    }
  }

  static func run(_ directory: RunDirectory, table: MetricsTable) throws -> [String] {
    var files: [String] = []
    var lines = ["# Run \(directory.id)", ""]
    if let data = FileManager.default.contents(atPath: directory.path("manifest.json").path),
      let manifest = try? JSONDecoder().decode(Manifest.self, from: data)
    {
      lines.append(
        "\(manifest.name), seed \(manifest.seed), status **\(manifest.status.rawValue)**"
          + (manifest.message.map { ": \($0)" } ?? "") + ", started \(manifest.started)"
          + (manifest.provenance?.git.map {
            ", commit \($0.commit.prefix(12))\($0.dirty ? " (dirty)" : "")"
          } ?? ""))
      lines.append("")
    }
    for (name, plot) in learningCurves(table) {
      let file = "\(name).svg"
      try directory.write(plot.svg(), to: file)
      files.append(file)
      lines.append("![\(name) per epoch](\(file))")
    }
    lines += ["", "## Metrics per epoch", ""] + markdown(header: table.columns, rows: table.rows)
    try directory.write(lines.joined(separator: "\n") + "\n", to: "report.md")
    return files + ["report.md"]
  }

  static func sweep(_ directory: RunDirectory) throws -> [String] {
    func csv(_ name: String) throws(RunFileError) -> [[String]] {
      do {
        return try CSV.records(in: TextFile(contentsOf: directory.path(name).path)).map(\.fields)
      } catch {
        throw RunFileError(error)
      }
    }
    let record =
      (try? JSONSerialization.jsonObject(with: Data(contentsOf: directory.path("sweep.json"))))
      as? [String: Any] ?? [:]
    let parameters = record["parameters"] as? [String] ?? []
    let metric = (record["metric"] as? [String: Any])?["name"] as? String ?? "metric"
    let trials = try csv("sweep.csv")
    let summary = try csv("summary.csv")
    var files: [String] = []
    var lines = ["# Sweep \(directory.id)", ""]
    lines.append("Ranked by \(metric); mean and sample standard deviation (n − 1) over seeds.")
    lines.append("")
    guard let summaryHeader = summary.first else { return [] }
    let meanColumn = summaryHeader.firstIndex(of: "\(metric).best.mean")
    for parameter in parameters {
      guard let column = summaryHeader.firstIndex(of: parameter), let meanColumn else { continue }
      let others = parameters.filter { $0 != parameter }.compactMap {
        summaryHeader.firstIndex(of: $0)
      }
      let rows = summary.dropFirst().filter { Double($0[meanColumn]) != nil }
      let values = rows.map { $0[column] }.reduce(into: [String]()) {
        if !$0.contains($1) { $0.append($1) }
      }
      let numeric = values.allSatisfy { Double($0) != nil }
      let sortedValues = numeric ? values.sorted { Double($0)! < Double($1)! } : values
      let positive = numeric && values.allSatisfy { Double($0)! > 0 }
      let logX =
        positive && values.count > 2
        && (values.compactMap(Double.init).max()! / values.compactMap(Double.init).min()! >= 100)
      var groups: [(String, [(x: Double, y: Double)])] = []
      for row in rows {
        let name =
          others.isEmpty
          ? metric : others.map { "\(summaryHeader[$0])=\(row[$0])" }.joined(separator: ", ")
        let x = numeric ? Double(row[column])! : Double(sortedValues.firstIndex(of: row[column])!)
        if let index = groups.firstIndex(where: { $0.0 == name }) {
          groups[index].1.append((x, Double(row[meanColumn])!))
        } else {
          groups.append((name, [(x, Double(row[meanColumn])!)]))
        }
      }
      let plot = SVGPlot(
        title: "\(metric) (best epoch, mean over seeds) against \(parameter)", xLabel: parameter,
        yLabel: metric,
        series: groups.map { SVGPlot.Series(name: $0.0, points: $0.1.sorted { $0.x < $1.x }) },
        categories: numeric ? nil : sortedValues, logX: logX)
      let file = "\(parameter).svg"
      try directory.write(plot.svg(), to: file)
      files.append(file)
      lines.append("![\(metric) against \(parameter)](\(file))")
    }
    lines += ["", "## Configurations", ""]
    lines += markdown(header: summaryHeader, rows: Array(summary.dropFirst()))
    lines += ["", "## Trials", ""]
    if let header = trials.first {
      let folders = (record["trials"] as? [[String: Any]] ?? []).compactMap {
        $0["folder"] as? String
      }
      let rows = trials.dropFirst().enumerated().map { index, row in
        var row = row
        if index < folders.count { row[0] = "[\(row[0])](\(folders[index])/report.md)" }
        return row
      }
      lines += markdown(header: header, rows: rows)
      for folder in folders {
        let url = directory.url.appendingPathComponent(folder, isDirectory: true)
        guard let table = try? MetricsTable.load(from: url) else { continue }
        files += try run(RunDirectory(url: url, id: folder), table: table).map { "\(folder)/\($0)" }
      }
    }
    try directory.write(lines.joined(separator: "\n") + "\n", to: "report.md")
    return files + ["report.md"]
  }

  static func markdown(header: [String], rows: [[String]]) -> [String] {
    func line(_ cells: [String]) -> String {
      "| "
        + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }
        .joined(separator: " | ") + " |"
    }
    return [line(header), line(header.map { _ in "---" })] + rows.map(line)
  }
}

import Foundation
import Testing

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// `runner report`: the SVGs parse as XML and plot what the metrics files hold.
@Suite struct ReportTests {
  /// Collects every element's name and attributes, and the enclosing series of each marker.
  final class Reader: NSObject, XMLParserDelegate {
    var root: String?
    var area: [String: String] = [:]
    var legends = 0
    var series: [(name: String, circles: [[String: String]])] = []
    private var stack: [String] = []

    func parser(
      _ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
      qualifiedName: String?, attributes: [String: String] = [:]
    ) {
      if root == nil { root = name }
      let kind = attributes["class"] ?? ""
      stack.append(kind)
      switch kind {
      case "plot-area": area = attributes
      case "legend": legends += 1
      case "series": series.append((attributes["data-name"] ?? "", []))
      default:
        if name == "circle", stack.dropLast().last == "series", !series.isEmpty {
          series[series.count - 1].circles.append(attributes)
        }
      }
    }

    func parser(
      _ parser: XMLParser, didEndElement name: String, namespaceURI: String?,
      qualifiedName: String?
    ) {
      stack.removeLast()
    }
  }

  /// The markers of each series of an SVG written by the report: name → (data x, data y, cx, cy),
  /// and the plot area's box.
  static func series(
    _ url: URL
  ) throws -> (
    series: [String: [(x: Double, y: Double, cx: Double, cy: Double)]], area: [String: Double]
  ) {
    let parser = try #require(XMLParser(contentsOf: url))
    let reader = Reader()
    parser.delegate = reader
    #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
    #expect(reader.root == "svg")
    #expect(reader.legends == 1)
    var box: [String: Double] = [:]
    for name in ["left", "right", "top", "bottom", "x-min", "x-max", "y-min", "y-max"] {
      box[name] = Double(reader.area["data-\(name)"] ?? "")
    }
    var result: [String: [(x: Double, y: Double, cx: Double, cy: Double)]] = [:]
    for (name, circles) in reader.series {
      result[name] = try circles.map { circle in
        func value(_ key: String) throws -> Double { try #require(Double(circle[key] ?? "")) }
        return (try value("data-x"), try value("data-y"), try value("cx"), try value("cy"))
      }
    }
    return (result, box)
  }

  @Test func learningCurvesPlotTheMetricsFile() throws {
    let workspace = try RunnerTests.workspace()
    #expect(try RunnerProcess.run(["spec.yaml", "--quiet"], in: workspace).status == 0)
    let run = try #require(try RunnerTests.runs(in: workspace).first)
    let report = try RunnerProcess.run(
      ["report", "out/e2e/\(run.lastPathComponent)"], in: workspace)
    #expect(report.status == 0, "\(report.errors)")
    let markdown = try String(
      contentsOf: run.appendingPathComponent("report.md"), encoding: .utf8)
    #expect(markdown.contains("![loss per epoch](loss.svg)"))
    #expect(markdown.contains("| epoch | split | loss | accuracy |"))

    let rows = try RunnerTests.csvRows(run).dropFirst()
    for (file, column) in [("loss.svg", 2), ("accuracy.svg", 3)] {
      let (series, box) = try Self.series(run.appendingPathComponent(file))
      #expect(Set(series.keys) == ["train", "dev", "test"])
      for (split, points) in series {
        let expected = rows.filter { $0[1] == split }
        #expect(points.map(\.x) == expected.map { Double($0[0])! })
        #expect(points.map(\.y) == expected.map { Double($0[column])! })
        for point in points {
          // The marker sits where the axes put its value.
          let cy =
            box["bottom"]! - (point.y - box["y-min"]!) / (box["y-max"]! - box["y-min"]!)
            * (box["bottom"]! - box["top"]!)
          let cx =
            box["left"]! + (point.x - box["x-min"]!) / (box["x-max"]! - box["x-min"]!)
            * (box["right"]! - box["left"]!)
          #expect(abs(point.cy - cy) < 1e-6 && abs(point.cx - cx) < 1e-6)
          #expect(point.cy >= box["top"]! && point.cy <= box["bottom"]!)
        }
      }
    }
  }

  @Test func aSweepReportPlotsTheMetricAgainstEachParameter() throws {
    let workspace = try RunnerTests.workspace(
      SweepTests.spec.replacingOccurrences(
        of: "    optimizer.learning_rate: [0.1, 0.05]",
        with: "    optimizer.learning_rate: [0.1, 0.05]\n    model.type: [rnn, brnn]"))
    #expect(
      try RunnerProcess.run(["sweep", "spec.yaml", "--workers", "2"], in: workspace).status == 0)
    let sweep = try SweepTests.sweepFolder(in: workspace)
    let report = try RunnerProcess.run(["report", sweep.path], in: workspace)
    #expect(report.status == 0, "\(report.errors)")
    #expect(
      FileManager.default.fileExists(
        atPath: sweep.appendingPathComponent("trial-008/loss.svg").path))
    let summary = try SweepTests.csv(sweep.appendingPathComponent("summary.csv"))
    #expect(summary[0][1...2] == ["optimizer.learning_rate", "model.type"])
    let (series, _) = try Self.series(sweep.appendingPathComponent("optimizer.learning_rate.svg"))
    #expect(Set(series.keys) == ["model.type=rnn", "model.type=brnn"])
    for (name, points) in series {
      let type = String(name.dropFirst("model.type=".count))
      let expected = summary.dropFirst().filter { $0[2] == type }
        .map { (x: Double($0[1])!, y: Double($0[4])!) }.sorted { $0.x < $1.x }
      #expect(points.map(\.x) == expected.map(\.x))
      #expect(points.map(\.y) == expected.map(\.y))
    }
  }
}

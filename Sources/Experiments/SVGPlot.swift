import Foundation

/// A line chart as a standalone SVG, written by hand: axes with ticks, axis labels, a title,
/// a polyline and markers per series, and a legend.
///
/// For programs reading it back, the plot area `<g class="plot-area">` carries its pixel box
/// (`data-left`, `data-right`, `data-top`, `data-bottom`) and data box (`data-x-min` …
/// `data-y-max`, `data-x-scale` linear or log), and every marker its values (`data-x`,
/// `data-y`) inside `<g class="series" data-name="…">`.
public struct SVGPlot: Sendable {
  public struct Series: Sendable {
    public var name: String
    public var points: [(x: Double, y: Double)]

    public init(name: String, points: [(x: Double, y: Double)]) {
      self.name = name
      self.points = points
    }
  }

  public var title: String
  public var xLabel: String
  public var yLabel: String
  public var series: [Series]
  /// Names for x positions 0, 1, 2 … when x is categorical.
  public var categories: [String]?
  /// A base-10 logarithmic x axis (all x must be positive).
  public var logX: Bool

  public init(
    title: String, xLabel: String, yLabel: String, series: [Series], categories: [String]? = nil,
    logX: Bool = false
  ) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.series = series
    self.categories = categories
    self.logX = logX
  }

  static let width = 720.0
  static let height = 420.0
  static let left = 80.0
  static let right = 540.0
  static let top = 40.0
  static let bottom = 360.0
  static let colors = [
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
  ]

  /// The document.
  public func svg() -> String {
    let points = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
    let xs = points.map { logX ? Foundation.log10($0.x) : $0.x }
    var (xMin, xMax) = (xs.min() ?? 0, xs.max() ?? 1)
    if let categories {
      (xMin, xMax) = (-0.5, Double(max(categories.count, 1)) - 0.5)
    } else if xMin == xMax {
      (xMin, xMax) = (xMin - 0.5, xMax + 0.5)
    }
    let yTicks = Self.ticks(points.map(\.y).min() ?? 0, points.map(\.y).max() ?? 1)
    let (yMin, yMax) = (yTicks.first!, yTicks.last!)
    func px(_ x: Double) -> Double {
      let t = logX ? Foundation.log10(x) : x
      return Self.left + (t - xMin) / (xMax - xMin) * (Self.right - Self.left)
    }
    func py(_ y: Double) -> Double {
      Self.bottom - (y - yMin) / (yMax - yMin) * (Self.bottom - Self.top)
    }
    var out = [
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(Self.width))\" "
        + "height=\"\(Int(Self.height))\" viewBox=\"0 0 \(Int(Self.width)) \(Int(Self.height))\" "
        + "font-family=\"sans-serif\" font-size=\"12\">",
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
      "<text x=\"\((Self.left + Self.right) / 2)\" y=\"22\" text-anchor=\"middle\" "
        + "font-size=\"15\">\(Self.escape(title))</text>",
      "<g class=\"plot-area\" data-left=\"\(Self.left)\" data-right=\"\(Self.right)\" "
        + "data-top=\"\(Self.top)\" data-bottom=\"\(Self.bottom)\" data-x-min=\"\(xMin)\" "
        + "data-x-max=\"\(xMax)\" data-y-min=\"\(yMin)\" data-y-max=\"\(yMax)\" "
        + "data-x-scale=\"\(logX ? "log" : "linear")\">",
      "<line class=\"axis\" x1=\"\(Self.left)\" y1=\"\(Self.bottom)\" x2=\"\(Self.right)\" "
        + "y2=\"\(Self.bottom)\" stroke=\"black\"/>",
      "<line class=\"axis\" x1=\"\(Self.left)\" y1=\"\(Self.top)\" x2=\"\(Self.left)\" "
        + "y2=\"\(Self.bottom)\" stroke=\"black\"/>",
    ]
    for y in yTicks {
      let position = py(y)
      out.append(
        "<line class=\"tick\" x1=\"\(Self.left - 5)\" y1=\"\(position)\" x2=\"\(Self.right)\" "
          + "y2=\"\(position)\" stroke=\"#ddd\"/>")
      out.append(
        "<text x=\"\(Self.left - 8)\" y=\"\(position + 4)\" text-anchor=\"end\">"
          + "\(Self.label(y))</text>")
    }
    for (x, text) in xTicks(xMin, xMax) {
      let position = Self.left + (x - xMin) / (xMax - xMin) * (Self.right - Self.left)
      out.append(
        "<line class=\"tick\" x1=\"\(position)\" y1=\"\(Self.bottom)\" x2=\"\(position)\" "
          + "y2=\"\(Self.bottom + 5)\" stroke=\"black\"/>")
      out.append(
        "<text x=\"\(position)\" y=\"\(Self.bottom + 18)\" text-anchor=\"middle\">"
          + "\(Self.escape(text))</text>")
    }
    out.append(
      "<text x=\"\((Self.left + Self.right) / 2)\" y=\"\(Self.bottom + 40)\" "
        + "text-anchor=\"middle\">\(Self.escape(xLabel))</text>")
    out.append(
      "<text x=\"20\" y=\"\((Self.top + Self.bottom) / 2)\" text-anchor=\"middle\" "
        + "transform=\"rotate(-90 20 \((Self.top + Self.bottom) / 2))\">\(Self.escape(yLabel))</text>"
    )
    for (index, line) in series.enumerated() {
      let color = Self.colors[index % Self.colors.count]
      let visible = line.points.filter { $0.x.isFinite && $0.y.isFinite }
      out.append("<g class=\"series\" data-name=\"\(Self.escape(line.name))\">")
      out.append(
        "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\""
          + visible.map { "\(px($0.x)),\(py($0.y))" }.joined(separator: " ") + "\"/>")
      for point in visible {
        out.append(
          "<circle cx=\"\(px(point.x))\" cy=\"\(py(point.y))\" r=\"3\" fill=\"\(color)\" "
            + "data-x=\"\(point.x)\" data-y=\"\(point.y)\"/>")
      }
      out.append("</g>")
    }
    out.append("</g>")
    out.append("<g class=\"legend\">")
    for (index, line) in series.enumerated() {
      let y = Self.top + 10 + Double(index) * 20
      out.append(
        "<rect x=\"\(Self.right + 20)\" y=\"\(y - 8)\" width=\"14\" height=\"4\" "
          + "fill=\"\(Self.colors[index % Self.colors.count])\"/>")
      out.append(
        "<text x=\"\(Self.right + 40)\" y=\"\(y)\">\(Self.escape(line.name))</text>")
    }
    out.append("</g>")
    out.append("</svg>")
    return out.joined(separator: "\n") + "\n"
  }

  /// Tick positions (in axis units: log10 for a log axis) and their labels.
  func xTicks(_ low: Double, _ high: Double) -> [(Double, String)] {
    if let categories { return categories.enumerated().map { (Double($0.offset), $0.element) } }
    if logX {
      let powers = Array(
        Int(low.rounded(.up))...max(Int(low.rounded(.up)), Int(high.rounded(.down)))
      )
      .map(Double.init).filter { $0 >= low && $0 <= high }
      if powers.count >= 2 { return powers.map { ($0, Self.label(Foundation.pow(10, $0))) } }
      return [
        (low, Self.label(Foundation.pow(10, low))), (high, Self.label(Foundation.pow(10, high))),
      ]
    }
    return Self.ticks(low, high).filter { $0 >= low - 1e-12 && $0 <= high + 1e-12 }.map {
      ($0, Self.label($0))
    }
  }

  /// About five round ticks (steps of 1, 2 or 5 × 10ⁿ) covering [low, high].
  static func ticks(_ low: Double, _ high: Double) -> [Double] {
    var (low, high) = (low, high)
    if low == high { (low, high) = (low - 0.5, high + 0.5) }
    let rough = (high - low) / 5
    let magnitude = Foundation.pow(10, (Foundation.log10(rough)).rounded(.down))
    let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= rough } ?? 10 * magnitude
    let first = (low / step).rounded(.down)
    let last = (high / step).rounded(.up)
    return stride(from: first, through: last, by: 1).map { $0 * step }
  }

  /// A tick label: up to four significant digits, no trailing zeros.
  static func label(_ value: Double) -> String {
    let text = String(format: "%.4g", abs(value) < 1e-12 ? 0 : value)
    return text
  }

  static func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
  }
}

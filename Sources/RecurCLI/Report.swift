import ArgumentParser
import Experiments
import Foundation

/// `runner report <run-or-sweep-dir>`: report.md and SVG plots.
struct Report: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Write report.md and SVG plots for a run or a sweep directory.",
    discussion: """
      A run gets learning curves (loss and each metric per epoch, a line per split) and its \
      metrics table. A sweep gets the metric against each swept parameter (a line per value of \
      the others), the configuration and trial tables, and a run report in every trial folder.
      """)

  @Argument(help: "A run directory or a sweep directory.")
  var directory: String

  func run() throws {
    let files = try Experiments.Report.write(
      for: URL(fileURLWithPath: directory, isDirectory: true))
    for file in files { Console.line("wrote \(directory)/\(file)") }
  }
}

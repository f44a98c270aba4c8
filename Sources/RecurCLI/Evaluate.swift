import ArgumentParser
import Experiments
import Foundation
import Recur

/// `runner evaluate <run-dir>`: measure a trained model again.
struct Evaluate: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Measure a finished run's model on its dataset's splits.",
    discussion: """
      Prints the loss and metrics of the run's model (the last one, or with --best the best \
      one of early stopping) on the dataset's splits and writes them to evaluation.json in the \
      run directory; with --data, on a file in the format of the run's dataset (a corpus, or a \
      csv-sequences CSV with the run's columns; printed only).
      """)

  @Argument(help: "The run directory.")
  var runDirectory: String

  @Option(help: "The split to measure: train, dev or test (default: every split the data has).")
  var split: Split?

  @Option(help: "Measure on this file, in the format of the run's data, instead of a split.")
  var data: String?

  @Flag(help: "Use model-best.safetensors instead of model.safetensors.")
  var best = false

  func validate() throws {
    if split != nil && data != nil { throw ValidationError("give --split or --data, not both") }
  }

  func run() throws {
    let url = URL(fileURLWithPath: runDirectory)
    if let note = Self.divergedNote(url) { Console.error(note + "\n") }
    let trained = try TrainedRun.load(url, best: best, registry: RunnerContext.registry)
    if let data {
      let info = trained.experiment.dataset.info
      if !info.task.isRegression {
        let labels = try trained.experiment.dataset.examples(readingFile: data).flatMap(\.targets)
        let unseen = labels.filter { $0 < 0 }.count
        if unseen > 0 {
          Console.error(
            "warning: \(data): \(unseen) label(s) never seen in train; they are not scored\n")
        }
      }
      let record = try trained.evaluate(file: data)
      Console.line(Self.line(data, record, trained.experiment.metrics))
      return
    }
    let splits = split.map { [$0] } ?? trained.experiment.dataset.availableSplits
    var records: [EpochRecord] = []
    for split in splits {
      guard !trained.experiment.dataset.examples(split).isEmpty else {
        throw ValidationError("the run's dataset has no \(split.rawValue) split")
      }
      let record = try trained.evaluate(split)
      Console.line(Self.line(Format.left(split.rawValue, 6), record, trained.experiment.metrics))
      records.append(record)
    }
    try trained.writeEvaluation(records)
  }

  /// For a run that diverged, what it kept: the manifest's message says which epoch's weights
  /// `model.safetensors` holds, or that there are none.
  static func divergedNote(_ url: URL) -> String? {
    guard
      let data = FileManager.default.contents(
        atPath: url.appendingPathComponent("manifest.json").path),
      let manifest = try? JSONDecoder().decode(Manifest.self, from: data),
      manifest.status == .diverged
    else { return nil }
    return "note: the run diverged: " + (manifest.message ?? "no message")
  }

  /// `name loss … metric …` for the terminal.
  static func line(_ name: String, _ record: EpochRecord, _ metrics: [any Metric]) -> String {
    var line = "\(name) loss \(Format.fixed(record.loss, 4))"
    for (value, metric) in zip(record.metrics, metrics) {
      let text = value.value.map { Format.metric($0, proportion: metric.isProportion) } ?? "–"
      line += "  \(value.name) \(text)"
    }
    return line
  }
}

extension Split: ExpressibleByArgument {}

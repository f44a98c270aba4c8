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
      one of early stopping) and writes them to evaluation.json in the run directory.
      """)

  @Argument(help: "The run directory.")
  var runDirectory: String

  @Option(help: "The split to measure: train, dev or test (default: every split the data has).")
  var split: Split?

  @Flag(help: "Use model-best.safetensors instead of model.safetensors.")
  var best = false

  func run() throws {
    let trained = try TrainedRun.load(URL(fileURLWithPath: runDirectory), best: best)
    let splits = split.map { [$0] } ?? trained.experiment.dataset.availableSplits
    var records: [EpochRecord] = []
    for split in splits {
      guard !trained.experiment.dataset.examples(split).isEmpty else {
        throw ValidationError("the run's dataset has no \(split.rawValue) split")
      }
      let record = try trained.evaluate(split)
      var line = "\(Format.left(split.rawValue, 6)) loss \(Format.fixed(record.loss, 4))"
      for metric in record.metrics {
        line += "  \(metric.name) \(metric.value.map { Format.percent($0) } ?? "–")"
      }
      Console.line(line)
      records.append(record)
    }
    try trained.writeEvaluation(records)
  }
}

extension Split: ExpressibleByArgument {}

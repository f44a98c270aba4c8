import Experiments
import Foundation
import Recur

/// The one-screen account of a finished run.
struct Summary {
  let experiment: Experiment
  let outcome: RunOutcome

  var text: String {
    let shape = experiment.model.shape
    let parameters = experiment.model.parameterLayout.reduce(0) { $0 + $1.rows * $1.columns }
    var lines = [
      "",
      "\(experiment.name): \(outcome.status.rawValue) in \(Format.fixed(outcome.seconds, 1)) s",
      "  run        \(outcome.directory.url.relativePath)",
      "  model      \(experiment.modelType) I=\(shape.inputSize) H=\(shape.hiddenSize) "
        + "K=\(shape.outputSize) \(experiment.model.describedCell)"
        + (shape.bias ? " with bias" : " without bias") + ", \(parameters) parameters",
      "  dataset    \(experiment.datasetType): "
        + experiment.dataset.availableSplits.map {
          "\($0.rawValue) \(experiment.dataset.examples($0).count)"
        }.joined(separator: ", ") + " sequences",
      "  optimizer  \(experiment.optimizerType), learning rate "
        + "\(experiment.optimizer.learningRate), batch \(experiment.plan.batchSize)",
    ]
    if let message = outcome.manifest.message {
      let label: String
      switch outcome.status {
      case .completed: label = "  note       "
      case .interrupted: label = "  stopped    "
      default: label = "  error      "
      }
      lines.append(label + message)
    }
    lines += table()
    for name in Set(experiment.dataset.info.facts.map(\.name)).sorted() {
      let facts = experiment.dataset.info.facts.filter { $0.name == name }
      lines.append(
        "  \(name): "
          + facts.map {
            "\($0.split?.rawValue ?? "all") "
              + Format.metric($0.value, proportion: $0.isProportion)
          }
          .joined(separator: ", "))
    }
    return lines.joined(separator: "\n")
  }

  /// Final loss and metrics per split, and the best value of each metric with its epoch.
  private func table() -> [String] {
    guard let lastEpoch = outcome.records.map(\.epoch).max() else { return [] }
    let names = experiment.metrics.map(\.name)
    var lines = [
      "",
      "  " + Format.left("after epoch \(lastEpoch)", 18) + Format.right("loss", 9)
        + names.map { Format.right($0, Self.width($0)) }.joined()
        + names.map { Format.right("best " + $0, Self.bestWidth($0)) }.joined(),
    ]
    for split in Split.allCases {
      let rows = outcome.records.filter { $0.split == split }
      guard let last = rows.last, last.epoch == lastEpoch else { continue }
      var line =
        "  " + Format.left(split.rawValue, 18) + Format.right(Format.fixed(last.loss, 4), 9)
      for metric in experiment.metrics {
        line += Format.right(
          last.value(of: metric.name).map { Format.metric($0, proportion: metric.isProportion) }
            ?? "–", Self.width(metric.name))
      }
      for metric in experiment.metrics {
        let best = rows.compactMap { row in row.value(of: metric.name).map { ($0, row.epoch) } }
          .max { metric.goal == .max ? $0.0 < $1.0 : $0.0 > $1.0 }
        line += Format.right(
          best.map {
            "\(Format.metric($0.0, proportion: metric.isProportion)) (ep \($0.1))"
          } ?? "–", Self.bestWidth(metric.name))
      }
      lines.append(line)
    }
    return lines
  }

  /// Column widths that leave two blanks before a metric's name.
  private static func width(_ name: String) -> Int { max(12, name.count + 2) }
  private static func bestWidth(_ name: String) -> Int { max(18, name.count + 7) }
}

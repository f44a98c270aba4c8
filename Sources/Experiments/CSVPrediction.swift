import Foundation
import Recur
import Tensors

/// Predictions of a trained `csv-sequences` model for the sequences of a CSV file: one row per
/// step (framewise tasks) or per sequence, written as RFC 4180 CSV.
public struct CSVPrediction {
  /// A predicted step or sequence: the sequence id, the step (0-based; nil for sequence
  /// tasks), the predicted label (the class of highest probability, or the value) and, for
  /// classification, the probability of every class in class order.
  public struct Row: Sendable, Equatable {
    public var sequence: String
    public var step: Int?
    public var label: String
    public var probabilities: [Double]
  }

  public var rows: [Row]
  /// The header: the sequence column, `step` (framewise tasks), the label column and, for
  /// classification, `p_<class>` for every class.
  public var header: [String]

  /// Reads `path` with the run's feature and sequence columns (the label column may be
  /// absent) and predicts every sequence.
  public init(_ trained: TrainedRun, path: String) throws {
    guard let dataset = trained.experiment.dataset as? CSVSequences else {
      throw Prediction.Unsupported(
        reason: "the run's dataset '\(trained.experiment.datasetType)' is not csv-sequences")
    }
    let info = dataset.info
    let task = info.task
    let sequences = try dataset.unlabelledSequences(readingFile: path)
    let columns = dataset.encoding
    header =
      [columns.sequenceColumn] + (task.isFramewise ? ["step"] : []) + [columns.labelColumn]
      + (task.isRegression ? [] : info.labels.map { "p_" + $0 })
    rows = []
    let k = task.isRegression ? 1 : info.labels.count
    let batchSize = 256
    for first in stride(from: 0, to: sequences.count, by: batchSize) {
      let members = Array(sequences[first..<min(sequences.count, first + batchSize)])
      let batch = SequenceBatch<Float>(
        examples: members.map(\.example), task: task, inputSize: info.inputSize)
      let outputs =
        task.isRegression
        ? trained.network.evaluate(batch).outputs : trained.network.probabilities(for: batch)
      for (b, member) in members.enumerated() {
        let steps: [Int?] = task.isFramewise ? Array(0..<member.example.length) : [nil]
        for step in steps {
          let r = step.map { $0 * members.count + b } ?? b
          let values = Array(outputs[(r * k)..<((r + 1) * k)])
          if task.isRegression {
            rows.append(
              Row(sequence: member.id, step: step, label: "\(values[0])", probabilities: []))
          } else {
            let best = values.indices.max { values[$0] < values[$1] }!
            rows.append(
              Row(
                sequence: member.id, step: step, label: info.labels[best],
                probabilities: values))
          }
        }
      }
    }
  }

  /// The predictions as CSV (`CSV.text`): the header line, then one line per row, LF ends.
  public var csv: String {
    CSV.text(
      [header]
        + rows.map { row in
          [row.sequence] + (row.step.map { [String($0)] } ?? []) + [row.label]
            + row.probabilities.map { "\($0)" }
        })
  }
}

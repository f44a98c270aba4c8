import Experiments
import Foundation
import Recur
import Tensors
import Testing

/// A model trained on `csv-sequences` files, used on new files: `evaluate(file:)` and
/// `CSVPrediction`.
@Suite struct CSVModelTests {
  /// Writes a scratch CSV file of `sequences` sequences of 2 to 5 steps with features `x1`,
  /// `x2` (in `columns` order) and, unless `labelled` is false, a label from `labels` (per step
  /// for framewise tasks, per sequence otherwise); returns its path.
  static func file(
    sequences: Int, offset: Int, framewise: Bool, labels: [String] = ["a", "b", "c"],
    columns: [String] = ["sequence", "x1", "x2", "label"], labelled: Bool = true
  ) throws -> String {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("recur-csvmodel-\(UUID().uuidString).csv")
    let header = labelled ? columns : columns.filter { $0 != "label" }
    var lines = [CSV.record(header)]
    for s in offset..<(offset + sequences) {
      for t in 0..<(2 + s % 4) {
        let values = [
          "sequence": "s\(s)", "x1": "\(Double((s * 7 + t * 3) % 11) / 10 - 0.5)",
          "x2": "\(Double((s + t) % 5) / 4)",
          "label": labels[(framewise ? s + t : s) % labels.count],
        ]
        lines.append(CSV.record(header.map { values[$0]! }))
      }
    }
    try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
    return url.path
  }

  /// A run trained for one epoch on a train file with a test file.
  static func trained(task: String) throws -> (TrainedRun, test: String) {
    let framewise = task.hasPrefix("framewise")
    let train = try file(sequences: 16, offset: 0, framewise: framewise)
    let test = try file(sequences: 5, offset: 16, framewise: framewise)
    let outcome = try TrainedRunTests.trainedRun(
      dataset: "{type: csv-sequences, train: \"\(train)\", test: \"\(test)\", task: \(task)}",
      model: "{type: rnn, hidden: 4}",
      metrics: task.hasSuffix("regression") ? "[]" : "[accuracy]")
    #expect(outcome.status == .completed)
    return (try TrainedRun.load(outcome.directory.url), test)
  }

  /// The test file read again scores exactly as the run's own test split.
  @Test(arguments: ["framewise", "sequence"])
  func evaluatingTheTestFileMatchesTheTestSplit(task: String) throws {
    let (trained, test) = try Self.trained(task: task)
    let split = try trained.evaluate(.test)
    let file = try trained.evaluate(file: test)
    #expect(file.loss == split.loss)
    #expect(file.value(of: "accuracy") == split.value(of: "accuracy"))
    let dataset = trained.experiment.dataset
    #expect(try dataset.examples(readingFile: test) == dataset.examples(.test))
  }

  /// Feature columns are found by name: a file with them in another order reads alike.
  @Test func featureColumnsAreMatchedByName() throws {
    let (trained, test) = try Self.trained(task: "framewise")
    let reordered = try Self.file(
      sequences: 5, offset: 16, framewise: true, columns: ["label", "x2", "sequence", "x1"])
    let dataset = trained.experiment.dataset
    #expect(try dataset.examples(readingFile: reordered) == dataset.examples(readingFile: test))
  }

  /// A label train never had is not scored (target -1); the others keep their classes.
  @Test func anUnseenLabelIsNotScored() throws {
    let (trained, _) = try Self.trained(task: "framewise")
    let path = try Self.file(
      sequences: 3, offset: 0, framewise: true, labels: ["a", "z"])
    let examples = try trained.experiment.dataset.examples(readingFile: path)
    let targets = examples.flatMap(\.targets)
    let classes = trained.experiment.dataset.info.labels
    #expect(classes == ["a", "b", "c"])
    #expect(targets.contains(-1) && targets.contains(0))
    #expect(targets.allSatisfy { $0 == -1 || $0 == 0 })
    _ = try trained.evaluate(file: path)
  }

  /// A file without a feature column is an error at its header line.
  @Test func aMissingFeatureColumnIsLocated() throws {
    let (trained, _) = try Self.trained(task: "sequence")
    let path = try Self.file(
      sequences: 2, offset: 0, framewise: false, columns: ["sequence", "x1", "label"])
    #expect(
      throws: DataFileError(
        option: "feature_columns", file: path, line: 1, "no column 'x2' in the header",
        expected: "one of: sequence, x1, label")
    ) {
      try trained.evaluate(file: path)
    }
    #expect(throws: DataFileError.self) {
      try CSVPrediction(trained, path: path)
    }
  }

  /// Predictions of an unlabelled file, parsed back: one row per step (framewise) or sequence,
  /// the argmax class and the probabilities the network gives the test split's examples.
  @Test(arguments: ["framewise", "sequence"])
  func predictionsMatchTheNetworksProbabilities(task: String) throws {
    let (trained, _) = try Self.trained(task: task)
    let framewise = task == "framewise"
    let unlabelled = try Self.file(
      sequences: 5, offset: 16, framewise: framewise, labelled: false)
    let prediction = try CSVPrediction(trained, path: unlabelled)
    let records = try CSV.records(
      in: TextFile(path: "predicted.csv", bytes: Array(prediction.csv.utf8)))
    let classes = trained.experiment.dataset.info.labels
    #expect(
      records[0].fields
        == ["sequence"] + (framewise ? ["step"] : []) + ["label"] + classes.map { "p_" + $0 })

    let examples = trained.experiment.dataset.examples(.test)
    let expected = TrainedRunTests.recurOutputs(trained, examples)
    var rows: [[String]] = []
    for (s, sequence) in expected.enumerated() {
      for (t, probabilities) in sequence.enumerated() {
        let best = probabilities.indices.max { probabilities[$0] < probabilities[$1] }!
        rows.append(
          ["s\(16 + s)"] + (framewise ? [String(t)] : []) + [classes[best]]
            + probabilities.map { "\($0)" })
      }
    }
    #expect(records.dropFirst().map(\.fields) == rows)
    #expect(rows.count == (framewise ? examples.map(\.length).reduce(0, +) : examples.count))
  }

  /// A regression run predicts a value per step.
  @Test func regressionPredictsValues() throws {
    let train = try TrainedRunTests.regressionFile()
    let outcome = try TrainedRunTests.trainedRun(
      dataset: TrainedRunTests.csvRegression.replacingOccurrences(
        of: "CSV_FILE", with: "\"\(train)\""),
      model: "{type: rnn, hidden: 3}", metrics: "[]")
    let trained = try TrainedRun.load(outcome.directory.url)
    let prediction = try CSVPrediction(trained, path: train)
    #expect(prediction.header == ["sequence", "step", "label"])
    let expected = TrainedRunTests.recurOutputs(trained, trained.experiment.dataset.examples(.dev))
    #expect(prediction.rows.map(\.label) == expected.flatMap { $0.map { "\($0[0])" } })
    #expect(prediction.rows.allSatisfy { $0.probabilities.isEmpty })
    #expect(prediction.rows.first?.sequence == "s0" && prediction.rows.first?.step == 0)
  }
}

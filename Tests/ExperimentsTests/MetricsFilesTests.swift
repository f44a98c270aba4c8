import Experiments
import Foundation
import Recur
import Testing

@Suite struct MetricsFilesTests {
  static func record(_ epoch: Int, _ split: Split, loss: Double, accuracy: Double?) -> EpochRecord {
    EpochRecord(
      epoch: epoch, split: split, loss: loss, metrics: [("accuracy", accuracy)],
      learningRate: 0.1, seconds: 2, tokensPerSecond: 500)
  }

  static let records = [
    record(1, .train, loss: 1.5, accuracy: 0.5), record(1, .dev, loss: 1.25, accuracy: 0.625),
    record(2, .train, loss: 0.75, accuracy: 0.75), record(2, .dev, loss: 1.375, accuracy: 0.875),
    record(3, .train, loss: 0.5, accuracy: 0.875), record(3, .dev, loss: 1.5, accuracy: nil),
  ]

  static let files = MetricsFiles(
    metrics: [Accuracy()],
    facts: [DatasetFact(name: "left_to_right_ceiling", split: .dev, value: 0.8, help: "")])

  @Test func csvHasOneRowPerRecord() {
    let text = Self.files.csv(Self.records)
    #expect(
      text == """
        epoch,split,loss,accuracy,learning_rate,seconds,tokens_per_second
        1,train,1.5,0.5,0.1,2.0,500.0
        1,dev,1.25,0.625,0.1,2.0,500.0
        2,train,0.75,0.75,0.1,2.0,500.0
        2,dev,1.375,0.875,0.1,2.0,500.0
        3,train,0.5,0.875,0.1,2.0,500.0
        3,dev,1.5,,0.1,2.0,500.0

        """)
  }

  /// Final: epoch 3's values. Best dev loss is 1.25 at epoch 1; best dev accuracy 0.875 at
  /// epoch 2 (epoch 3 scored nothing); best train accuracy 0.875 at epoch 3.
  @Test func jsonSummaryHasFinalAndBest() throws {
    let data = try Self.files.json(Self.records)
    let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    #expect((document["rows"] as? [Any])?.count == 6)
    let summary = try #require(document["summary"] as? [String: Any])
    let final = try #require(summary["final"] as? [String: Any])
    #expect(final["epoch"] as? Int == 3)
    #expect((final["train"] as? [String: Any])?["accuracy"] as? Double == 0.875)
    #expect((final["dev"] as? [String: Any])?["accuracy"] is NSNull)
    let best = try #require(summary["best"] as? [String: [String: [String: Any]]])
    #expect(best["dev"]?["loss"]?["value"] as? Double == 1.25)
    #expect(best["dev"]?["loss"]?["epoch"] as? Int == 1)
    #expect(best["dev"]?["accuracy"]?["value"] as? Double == 0.875)
    #expect(best["dev"]?["accuracy"]?["epoch"] as? Int == 2)
    #expect(best["train"]?["accuracy"]?["epoch"] as? Int == 3)
    let ceiling = (document["dataset"] as? [String: [String: Double]])?["left_to_right_ceiling"]
    #expect(ceiling == ["dev": 0.8])
  }

  /// `metrics.csv` reads back through the shared CSV reader: the rows as written, the same with
  /// CRLF line ends, and a damaged file refused at its line.
  @Test func csvReadsBackAsATable() throws {
    let folder = FileManager.default.temporaryDirectory
      .appendingPathComponent("recur-metrics-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let file = folder.appendingPathComponent("metrics.csv")
    let text = Self.files.csv(Self.records)
    try Data(text.utf8).write(to: file)
    let table = try #require(try MetricsTable.load(from: folder))
    #expect(table.columns == Self.files.columns)
    #expect(table.rows.count == Self.records.count)
    #expect(table.rows[5] == ["3", "dev", "1.5", "", "0.1", "2.0", "500.0"])
    try Data(text.replacingOccurrences(of: "\n", with: "\r\n").utf8).write(to: file)
    #expect(try MetricsTable.load(from: folder) == table)
    try Data((text + "4,\"dev,1.5\n").utf8).write(to: file)
    let error = #expect(throws: RunFileError.self) { try MetricsTable.load(from: folder) }
    #expect(
      error?.description
        == "\(file.path): line 8: the quoted field 2 is not closed by the end of the file")
  }
}

import Foundation
import Recur
import Testing

@Suite struct JSONLinesSequencesTests {
  static func parse(
    _ text: String, _ task: TaskKind = .framewise, inputSize: Int? = nil
  ) throws(DataFileError) -> JSONLinesSequences {
    try JSONLinesSequences(Data(text.utf8), source: "stdout", task: task, inputSize: inputSize)
  }

  /// Dense rows, labels per step; integer class names sort numerically (2 before 10), a blank
  /// line and a CRLF line end are fine, and the splits keep their own order.
  @Test func denseFramewiseClasses() throws {
    let data = try Self.parse(
      """
      {"split": "train", "inputs": [[1, 2], [3, 4.5]], "labels": [10, "2"]}\r

      {"split": "dev", "inputs": [[0, -1]], "labels": ["7"]}
      {"split": "train", "inputs": [[5, 6]], "labels": [10]}

      """)
    #expect(data.info.labels == ["2", "10"])
    #expect(data.info.inputSize == 2 && data.info.outputSize == 2)
    #expect(
      data.examples(.train) == [
        SequenceExample(inputs: .dense(values: [1, 2, 3, 4.5], width: 2), targets: [1, 0]),
        SequenceExample(inputs: .dense(values: [5, 6], width: 2), targets: [1]),
      ])
    // Class 7 never occurs in train: not scored, and reported.
    #expect(
      data.examples(.dev) == [
        SequenceExample(inputs: .dense(values: [0, -1], width: 2), targets: [-1])
      ])
    #expect(data.warnings == ["dev: 1 label(s) never seen in train; they are not scored"])
    #expect(data.info.facts.map(\.name) == ["unseen_label_share"])
    #expect(data.examples(.test).isEmpty)
  }

  /// Token ids are one-hot steps; I is the largest id + 1 unless stated.
  @Test func tokensInferOrTakeTheInputSize() throws {
    let text = """
      {"split": "train", "tokens": [0, 4, 2], "label": "b"}
      {"split": "test", "tokens": [1], "label": "a"}
      """
    let inferred = try Self.parse(text, .sequence)
    #expect(inferred.info.inputSize == 5)
    #expect(inferred.info.labels == ["b"])
    #expect(
      inferred.examples(.train) == [
        SequenceExample(inputs: .sparse([[0], [4], [2]]), targets: [0])
      ])
    #expect(try Self.parse(text, .sequence, inputSize: 9).info.inputSize == 9)
    let error = #expect(throws: DataFileError.self) {
      try Self.parse(text, .sequence, inputSize: 4)
    }
    #expect(error?.description == "stdout:1: token id 4 is not below input_size 4")
  }

  @Test func regressionLabelsAreNumbers() throws {
    let data = try Self.parse(
      """
      {"split": "train", "inputs": [[1], [2]], "labels": [0.5, -2]}
      """, .framewiseRegression)
    #expect(data.info.outputSize == 1 && data.info.labels == ["label"])
    #expect(
      data.examples(.train) == [
        SequenceExample(
          inputs: .dense(values: [1, 2], width: 1), values: [0.5, -2], framewise: true)
      ])
  }

  /// Every malformed line is an error at its line, saying what is wrong.
  @Test(
    arguments: [
      (
        "{\"split\": \"train\", \"inputs\": [[1]], \"labels\": [\"a\"]}\n{\"split\": \"train\"",
        .framewise,
        "stdout:2: is not valid JSON (Unexpected end of file during JSON parse.)"
      ),
      ("[1, 2]", .framewise, "stdout:1: is not a JSON object"),
      (
        "{\"split\": \"train\", \"inputs\": [[1, 2], [3]], \"labels\": [\"a\", \"b\"]}", .framewise,
        "stdout:1: inputs[1] has 1 values, but inputs[0] has 2"
      ),
      (
        "{\"split\": \"train\", \"inputs\": [[1, 2]], \"labels\": [\"a\"]}\n"
          + "{\"split\": \"dev\", \"inputs\": [[1, 2, 3]], \"labels\": [\"a\"]}", .framewise,
        "stdout:2: inputs[0] has 3 values, but line 1 has 2"
      ),
      (
        "{\"split\": \"valid\", \"inputs\": [[1]], \"labels\": [\"a\"]}", .framewise,
        "stdout:1: split \"valid\" is not train, dev or test"
      ),
      (
        "{\"split\": \"dev\", \"inputs\": [[1]], \"labels\": [\"a\"]}", .framewise,
        "stdout: holds no train sequence"
      ),
      ("", .framewise, "stdout: holds no sequences"),
      (
        "{\"split\": \"train\", \"inputs\": [[1]], \"labels\": [\"a\"], \"id\": 3}", .framewise,
        "stdout:1: unknown key \"id\""
      ),
      (
        "{\"split\": \"train\", \"inputs\": [[true]], \"labels\": [\"a\"]}", .framewise,
        "stdout:1: inputs[0][0] true is not a number"
      ),
      (
        "{\"split\": \"train\", \"inputs\": [[1e39]], \"labels\": [\"a\"]}", .framewise,
        "stdout:1: inputs[0][0] 1e+39 is outside the Float32 range"
      ),
      (
        "{\"split\": \"train\", \"inputs\": [[1], [2]], \"labels\": [\"a\"]}", .framewise,
        "stdout:1: 1 labels for 2 steps"
      ),
      (
        "{\"split\": \"train\", \"inputs\": [[1]], \"label\": \"a\"}", .framewise,
        "stdout:1: \"label\" given, but a framewise task takes \"labels\""
      ),
      (
        "{\"split\": \"train\", \"inputs\": [[1]], \"labels\": [1.5]}", .framewise,
        "stdout:1: labels[0] 1.5 is not a class name or an integer"
      ),
      (
        "{\"split\": \"train\", \"tokens\": [1, -1], \"label\": \"a\"}", .sequence,
        "stdout:1: tokens[1] -1 is not a token id"
      ),
      (
        "{\"split\": \"train\", \"tokens\": [1], \"label\": \"a\"}\n"
          + "{\"split\": \"train\", \"inputs\": [[1]], \"label\": \"a\"}", .sequence,
        "stdout:2: \"inputs\" after \"tokens\" on line 1"
      ),
      (
        "{\"split\": \"train\", \"inputs\": [[1]], \"label\": \"x\"}", .sequenceRegression,
        "stdout:1: label \"x\" is not a number"
      ),
    ] as [(String, TaskKind, String)])
  func malformedLinesAreLocated(_ text: String, _ task: TaskKind, _ message: String) {
    let error = #expect(throws: DataFileError.self) { try Self.parse(text, task) }
    #expect(error?.description == message)
    #expect(error?.expected?.isEmpty == false)
  }
}

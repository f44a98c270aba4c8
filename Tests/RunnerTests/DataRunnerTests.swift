import Foundation
import Testing

/// The built `runner` on a small CoNLL-U corpus written by the test.
@Suite struct DataRunnerTests {
  static func line(_ id: Int, _ form: String, _ upos: String) -> String {
    "\(id)\t\(form)\t_\t\(upos)\t_\t_\t0\troot\t_\t_"
  }

  /// Twelve train sentences from a tiny grammar; dev repeats two of them and adds a word the
  /// train split never saw ("emus") and a tag it never saw (SYM).
  static func corpus() -> (train: String, dev: String) {
    let subjects = [("dogs", "NOUN"), ("they", "PRON"), ("cats", "NOUN")]
    let verbs = [("run", "VERB"), ("sleep", "VERB")]
    var train: [String] = []
    for (subject, subjectTag) in subjects {
      for (verb, verbTag) in verbs {
        for ending in [".", "!"] {
          train += [
            line(1, subject, subjectTag), line(2, verb, verbTag), line(3, ending, "PUNCT"), "",
          ]
        }
      }
    }
    let dev = [
      "# sent_id = d1", line(1, "dogs", "NOUN"), line(2, "run", "VERB"), "",
      line(1, "emus", "NOUN"), line(2, "sleep", "VERB"), line(3, "$", "SYM"), "",
    ]
    return (train.joined(separator: "\n") + "\n", dev.joined(separator: "\n") + "\n")
  }

  static let spec = """
    name: pos
    seed: 2
    dataset:
      type: conllu
      train: data/train.conllu
      dev: data/dev.conllu
      suffix_length: 2
      feature_buckets: 16
    model:
      type: brnn
      hidden: 6
    optimizer:
      type: sgd
      learning_rate: 0.2
      momentum: 0.5
    training:
      epochs: 4
      batch_size: 4
      metrics: [accuracy, known_word_accuracy, unknown_word_accuracy, sequence_accuracy]
    output:
      dir: out

    """

  static func workspace() throws -> URL {
    let directory = try RunnerProcess.scratchDirectory()
    let data = directory.appendingPathComponent("data")
    try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
    let (train, dev) = corpus()
    try train.write(
      to: data.appendingPathComponent("train.conllu"), atomically: true, encoding: .utf8)
    try dev.write(to: data.appendingPathComponent("dev.conllu"), atomically: true, encoding: .utf8)
    try spec.write(
      to: directory.appendingPathComponent("spec.yaml"), atomically: true, encoding: .utf8)
    return directory
  }

  @Test func trainsOnACoNLLUCorpusAndWritesEveryFile() throws {
    let workspace = try Self.workspace()
    let result = try RunnerProcess.run(["spec.yaml"], in: workspace)
    #expect(result.status == 0, "\(result.errors)")
    #expect(
      result.errors.contains(
        "warning: dev: 1 token(s) carry tags never seen in train (SYM ×1); they are not scored"))
    let parent = workspace.appendingPathComponent("out/pos")
    let run = try #require(
      try FileManager.default.contentsOfDirectory(atPath: parent.path).first.map {
        parent.appendingPathComponent($0)
      })
    let files = Set(try FileManager.default.contentsOfDirectory(atPath: run.path))
    #expect(
      files.isSuperset(of: [
        "spec.yaml", "manifest.json", "metrics.csv", "metrics.json", "model.safetensors",
        "vocabulary.json", "confusion-train.csv", "confusion-dev.csv",
      ]))

    // Tags in alphabetical order: NOUN PRON PUNCT VERB; the confusion matrix of train holds
    // its 36 tokens, NOUN 8 + PRON 4 + PUNCT 12 + VERB 12 as row sums.
    let confusion = try String(
      contentsOf: run.appendingPathComponent("confusion-train.csv"), encoding: .utf8
    ).split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
    #expect(confusion[0] == ["gold\\predicted", "NOUN", "PRON", "PUNCT", "VERB"])
    #expect(confusion.dropFirst().map { $0[0] } == ["NOUN", "PRON", "PUNCT", "VERB"])
    #expect(
      confusion.dropFirst().map { $0.dropFirst().compactMap { Int($0) }.reduce(0, +) } == [
        8, 4, 12, 12,
      ])

    let metrics = try #require(
      try JSONSerialization.jsonObject(
        with: Data(contentsOf: run.appendingPathComponent("metrics.json"))) as? [String: Any])
    let classes = try #require(metrics["classes"] as? [String: Any])
    let dev = try #require(classes["dev"] as? [String: Any])
    let macro = try #require(dev["macro_f1"] as? Double)
    #expect((0...1).contains(macro))
    let perClass = try #require(dev["per_class"] as? [String: [String: Any]])
    #expect(Set(perClass.keys) == ["NOUN", "PRON", "PUNCT", "VERB"])
    // Dev scores 4 tokens (SYM is not scored): dogs run | emus sleep.
    #expect(perClass.values.compactMap { $0["support"] as? Int }.reduce(0, +) == 4)
    let header = try String(
      contentsOf: run.appendingPathComponent("metrics.csv"), encoding: .utf8
    ).split(separator: "\n")[0]
    #expect(
      header == "epoch,split,loss,accuracy,known_word_accuracy,unknown_word_accuracy,"
        + "sequence_accuracy,learning_rate,seconds,tokens_per_second")
    let dataset = try #require(metrics["dataset"] as? [String: [String: Double]])
    // Dev's 5 tokens hold 2 words train never saw: "emus" and "$".
    #expect(dataset["unknown_word_share"]?["dev"] == 2.0 / 5.0)
  }

  @Test func malformedDataIsABadSpec() throws {
    let workspace = try Self.workspace()
    let result = try RunnerProcess.run(
      ["validate", "spec.yaml", "dataset.dev=data/missing.conllu"], in: workspace)
    #expect(result.status == 2)
    #expect(
      result.errors.hasPrefix(
        "<override 1>:1:13: error: data/missing.conllu: no such file at dataset.dev"))
  }

  /// `runner predict` writes the dev file back with its predicted tags: every other column and
  /// line as it was, and tags whose agreement with the gold ones is the dev accuracy the run
  /// recorded for its last epoch.
  @Test func predictTagsAFileInItsOwnFormat() throws {
    let workspace = try Self.workspace()
    #expect(try RunnerProcess.run(["spec.yaml", "--quiet"], in: workspace).status == 0)
    let parent = workspace.appendingPathComponent("out/pos")
    let run = try #require(
      try FileManager.default.contentsOfDirectory(atPath: parent.path).first.map {
        parent.appendingPathComponent($0)
      })
    let result = try RunnerProcess.run(
      [
        "predict", run.path, "data/dev.conllu", "--output", "tagged.conllu", "--probabilities",
        "probabilities.jsonl",
      ], in: workspace)
    #expect(result.status == 0, "\(result.errors)")

    let gold = try String(
      contentsOf: workspace.appendingPathComponent("data/dev.conllu"), encoding: .utf8
    ).split(separator: "\n", omittingEmptySubsequences: false)
    let tagged = try String(
      contentsOf: workspace.appendingPathComponent("tagged.conllu"), encoding: .utf8
    ).split(separator: "\n", omittingEmptySubsequences: false)
    try #require(gold.count == tagged.count)
    var right = 0
    var scored = 0
    var predicted: [String] = []
    for (g, t) in zip(gold, tagged) {
      let (gf, tf) = (
        g.split(separator: "\t").map(String.init), t.split(separator: "\t").map(String.init)
      )
      guard gf.count == 10 else {
        #expect(g == t)
        continue
      }
      #expect(gf.enumerated().allSatisfy { $0.offset == 3 || $0.element == tf[$0.offset] })
      predicted.append(tf[3])
      if gf[3] != "SYM" {
        scored += 1
        if gf[3] == tf[3] { right += 1 }
      }
    }
    let lastDev = try #require(
      try String(contentsOf: run.appendingPathComponent("metrics.csv"), encoding: .utf8)
        .split(separator: "\n").last { $0.contains(",dev,") })
    #expect(Double(right) / Double(scored) == Double(lastDev.split(separator: ",")[3]))

    struct Sentence: Decodable {
      var words: [String]
      var tags: [String]
      var labels: [String]
      var probabilities: [[Double]]
    }
    let sentences = try String(
      contentsOf: workspace.appendingPathComponent("probabilities.jsonl"), encoding: .utf8
    ).split(separator: "\n").map { try JSONDecoder().decode(Sentence.self, from: Data($0.utf8)) }
    #expect(sentences.map(\.words) == [["dogs", "run"], ["emus", "sleep", "$"]])
    #expect(sentences.flatMap(\.tags) == predicted)
    for sentence in sentences {
      #expect(sentence.labels == ["NOUN", "PRON", "PUNCT", "VERB"])
      for (row, tag) in zip(sentence.probabilities, sentence.tags) {
        #expect(abs(row.reduce(0, +) - 1) < 1e-9)
        #expect(sentence.labels[row.indices.max { row[$0] < row[$1] }!] == tag)
      }
    }

    // Evaluating on the dev file itself gives the dev accuracy of the last epoch.
    let onFile = try RunnerProcess.run(
      ["evaluate", run.path, "--data", "data/dev.conllu"], in: workspace)
    #expect(onFile.status == 0, "\(onFile.errors)")
    let devAccuracy = try #require(Double(lastDev.split(separator: ",")[3]))
    #expect(onFile.output.hasPrefix("data/dev.conllu loss"))
    #expect(onFile.output.contains("accuracy \(String(format: "%.2f%%", devAccuracy * 100))"))

    try "dogs run .\n\ncats sleep\n".write(
      to: workspace.appendingPathComponent("plain.txt"), atomically: true, encoding: .utf8)
    let plain = try RunnerProcess.run(["predict", run.path, "plain.txt", "--text"], in: workspace)
    #expect(plain.status == 0, "\(plain.errors)")
    let lines = plain.output.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.count == 4)
    #expect(
      lines[0].split(separator: " ").map { $0.split(separator: "/")[0] } == ["dogs", "run", "."])
    #expect(lines[1].isEmpty)
    #expect(lines[2].split(separator: " ").count == 2)

    try "1\tdogs\tNOUN\n".write(
      to: workspace.appendingPathComponent("bad.conllu"), atomically: true, encoding: .utf8)
    let bad = try RunnerProcess.run(["predict", run.path, "bad.conllu"], in: workspace)
    #expect(bad.status == 2)
    #expect(bad.errors.contains("bad.conllu:1: expected 10 tab-separated columns, found 3"))
  }
}

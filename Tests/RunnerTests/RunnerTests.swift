import Crypto
import Foundation
import Testing

/// End to end: the built `runner` on small specs, and what it leaves on disk read back.
@Suite struct RunnerTests {
  static let spec = """
    name: e2e
    seed: 5
    dataset:
      type: synthetic-tagging
      train_sequences: 60
      dev_sequences: 20
      test_sequences: 10
      max_length: 8
    model:
      type: brnn
      hidden: 8
    optimizer:
      type: sgd
      learning_rate: 0.1
    training:
      epochs: 3
      batch_size: 8
    output:
      dir: out

    """

  /// A scratch folder holding `spec.yaml` with `text`.
  static func workspace(_ text: String = spec) throws -> URL {
    let directory = try RunnerProcess.scratchDirectory()
    try text.write(
      to: directory.appendingPathComponent("spec.yaml"), atomically: true, encoding: .utf8)
    return directory
  }

  /// The run directories under `out/<name>/`, oldest first.
  static func runs(in workspace: URL, name: String = "e2e") throws -> [URL] {
    let parent = workspace.appendingPathComponent("out/\(name)")
    return try FileManager.default.contentsOfDirectory(atPath: parent.path).sorted()
      .map { parent.appendingPathComponent($0) }
  }

  static func csvRows(_ run: URL) throws -> [[String]] {
    try String(contentsOf: run.appendingPathComponent("metrics.csv"), encoding: .utf8)
      .split(separator: "\n").map {
        $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
      }
  }

  static func json(_ url: URL) throws -> [String: Any] {
    try #require(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
  }

  @Test func runWritesMetricsThatParseBack() throws {
    let workspace = try Self.workspace()
    let result = try RunnerProcess.run(["spec.yaml"], in: workspace)
    #expect(result.status == 0, "\(result.errors)")
    #expect(result.output.contains("epoch 3/3"))
    #expect(result.output.contains("completed"))
    let run = try #require(try Self.runs(in: workspace).first)

    let rows = try Self.csvRows(run)
    #expect(
      rows.first == [
        "epoch", "split", "loss", "accuracy", "learning_rate", "seconds", "tokens_per_second",
      ])
    let body = Array(rows.dropFirst())
    #expect(body.map { $0[0] } == ["1", "1", "1", "2", "2", "2", "3", "3", "3"])
    #expect(
      body.map { $0[1] } == Array(repeating: ["train", "dev", "test"], count: 3).flatMap { $0 })
    for row in body {
      #expect(row.count == 7)
      let loss = try #require(Double(row[2]))
      let accuracy = try #require(Double(row[3]))
      #expect(loss > 0 && loss.isFinite)
      #expect((0...1).contains(accuracy))
      #expect(Double(row[4]) == 0.1)
      #expect(try #require(Double(row[6])) > 0)
    }

    // JSONDecoder reads numbers exactly (JSONSerialization may round the last digit).
    struct Rows: Decodable {
      struct Row: Decodable {
        var epoch: Int
        var split: String
        var loss: Double
        var accuracy: Double?
      }
      var rows: [Row]
    }
    let metricsData = try Data(contentsOf: run.appendingPathComponent("metrics.json"))
    let jsonRows = try JSONDecoder().decode(Rows.self, from: metricsData).rows
    #expect(jsonRows.count == body.count)
    for (jsonRow, csvRow) in zip(jsonRows, body) {
      #expect(String(jsonRow.epoch) == csvRow[0])
      #expect(jsonRow.split == csvRow[1])
      #expect(jsonRow.loss == Double(csvRow[2]))
      #expect(jsonRow.accuracy == Double(csvRow[3]))
    }
    let metrics = try Self.json(run.appendingPathComponent("metrics.json"))
    let summary = try #require(metrics["summary"] as? [String: Any])
    let final = try #require(summary["final"] as? [String: Any])
    #expect(final["epoch"] as? Int == 3)
    #expect((final["dev"] as? [String: Any])?["loss"] != nil)
    #expect(jsonRows.last { $0.split == "dev" }?.loss == Double(body[7][2]))
    let best = try #require((summary["best"] as? [String: Any])?["dev"] as? [String: Any])
    let bestAccuracy = try #require(best["accuracy"] as? [String: Any])
    let devAccuracies = body.filter { $0[1] == "dev" }.compactMap { Double($0[3]) }
    let bestEpoch = try #require(bestAccuracy["epoch"] as? Int)
    #expect(devAccuracies[bestEpoch - 1] == devAccuracies.max())
    #expect(devAccuracies.firstIndex(of: devAccuracies.max()!) == bestEpoch - 1)
    let ceiling = try #require(
      (metrics["dataset"] as? [String: Any])?["left_to_right_ceiling"] as? [String: Double])
    #expect(Set(ceiling.keys) == ["train", "dev", "test"])

    let manifest = try Self.json(run.appendingPathComponent("manifest.json"))
    #expect(manifest["status"] as? String == "completed")
    #expect(manifest["seed"] as? Int == 5)
    #expect(manifest["run_id"] as? String == run.lastPathComponent)
    #expect(manifest["finished"] is String)
    #expect((manifest["command_line"] as? [String])?.last == "spec.yaml")
    let specData = try Data(contentsOf: run.appendingPathComponent("spec.yaml"))
    let digest = SHA256.hash(data: specData).map { String(format: "%02x", $0) }.joined()
    #expect(manifest["spec_sha256"] as? String == digest)
    #expect(
      FileManager.default.fileExists(atPath: run.appendingPathComponent("model.safetensors").path))

    // The resolved spec is complete: validating it prints it unchanged.
    let specPath = run.appendingPathComponent("spec.yaml").path
    let again = try RunnerProcess.run(["validate", specPath], in: workspace)
    #expect(again.status == 0, "\(again.errors)")
    #expect(again.output == String(decoding: specData, as: UTF8.self))
    #expect(again.output.contains("input: 50"))
    #expect(again.output.contains("output: 8"))
  }

  @Test func sameSeedTwiceGivesIdenticalResults() throws {
    let workspace = try Self.workspace()
    for _ in 0..<2 {
      let result = try RunnerProcess.run(["spec.yaml", "--quiet"], in: workspace)
      #expect(result.status == 0, "\(result.errors)")
    }
    let runs = try Self.runs(in: workspace)
    try #require(runs.count == 2)
    #expect(runs[0].lastPathComponent < runs[1].lastPathComponent)
    // Wall-clock columns (seconds, tokens_per_second) aside, the files agree to the last digit.
    let timeless = try runs.map { try Self.csvRows($0).map { Array($0.prefix(5)) } }
    #expect(timeless[0] == timeless[1])
    let models = try runs.map {
      try Data(contentsOf: $0.appendingPathComponent("model.safetensors"))
    }
    #expect(models[0] == models[1])
    let specs = try runs.map { try Data(contentsOf: $0.appendingPathComponent("spec.yaml")) }
    #expect(specs[0] == specs[1])
  }

  @Test func overridesApplyBeforeValidation() throws {
    let workspace = try Self.workspace()
    let result = try RunnerProcess.run(
      ["validate", "spec.yaml", "model.hidden=5", "training.epoch=2"], in: workspace)
    #expect(result.status == 2)
    #expect(result.errors.hasPrefix("<override 2>:1:"), "\(result.errors)")
    #expect(result.errors.contains("did you mean 'epochs'?"))

    let valid = try RunnerProcess.run(
      ["validate", "spec.yaml", "model.hidden=5", "output.formats=[csv]"], in: workspace)
    #expect(valid.status == 0, "\(valid.errors)")
    #expect(valid.output.contains("hidden: 5"))
    #expect(valid.output.contains("formats: [csv]"))
  }

  @Test func aBadSpecExitsTwoWithItsLocation() throws {
    let workspace = try Self.workspace(
      Self.spec.replacingOccurrences(of: "epochs: 3", with: "epochs: 0"))
    let result = try RunnerProcess.run(["spec.yaml"], in: workspace)
    #expect(result.status == 2)
    // `epochs: 0` is line 16 of the spec; the value starts in column 11.
    #expect(result.errors.hasPrefix("spec.yaml:16:11: error:"), "\(result.errors)")
    #expect(result.errors.contains("training.epochs"))
    #expect(!FileManager.default.fileExists(atPath: workspace.appendingPathComponent("out").path))

    let missing = try RunnerProcess.run(["nowhere.yaml"], in: workspace)
    #expect(missing.status == 2)
    #expect(missing.errors.contains("nowhere.yaml"))

    let unknownOverride = try RunnerProcess.run(
      ["validate", "spec.yaml", "model.hiden=3"], in: workspace)
    #expect(unknownOverride.status == 2)
    #expect(unknownOverride.errors.contains("did you mean 'hidden'?"), "\(unknownOverride.errors)")
  }

  @Test func aDivergedRunExitsOneAndKeepsWhatItWrote() throws {
    let workspace = try Self.workspace()
    let result = try RunnerProcess.run(
      ["spec.yaml", "optimizer.learning_rate=1e300"], in: workspace)
    #expect(result.status == 1)
    #expect(result.output.contains("diverged"))
    let run = try #require(try Self.runs(in: workspace).first)
    let manifest = try Self.json(run.appendingPathComponent("manifest.json"))
    #expect(manifest["status"] as? String == "diverged")
    #expect((manifest["message"] as? String)?.contains("diverged") == true)
    #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent("spec.yaml").path))
  }

  @Test func gradcheckPassesOnTheSpecModel() throws {
    let workspace = try Self.workspace()
    for activation in ["tanh", "sigmoid"] {
      let result = try RunnerProcess.run(
        ["gradcheck", "spec.yaml", "model.activation=\(activation)"], in: workspace)
      #expect(result.status == 0, "\(result.output)\(result.errors)")
      for key in ["forward.U", "forward.W", "backward.W", "output.V", "output.d"] {
        #expect(result.output.contains(key))
      }
      #expect(!result.output.contains("FAIL"))
    }
  }

  @Test func listDescribesComponents() throws {
    let workspace = try Self.workspace()
    let models = try RunnerProcess.run(["list", "models"], in: workspace)
    #expect(models.status == 0)
    for word in ["rnn", "brnn", "hidden", "cell", "layers", "layer_dropout", "inferred"] {
      #expect(models.output.contains(word))
    }
    let cells = try RunnerProcess.run(["list", "cells"], in: workspace)
    for word in ["elman", "lstm", "gru", "activation", "forget_bias", "peepholes"] {
      #expect(cells.output.contains(word))
    }
    #expect(!models.output.contains("synthetic-tagging"))
    let all = try RunnerProcess.run(["list"], in: workspace)
    for word in [
      "datasets", "synthetic-tagging", "optimizers", "sgd", "activations", "relu", "metrics",
      "accuracy",
    ] {
      #expect(all.output.contains(word))
    }
    let typo = try RunnerProcess.run(["list", "modles"], in: workspace)
    #expect(typo.status == 2)
    #expect(typo.errors.contains("did you mean 'models'?"))
  }

  /// A run killed with SIGKILL and resumed ends with exactly the metrics and weights of one that
  /// never stopped. A resume while the run lives is refused; so are a second resume and a run
  /// into the folder while the first resume runs; the resume removes the temporaries the killed
  /// run left.
  @Test func aKilledRunResumesToTheSameResult() throws {
    // Long enough (about 5 s on a quiet machine) that the resume still runs while two more
    // processes start and are refused.
    let longer = Self.spec.replacingOccurrences(
      of: "train_sequences: 60", with: "train_sequences: 12000"
    )
    .replacingOccurrences(of: "epochs: 3", with: "epochs: 6")
    .replacingOccurrences(of: "type: sgd", with: "type: adam")
    .replacingOccurrences(of: "learning_rate: 0.1", with: "learning_rate: 0.01")
    let workspace = try Self.workspace(longer)
    let straight = try RunnerProcess.run(["spec.yaml", "--quiet"], in: workspace)
    #expect(straight.status == 0, "\(straight.errors)")

    let process = try RunnerProcess.start(["spec.yaml", "--quiet"], in: workspace)
    // Kill it once its first checkpoint exists, at whatever point it has reached since.
    var killedRun: URL?
    _ = try RunnerProcess.wait(seconds: 120) {
      killedRun = try Self.runs(in: workspace).dropFirst().first { run in
        FileManager.default.fileExists(atPath: run.appendingPathComponent("checkpoint").path)
      }
      return killedRun != nil || !process.isRunning
    }
    let run = try #require(killedRun, "the second run made no checkpoint")
    let early = try RunnerProcess.run(["resume", run.path, "--quiet"], in: workspace)
    #expect(early.status == 2)
    #expect(
      early.errors.contains("\(run.path) is in use by runner process \(process.processIdentifier)"),
      "\(early.errors)")
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    let manifest = try Self.json(run.appendingPathComponent("manifest.json"))
    try #require(
      manifest["status"] as? String == "running", "the run finished before it could be killed")
    let stale = [
      run.appendingPathComponent(".metrics.json.tmp-\(process.processIdentifier)"),
      run.appendingPathComponent(".checkpoint.tmp-\(process.processIdentifier)"),
    ]
    try Data("{\"colu".utf8).write(to: stale[0])
    try FileManager.default.createDirectory(at: stale[1], withIntermediateDirectories: false)
    try Data([7]).write(to: stale[1].appendingPathComponent("trainer.json"))

    let resuming = try RunnerProcess.start(["resume", run.path, "--quiet"], in: workspace)
    let owned = RunnerProcess.wait(seconds: 30) {
      RunnerProcess.lockHolder(run) == resuming.processIdentifier
    }
    #expect(owned)
    let second = try RunnerProcess.run(["resume", run.path, "--quiet"], in: workspace)
    #expect(second.status == 2)
    #expect(
      second.errors.contains(
        "\(run.path) is in use by runner process \(resuming.processIdentifier)"),
      "\(second.errors)")
    // A run into the folder is refused before its spec matters: a small one builds fast.
    try Self.spec.write(
      to: workspace.appendingPathComponent("small.yaml"), atomically: true, encoding: .utf8)
    let into = try RunnerProcess.run(
      ["small.yaml", "--quiet", "--run-directory", run.path], in: workspace)
    #expect(into.status == 2)
    #expect(
      into.errors.contains("\(run.path) is in use by runner process \(resuming.processIdentifier)"),
      "\(into.errors)")
    #expect(resuming.isRunning, "the resume ended before the others could meet it")
    resuming.waitUntilExit()
    #expect(resuming.terminationStatus == 0)
    let runs = try Self.runs(in: workspace)
    let timeless = try runs.map { try Self.csvRows($0).map { Array($0.prefix(5)) } }
    #expect(timeless[1].count == 1 + 6 * 3)
    #expect(timeless[0] == timeless[1])
    let models = try runs.map {
      try Data(contentsOf: $0.appendingPathComponent("model.safetensors"))
    }
    #expect(models[0] == models[1])
    // The event file holds the header (step 0 twice) and every epoch once.
    #expect(try EventFileSteps.steps(inRun: run) == [0, 0, 1, 2, 3, 4, 5, 6])
    let after = try Self.json(run.appendingPathComponent("manifest.json"))
    #expect(after["status"] as? String == "completed")
    #expect((after["resumed"] as? [String])?.count == 1)
    for url in stale {
      #expect(!FileManager.default.fileExists(atPath: url.path), "\(url.lastPathComponent)")
    }
  }

  @Test func resumeRefusesWhatItCannotContinue() throws {
    let workspace = try Self.workspace()
    #expect(try RunnerProcess.run(["spec.yaml", "--quiet"], in: workspace).status == 0)
    let run = try #require(try Self.runs(in: workspace).first)
    let metricsBefore = try Data(contentsOf: run.appendingPathComponent("metrics.csv"))

    let completed = try RunnerProcess.run(["resume", run.path], in: workspace)
    #expect(completed.status == 2)
    #expect(completed.errors.contains("completed"))

    // Pretend it was killed, then damage its checkpoint.
    let manifestURL = run.appendingPathComponent("manifest.json")
    let manifest = try String(contentsOf: manifestURL, encoding: .utf8)
      .replacingOccurrences(of: "\"completed\"", with: "\"running\"")
    try manifest.write(to: manifestURL, atomically: true, encoding: .utf8)
    let model = run.appendingPathComponent("checkpoint/model.safetensors")
    let bytes = try Data(contentsOf: model)
    try bytes.prefix(bytes.count / 2).write(to: model)
    let corrupt = try RunnerProcess.run(["resume", run.path], in: workspace)
    #expect(corrupt.status == 2)
    #expect(corrupt.errors.contains("checkpoint/model.safetensors"), "\(corrupt.errors)")
    #expect(corrupt.errors.contains("truncated"))

    // A spec edited after the run started is refused too.
    let specURL = run.appendingPathComponent("spec.yaml")
    let spec = try String(contentsOf: specURL, encoding: .utf8)
    try spec.replacingOccurrences(of: "hidden: 8", with: "hidden: 9")
      .write(to: specURL, atomically: true, encoding: .utf8)
    let edited = try RunnerProcess.run(["resume", run.path], in: workspace)
    #expect(edited.status == 2)
    #expect(edited.errors.contains("changed since the run started"))
    #expect(try Data(contentsOf: run.appendingPathComponent("metrics.csv")) == metricsBefore)
  }

  @Test func earlyStoppingKeepsTheBestModel() throws {
    let workspace = try Self.workspace(
      Self.spec.replacingOccurrences(of: "epochs: 3", with: "epochs: 20")
        .replacingOccurrences(
          of: "batch_size: 8",
          with: "batch_size: 8\n  early_stopping: {metric: dev.loss, patience: 2, min_delta: 100}"))
    let result = try RunnerProcess.run(["spec.yaml"], in: workspace)
    #expect(result.status == 0, "\(result.errors)")
    #expect(result.output.contains("stopped early after epoch 3"))
    let run = try #require(try Self.runs(in: workspace).first)
    #expect(try Self.csvRows(run).count == 1 + 3 * 3)
    let best = try Data(contentsOf: run.appendingPathComponent("model-best.safetensors"))
    let last = try Data(contentsOf: run.appendingPathComponent("model.safetensors"))
    #expect(best != last)
  }

  @Test func evaluateAndExportAFinishedRun() throws {
    let workspace = try Self.workspace()
    #expect(try RunnerProcess.run(["spec.yaml", "--quiet"], in: workspace).status == 0)
    let run = try #require(try Self.runs(in: workspace).first)

    let evaluation = try RunnerProcess.run(
      ["evaluate", run.path, "--split", "test"], in: workspace)
    #expect(evaluation.status == 0, "\(evaluation.errors)")
    #expect(evaluation.output.hasPrefix("test"))
    struct Evaluation: Decodable {
      var model: String
      var splits: [String: [String: Double]]
    }
    let written = try JSONDecoder().decode(
      Evaluation.self, from: Data(contentsOf: run.appendingPathComponent("evaluation.json")))
    let finalTest = try #require(try Self.csvRows(run).last)
    #expect(finalTest[1] == "test")
    #expect(written.model == "model.safetensors")
    #expect(written.splits["test"]?["loss"] == Double(finalTest[2]))
    #expect(written.splits["test"]?["accuracy"] == Double(finalTest[3]))

    let export = try RunnerProcess.run(["export", run.path], in: workspace)
    #expect(export.status == 0, "\(export.errors)")
    let description = try Self.json(run.appendingPathComponent("export/model.json"))
    #expect(description["model"] as? String == "brnn")
    #expect(description["input_size"] as? Int == 50)
    #expect((description["labels"] as? [String])?.count == 8)

    let best = try RunnerProcess.run(["evaluate", run.path, "--best"], in: workspace)
    #expect(best.status == 2)
    #expect(best.errors.contains("model-best.safetensors"))
    let generated = try RunnerProcess.run(
      ["evaluate", run.path, "--data", "spec.yaml"], in: workspace)
    #expect(generated.status == 2)
    #expect(generated.errors.contains("generates its data"))
    let words = try RunnerProcess.run(["predict", run.path, "spec.yaml", "--text"], in: workspace)
    #expect(words.status == 2)
    #expect(words.errors.contains("does not hold words"))
    let nowhere = try RunnerProcess.run(["export", "nowhere"], in: workspace)
    #expect(nowhere.status == 2)
    #expect(nowhere.errors.contains("not a run directory"))
  }
}

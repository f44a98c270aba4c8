import Experiments
import Foundation
import Recur
import Tensors
import Testing
import YAMLSpec

@Suite struct TrainedRunTests {
  struct Silent: RunObserver {
    func runStarted(_ experiment: Experiment, directory: RunDirectory, resumingAfter epoch: Int) {}
    func batchFinished(epoch: Int, batch: Int, of batches: Int) {}
    func epochFinished(_ records: [EpochRecord], of epochs: Int) {}
  }

  static let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  /// Trains a tiny BRNN into a scratch folder and returns its run.
  static func trainedRun() throws -> RunOutcome {
    try trainedRun(
      dataset: "{type: synthetic-tagging, \(splits), max_length: 7}",
      model: "{type: brnn, hidden: 5, activation: sigmoid}", metrics: "[accuracy]",
      learningRate: 0.5, epochs: 2)
  }

  static let splits = "train_sequences: 40, dev_sequences: 6, test_sequences: 4"

  /// Trains a model briefly on a dataset (the spec's `dataset:` and `model:` mappings) in a
  /// scratch folder and returns its run.
  static func trainedRun(
    dataset: String, model: String, metrics: String, learningRate: Double = 0.1,
    epochs: Int = 1
  ) throws -> RunOutcome {
    let root = FileManager.default.temporaryDirectory
      .appendingPathComponent("recur-trained-\(UUID().uuidString)")
    let spec = """
      name: tiny
      seed: 2
      dataset: \(dataset)
      model: \(model)
      optimizer: {type: sgd, learning_rate: \(learningRate)}
      training: {epochs: \(epochs), batch_size: 8, metrics: \(metrics)}
      output: {dir: "\(root.path)"}
      """
    let experiment = try Experiment(spec: SpecNode.parse(spec, sourceName: "tiny.yaml"))
    return try ExperimentRun.run(experiment, commandLine: ["test"], observer: Silent())
  }

  @Test func evaluationReproducesTheLastEpoch() throws {
    let outcome = try Self.trainedRun()
    #expect(outcome.status == .completed)
    let trained = try TrainedRun.load(outcome.directory.url)
    let dev = try trained.evaluate(.dev)
    let recorded = try #require(outcome.records.last { $0.split == .dev })
    #expect(dev.loss == recorded.loss)
    #expect(dev.value(of: "accuracy") == recorded.value(of: "accuracy"))
  }

  @Test func aMissingBestModelIsAnError() throws {
    let outcome = try Self.trainedRun()
    #expect(throws: TrainedRun.LoadError.self) {
      try TrainedRun.load(outcome.directory.url, best: true)
    }
  }

  /// A model the export tests train briefly and export: the spec's `dataset:` and `model:`.
  struct ExportCase: CustomTestStringConvertible, Sendable {
    var name: String
    var dataset: String
    var model: String
    var metrics = "[accuracy]"
    var testDescription: String { name }
  }

  static let words = "{type: synthetic-tagging, \(splits), max_length: 7}"
  static let parity = "{type: parity, \(splits), max_length: 6}"
  static let adding = "{type: adding, \(splits), min_length: 3, max_length: 6}"
  static let reverse = "{type: reverse, \(splits), max_length: 6, symbols: 5}"

  /// Every cell (Elman with a non-tanh activation, LSTM with peepholes), stacked layers, rnn and
  /// brnn, framewise and sequence tasks, classes and regression, sparse and dense inputs, and a
  /// network without biases.
  static let numpyCases: [ExportCase] = [
    ExportCase(
      name: "elman sigmoid brnn, framewise classes", dataset: words,
      model: "{type: brnn, hidden: 5, activation: sigmoid}"),
    ExportCase(
      name: "lstm with peepholes brnn, sequence classes", dataset: parity,
      model: "{type: brnn, hidden: 4, cell: lstm, peepholes: true, forget_bias: 1}"),
    ExportCase(
      name: "gru rnn, sequence regression", dataset: adding,
      model: "{type: rnn, hidden: 4, cell: gru}", metrics: "[mse]"),
    ExportCase(
      name: "2-layer lstm brnn, framewise classes", dataset: reverse,
      model: "{type: brnn, hidden: 4, cell: lstm, layers: 2, layer_dropout: 0.2}"),
    ExportCase(
      name: "2-layer gru brnn without biases", dataset: reverse,
      model: "{type: brnn, hidden: 3, cell: gru, layers: 2, bias: false}"),
    ExportCase(
      name: "2-layer elman relu rnn, framewise regression", dataset: csvRegression,
      model: "{type: rnn, hidden: 4, layers: 2, activation: relu}", metrics: "[mse]"),
  ]

  /// PyTorch's three modules, one and two layers, rnn and brnn, classes and regression.
  static let torchCases: [ExportCase] = [
    ExportCase(
      name: "elman tanh brnn", dataset: words, model: "{type: brnn, hidden: 5}"),
    ExportCase(
      name: "lstm brnn, sequence classes", dataset: parity,
      model: "{type: brnn, hidden: 4, cell: lstm, forget_bias: 1}"),
    ExportCase(
      name: "gru rnn, sequence regression", dataset: adding,
      model: "{type: rnn, hidden: 4, cell: gru}", metrics: "[mse]"),
    ExportCase(
      name: "2-layer lstm brnn, framewise regression", dataset: csvRegression,
      model: "{type: brnn, hidden: 3, cell: lstm, layers: 2}", metrics: "[mse]"),
    ExportCase(
      name: "2-layer gru brnn without biases", dataset: reverse,
      model: "{type: brnn, hidden: 3, cell: gru, layers: 2, bias: false}"),
  ]

  /// A `csv-sequences` dataset of framewise regression; `exported` writes `CSV_FILE`.
  static let csvRegression =
    "{type: csv-sequences, train: CSV_FILE, dev: CSV_FILE, task: framewise-regression}"

  /// Writes a scratch CSV file of 12 sequences of 2 to 5 steps, two features, the label a sum
  /// of them, and returns its path.
  static func regressionFile() throws -> String {
    let file = FileManager.default.temporaryDirectory
      .appendingPathComponent("recur-regression-\(UUID().uuidString).csv")
    var lines = ["sequence,x1,x2,label"]
    for s in 0..<12 {
      for t in 0..<(2 + s % 4) {
        let (x1, x2) = (Double((s * 7 + t * 3) % 11) / 10 - 0.5, Double((s + t) % 5) / 4)
        lines.append("s\(s),\(x1),\(x2),\(x1 + 0.5 * x2)")
      }
    }
    try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
    return file.path
  }

  /// Trains `c`'s model for an epoch, replaces its weights by draws uniform in ±1 (so that
  /// every parameter, the peepholes and `c_hn` included, shapes the outputs, which a brief
  /// training from zero would not ensure), exports it in `format`, and returns the run, the
  /// export folder and the dev examples.
  static func exported(
    _ c: ExportCase, format: TrainedRun.ExportFormat
  ) throws -> (TrainedRun, URL, [SequenceExample]) {
    let dataset =
      c.dataset.contains("CSV_FILE")
      ? c.dataset.replacingOccurrences(of: "CSV_FILE", with: "\"\(try regressionFile())\"")
      : c.dataset
    let outcome = try trainedRun(dataset: dataset, model: c.model, metrics: c.metrics)
    #expect(outcome.status == .completed)
    let trained = try TrainedRun.load(outcome.directory.url)
    var generator = SeededGenerator(seed: 11)
    for index in trained.network.parameters.values.indices {
      for entry in trained.network.parameters.values[index].elements.indices {
        trained.network.parameters.values[index].elements[entry] = Float(
          generator.uniform(in: -1...1))
      }
    }
    let folder = outcome.directory.path("export-\(format.rawValue)")
    try trained.export(to: folder, format: format)
    return (trained, folder, trained.experiment.dataset.examples(.dev))
  }

  /// Recur's own outputs per example, as the scripts print them: per sequence its rows (T for a
  /// framewise task, one for a sequence task) of K probabilities, or K outputs for regression.
  static func recurOutputs(_ trained: TrainedRun, _ examples: [SequenceExample]) -> [[[Double]]]
  {
    let shape = trained.experiment.model.shape
    let batch = SequenceBatch<Float>(
      examples: examples, task: shape.task, inputSize: shape.inputSize)
    let flat =
      shape.task.isRegression
      ? trained.network.evaluate(batch).outputs : trained.network.probabilities(for: batch)
    let k = shape.outputSize
    return examples.enumerated().map { b, example in
      let rows = shape.task.isFramewise ? (0..<example.length).map { $0 * examples.count + b } : [b]
      return rows.map { Array(flat[($0 * k)..<(($0 + 1) * k)]) }
    }
  }

  /// Runs an example script on the exported folder with the examples' inputs; nil without NumPy.
  static func scriptOutputs(
    _ script: String, folder: URL, examples: [SequenceExample]
  ) throws -> [[[Double]]]? {
    var dense = false
    let sequences: [Any] = examples.map { example -> Any in
      switch example.inputs {
      case .sparse(let steps): return steps
      case .dense(let values, let width):
        dense = true
        return stride(from: 0, to: values.count, by: width).map {
          values[$0..<($0 + width)].map(Double.init)
        }
      }
    }
    let inputs = folder.appendingPathComponent("inputs.json")
    try JSONSerialization.data(withJSONObject: ["sequences": sequences, "dense": dense])
      .write(to: inputs)
    let path = packageRoot.appendingPathComponent("examples/\(script)").path
    guard let output = try Python.run([path, folder.path, inputs.path]) else { return nil }
    struct Output: Decodable {
      var probabilities: [[[Double]]]?
      var outputs: [[[Double]]]?
    }
    let decoded = try JSONDecoder().decode(Output.self, from: Data(output.utf8))
    let rows: [[[Double]]] = try #require(
      decoded.probabilities ?? decoded.outputs, "the script printed neither probabilities nor outputs")
    return rows
  }

  /// The largest difference between two nested outputs of the same shape (infinity otherwise).
  static func largestDifference(_ a: [[[Double]]], _ b: [[[Double]]]) -> Double {
    guard a.count == b.count, zip(a, b).allSatisfy({ $0.count == $1.count }),
      zip(a.joined(), b.joined()).allSatisfy({ $0.count == $1.count })
    else { return .infinity }
    return zip(a.joined(), b.joined()).flatMap { zip($0, $1).map { abs($0 - $1) } }.max() ?? 0
  }

  /// The exported model, run by examples/numpy_forward.py in Float64, gives the probabilities
  /// (or regression outputs) Recur's Float32 forward pass gives, sequence by sequence.
  @Test(arguments: numpyCases) func numpyRebuildsTheForwardPass(_ c: ExportCase) throws {
    let (trained, folder, examples) = try Self.exported(c, format: .recur)
    guard
      let outputs = try Self.scriptOutputs("numpy_forward.py", folder: folder, examples: examples)
    else { return }
    let recur = Self.recurOutputs(trained, examples)
    #expect(Self.largestDifference(outputs, recur) < 1e-4)
  }

  /// `--format torch` writes PyTorch's state-dict names and shapes, holding Recur's weights
  /// transposed, and PyTorch's own equations on them (examples/torch_forward_check.py, which
  /// also runs nn.RNN/LSTM/GRU when torch is installed) give Recur's outputs.
  @Test(arguments: torchCases) func torchExportFollowsPyTorch(_ c: ExportCase) throws {
    let (trained, folder, examples) = try Self.exported(c, format: .torch)
    let shape = trained.experiment.model.shape
    let (i, h, k) = (shape.inputSize, shape.hiddenSize, shape.outputSize)
    let d = shape.directions.count
    let g = ["elman": 1, "lstm": 4, "gru": 3][trained.experiment.model.cell.name]!
    var expected: [String: [Int]] = ["output.weight": [k, d * h]]
    if shape.bias { expected["output.bias"] = [k] }
    for l in 0..<shape.layers {
      for direction in shape.directions {
        let suffix = "_l\(l)" + (direction == .backward ? "_reverse" : "")
        expected["rnn.weight_ih" + suffix] = [g * h, l == 0 ? i : d * h]
        expected["rnn.weight_hh" + suffix] = [g * h, h]
        if shape.bias {
          expected["rnn.bias_ih" + suffix] = [g * h]
          expected["rnn.bias_hh" + suffix] = [g * h]
        }
      }
    }
    let file = folder.appendingPathComponent("model.safetensors")
    #expect(try Self.safetensorsShapes(file) == expected)

    let torch = try SafeTensors.decode(Data(contentsOf: file)).tensors
    let recur = trained.network.parameters
    for l in 0..<shape.layers {
      for direction in shape.directions {
        let suffix = "_l\(l)" + (direction == .backward ? "_reverse" : "")
        func key(_ role: ParameterKey.Role) -> String {
          ParameterKey(layer: shape.layers > 1 ? l : nil, direction: direction, role: role)
            .description
        }
        #expect(torch["rnn.weight_ih" + suffix] == recur[key(.input)]?.transposed())
        #expect(torch["rnn.weight_hh" + suffix] == recur[key(.recurrent)]?.transposed())
        guard shape.bias else { continue }
        #expect(torch["rnn.bias_ih" + suffix] == recur[key(.bias)])
        let hn = recur[key(.cell("c_hn"))]?.elements ?? []
        #expect(
          torch["rnn.bias_hh" + suffix]?.elements
            == (0..<(g * h)).map { hn.isEmpty || $0 < 2 * h ? 0 : hn[$0 - 2 * h] })
      }
    }
    #expect(torch["output.weight"] == recur["output.V"]?.transposed())
    #expect(torch["output.bias"] == recur["output.d"])
    let description = try JSONSerialization.jsonObject(
      with: Data(contentsOf: folder.appendingPathComponent("model.json"))) as? [String: Any]
    #expect(description?["format"] as? String == "recur-rnn-torch")

    guard
      let outputs = try Self.scriptOutputs(
        "torch_forward_check.py", folder: folder, examples: examples)
    else { return }
    #expect(Self.largestDifference(outputs, Self.recurOutputs(trained, examples)) < 1e-4)
  }

  /// The names and shapes in a safetensors file's header, read by hand.
  static func safetensorsShapes(_ file: URL) throws -> [String: [Int]] {
    let data = try Data(contentsOf: file)
    let length = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
    let header = try #require(
      try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + length)))
        as? [String: [String: Any]])
    return try header.mapValues { try #require($0["shape"] as? [Int]) }
  }

  /// A model PyTorch's modules cannot express is an error naming what is missing, and nothing
  /// is written.
  @Test(arguments: [
    ("{type: rnn, hidden: 3, activation: sigmoid}", "tanh and relu only, not sigmoid"),
    ("{type: rnn, hidden: 3, cell: lstm, peepholes: true}", "nn.LSTM has no peepholes"),
  ])
  func torchExportRefusesWhatPyTorchLacks(model: String, message: String) throws {
    let outcome = try Self.trainedRun(dataset: Self.parity, model: model, metrics: "[accuracy]")
    let trained = try TrainedRun.load(outcome.directory.url)
    let folder = outcome.directory.path("export")
    let error = try #require(throws: TrainedRun.ExportError.self) {
      try trained.export(to: folder, format: .torch)
    }
    #expect(error.description.contains(message))
    #expect(error.description.contains("--format recur"))
    #expect(!FileManager.default.fileExists(atPath: folder.path))
  }

  /// The README shows the script a reader can copy; it must be the one the test runs.
  @Test func theReadmeShowsTheTestedScript() throws {
    let readme = try String(
      contentsOf: Self.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
    let script = try String(
      contentsOf: Self.packageRoot.appendingPathComponent("examples/numpy_forward.py"),
      encoding: .utf8)
    #expect(readme.contains(script))
  }
}

import Foundation
import Recur
import Tensors

/// A finished run's experiment and trained network, loaded back from its run directory.
public struct TrainedRun {
  public var experiment: Experiment
  public var network: RecurrentNetwork<Float>
  public var directory: RunDirectory
  /// The weights file the network was read from.
  public var weightsFile: String

  /// A run directory whose model cannot be loaded.
  public struct LoadError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "\(path): \(reason)" }
  }

  /// Rebuilds the run's experiment from its `spec.yaml` and reads `model.safetensors` (or, with
  /// `best`, `model-best.safetensors`, which runs with early stopping write).
  public static func load(_ url: URL, best: Bool = false) throws -> TrainedRun {
    let directory = RunDirectory(url: url, id: url.lastPathComponent)
    let specPath = directory.path("spec.yaml").path
    guard FileManager.default.fileExists(atPath: specPath) else {
      throw LoadError(path: url.path, reason: "no spec.yaml: not a run directory")
    }
    let experiment = try Experiment(loading: specPath)
    let file = best ? "model-best.safetensors" : "model.safetensors"
    let weightsURL = directory.path(file)
    guard let data = FileManager.default.contents(atPath: weightsURL.path) else {
      throw LoadError(
        path: weightsURL.path,
        reason: best
          ? "missing: only runs with training.early_stopping keep a best model"
          : "missing: the run has not completed")
    }
    let parameters: ParameterSet<Float>
    do {
      parameters = try SafeTensors.decode(data).tensors
    } catch {
      throw LoadError(path: weightsURL.path, reason: error.description)
    }
    let expected = RecurrentNetwork<Float>.parameterShapes(for: experiment.model.shape)
    guard
      parameters.keys == expected.map(\.key),
      zip(parameters.values, expected).allSatisfy({ $0.rows == $1.rows && $0.columns == $1.columns }
      )
    else {
      throw LoadError(
        path: weightsURL.path, reason: "the weights do not fit the model of the run's spec.yaml")
    }
    let network = RecurrentNetwork<Float>(
      shape: experiment.model.shape, activation: experiment.model.activation,
      parameters: parameters)
    return TrainedRun(
      experiment: experiment, network: network, directory: directory, weightsFile: file)
  }

  /// Loss and metrics of the trained network on `split`.
  public func evaluate(_ split: Split) throws -> EpochRecord {
    try evaluate(split, of: experiment.dataset)
  }

  /// Loss and metrics of the trained network on a file in the dataset's format, reported as the
  /// `test` split.
  public func evaluate(file path: String) throws -> EpochRecord {
    let examples = try experiment.dataset.examples(readingFile: path)
    return try evaluate(.test, of: HeldOutFile(info: experiment.dataset.info, test: examples))
  }

  private func evaluate(_ split: Split, of dataset: any Dataset) throws -> EpochRecord {
    let trainer = Trainer(
      network: network, optimizer: experiment.optimizer.optimizer, dataset: dataset,
      plan: experiment.plan, learningRate: experiment.optimizer.learningRate,
      metrics: experiment.metrics, shuffler: SeededGenerator(seed: experiment.seed))
    return try trainer.evaluate(split, epoch: 0, learningRate: experiment.optimizer.learningRate)
  }

  /// A file's examples standing in as a dataset's test split.
  private struct HeldOutFile: Dataset {
    let info: DatasetInfo
    let test: [SequenceExample]

    func examples(_ split: Split) -> [SequenceExample] { split == .test ? test : [] }
  }

  /// Writes `evaluation.json` into the run directory: the weights file measured and, per split,
  /// the loss and the metrics.
  public func writeEvaluation(_ records: [EpochRecord]) throws {
    var splits: [String: JSONValue] = [:]
    for record in records {
      var values: [String: JSONValue] = ["loss": .number(record.loss)]
      for metric in record.metrics {
        values[metric.name] = metric.value.map(JSONValue.number) ?? .null
      }
      splits[record.split.rawValue] = .object(values)
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let document = JSONValue.object(["model": .string(weightsFile), "splits": .object(splits)])
    try directory.write(try encoder.encode(document) + Data("\n".utf8), to: "evaluation.json")
  }

  /// Writes the model for use outside Recur: `model.safetensors` (the weights) and `model.json`
  /// (architecture, sizes, activation, task, tensor shapes and the label set), complete enough to
  /// rebuild the forward pass in a few lines of NumPy.
  public func export(to folder: URL) throws {
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let target = RunDirectory(url: folder, id: folder.lastPathComponent)
    let shape = experiment.model.shape
    let description: JSONValue = .object([
      "format": .string("recur-rnn"),
      "format_version": .integer(1),
      "runner_version": .string(runnerVersion),
      "model": .string(experiment.modelType),
      "directions": .array(shape.directions.map { .string($0.rawValue) }),
      "input_size": .integer(shape.inputSize),
      "hidden_size": .integer(shape.hiddenSize),
      "output_size": .integer(shape.outputSize),
      "activation": .string(experiment.model.activation.name),
      "bias": .bool(shape.bias),
      "task": .string(shape.task.rawValue),
      "inputs": .string(
        "one row of I features per step; for word inputs, the indices of the active features"),
      "labels": .array(experiment.dataset.info.labels.map(JSONValue.string)),
      "tensors": .object(
        Dictionary(
          uniqueKeysWithValues: zip(network.parameters.keys, network.parameters.values).map {
            ($0, JSONValue.array([.integer($1.rows), .integer($1.columns)]))
          })),
      "source_run": .string(directory.url.path),
      "weights": .string(weightsFile),
    ])
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    try target.write(SafeTensors.encode(network.parameters), to: "model.safetensors")
    try target.write(try encoder.encode(description) + Data("\n".utf8), to: "model.json")
  }
}

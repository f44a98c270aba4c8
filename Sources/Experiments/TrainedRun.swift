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
  public static func load(
    _ url: URL, best: Bool = false, registry: Registry = .standard
  ) throws -> TrainedRun {
    let directory = RunDirectory(url: url, id: url.lastPathComponent)
    let specPath = directory.path("spec.yaml").path
    guard FileManager.default.fileExists(atPath: specPath) else {
      throw LoadError(path: url.path, reason: "no spec.yaml: not a run directory")
    }
    let experiment = try Experiment.stored(in: url, registry: registry)
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
    let expected = experiment.model.parameterShapes
    guard
      parameters.keys == expected.map(\.key),
      zip(parameters.values, expected).allSatisfy({ $0.rows == $1.rows && $0.columns == $1.columns }
      )
    else {
      throw LoadError(
        path: weightsURL.path, reason: "the weights do not fit the model of the run's spec.yaml")
    }
    let network = experiment.network(parameters: parameters)
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
    let trainer = experiment.trainer(for: network, on: dataset)
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

  /// The layout an export writes.
  public enum ExportFormat: String, Sendable, CaseIterable {
    /// Recur's own keys and layouts (`forward.U`, row vectors: `a = x U`).
    case recur
    /// PyTorch's state-dict names and layouts for `nn.RNN`/`nn.LSTM`/`nn.GRU` named `rnn` plus
    /// `nn.Linear` named `output` (`rnn.weight_ih_l0` = Uᵀ, `output.weight` = Vᵀ, …).
    case torch
  }

  /// A model that the chosen format cannot express.
  public struct ExportError: Error, Sendable, CustomStringConvertible {
    public var description: String
  }

  /// Writes the model for use outside Recur: `model.safetensors` (the weights, in `format`'s
  /// names and layouts) and `model.json` (architecture, the equations and their layout, sizes,
  /// gate order, which biases exist, task, tensor shapes and the label set), complete enough to
  /// rebuild the forward pass in a few lines of NumPy, or to load into PyTorch as it is.
  public func export(to folder: URL, format: ExportFormat = .recur) throws {
    let tensors = format == .torch ? try torchTensors() : network.parameters
    // PyTorch's biases are vectors; Recur's are 1 × n matrices.
    let vectors =
      format == .torch ? Set(tensors.keys.filter { $0.contains("bias") }) : Set<String>()
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let target = RunDirectory(url: folder, id: folder.lastPathComponent)
    let shape = experiment.model.shape
    let cell = experiment.model.cell
    var description: [String: JSONValue] = [
      "format": .string(format == .torch ? "recur-rnn-torch" : "recur-rnn"),
      "format_version": .integer(2),
      "runner_version": .string(runnerVersion),
      "model": .string(experiment.modelType),
      "cell": .string(cell.name),
      "layers": .integer(shape.layers),
      "directions": .array(shape.directions.map { .string($0.rawValue) }),
      "input_size": .integer(shape.inputSize),
      "hidden_size": .integer(shape.hiddenSize),
      "output_size": .integer(shape.outputSize),
      "bias": .bool(shape.bias),
      "task": .string(shape.task.rawValue),
      "gates": .array(cell.gates.map(JSONValue.string)),
      "equations": .array(cell.equations.map(JSONValue.string)),
      "layout": .string(
        format == .torch
          ? "PyTorch: column vectors, weight_ih_lK = U^T (G*H x inputs), weight_hh_lK = W^T, "
            + "gate blocks of H rows in the order of 'gates'; _reverse is the backward "
            + "direction; output.weight = V^T"
          : "row vectors: a = x U + h_prev W + c, U is inputs x G*H, W is H x G*H, gate "
            + "blocks of H columns in the order of 'gates'; a layer above the first reads "
            + "[forward, backward] of the layer below; logits = [h_forward, h_backward] V + d"),
      "inputs": .string(
        "one row of I features per step; for word inputs, the indices of the active features"),
      "labels": .array(experiment.dataset.info.labels.map(JSONValue.string)),
      "tensors": .object(
        Dictionary(
          uniqueKeysWithValues: zip(tensors.keys, tensors.values).map {
            (
              $0,
              vectors.contains($0)
                ? JSONValue.array([.integer($1.count)])
                : JSONValue.array([.integer($1.rows), .integer($1.columns)])
            )
          })),
      "source_run": .string(directory.url.path),
      "weights": .string(weightsFile),
    ]
    if let elman = cell as? ElmanCell {
      description["activation"] = .string(elman.activation.name)
    }
    if let lstm = cell as? LSTMCell {
      description["peepholes"] = .bool(lstm.peepholes)
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    try target.write(SafeTensors.encode(tensors, vectors: vectors), to: "model.safetensors")
    try target.write(
      try encoder.encode(JSONValue.object(description)) + Data("\n".utf8), to: "model.json")
  }

  /// The weights under PyTorch's names, transposed to its column-vector layout. PyTorch has
  /// two biases where Recur has one: `bias_ih` carries c and `bias_hh` is zero, except for the
  /// GRU's n block, which carries `c_hn`.
  private func torchTensors() throws -> ParameterSet<Float> {
    let shape = experiment.model.shape
    let cell = experiment.model.cell
    let h = shape.hiddenSize
    let missing: String? =
      switch cell {
      case let elman as ElmanCell where !["tanh", "relu"].contains(elman.activation.name):
        "PyTorch's nn.RNN has tanh and relu only, not \(elman.activation.name)"
      case let lstm as LSTMCell where lstm.peepholes: "PyTorch's nn.LSTM has no peepholes"
      case is ElmanCell, is LSTMCell, is GRUCell: nil
      default: "PyTorch has no \(cell.name) cell"
      }
    if let missing {
      throw ExportError(
        description: "cannot export as --format torch: \(missing); export with --format recur "
          + "(examples/numpy_forward.py reads it)")
    }
    var tensors = ParameterSet<Float>()
    for slot in experiment.model.parameterLayout {
      let value = network.parameters[slot.name]!
      let key = slot.key
      guard let direction = key.direction else {
        if key.role == .output {
          tensors.append("output.weight", value.transposed())
        } else {
          tensors.append("output.bias", value)
        }
        continue
      }
      let suffix = "_l\(key.layer ?? 0)" + (direction == .backward ? "_reverse" : "")
      switch key.role {
      case .input: tensors.append("rnn.weight_ih" + suffix, value.transposed())
      case .recurrent: tensors.append("rnn.weight_hh" + suffix, value.transposed())
      case .bias:
        tensors.append("rnn.bias_ih" + suffix, value)
        var recurrentBias = Matrix<Float>(rows: 1, columns: value.columns)
        if cell is GRUCell, let hn = network.parameters[
          ParameterKey(layer: key.layer, direction: direction, role: .cell("c_hn")).description]
        {
          for j in 0..<h { recurrentBias.elements[2 * h + j] = hn.elements[j] }
        }
        tensors.append("rnn.bias_hh" + suffix, recurrentBias)
      case .cell, .output, .outputBias:
        break
      }
    }
    return tensors
  }
}

import Foundation
import Recur
import Tensors

/// Everything a killed run needs to continue exactly: the weights, the optimizer's state, the
/// trainer's position (epoch, example order, generator, schedule, early stopping) and the metrics
/// recorded so far. Stored in the run directory as `checkpoint/` with `model.safetensors`,
/// `optimizer.safetensors` and `trainer.json`, and `carried_state.safetensors` when truncated
/// BPTT stopped mid-epoch.
public struct Checkpoint: Sendable {
  public var parameters: ParameterSet<Float>
  public var optimizer: OptimizerState
  public var trainer: TrainerState
  public var records: [EpochRecord]

  static let folder = "checkpoint"
  static let previousFolder = "checkpoint.previous"

  /// What `trainer.json` holds.
  struct TrainerFile: Codable {
    var trainer: TrainerState
    var optimizerSteps: Int
    var records: [EpochRecord]

    enum CodingKeys: String, CodingKey {
      case trainer
      case optimizerSteps = "optimizer_steps"
      case records
    }
  }

  /// A checkpoint that cannot be read or does not fit the run.
  public struct LoadError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "\(path): \(reason)" }
  }

  /// Writes the checkpoint into `directory/checkpoint/`: the files go to a new folder, forced to
  /// disk, which then replaces the old one by two renames, so a kill (or a power cut) at any
  /// moment leaves one complete checkpoint (the previous one is kept aside until the new one is
  /// in place).
  public func write(to directory: RunDirectory) throws {
    let manager = FileManager.default
    let staging = directory.path(".\(Self.folder).tmp-\(getpid())")
    try? manager.removeItem(at: staging)
    guard mkdir(staging.path, 0o755) == 0 else { throw RunFileError.system(staging.path) }
    let folder = RunDirectory(url: staging, id: directory.id)
    try folder.write(SafeTensors.encode(parameters), to: "model.safetensors")
    try folder.write(SafeTensors.encode(optimizer.tensors), to: "optimizer.safetensors")
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let file = TrainerFile(trainer: trainer, optimizerSteps: optimizer.steps, records: records)
    try folder.write(try encoder.encode(file), to: "trainer.json")
    if let carried = trainer.partialEpoch?.carried {
      try folder.write(SafeTensors.encode(Self.tensors(of: carried)), to: Self.carriedStateFile)
    }
    _ = try folder.flushOutputs()

    let current = directory.path(Self.folder)
    let previous = directory.path(Self.previousFolder)
    try? manager.removeItem(at: previous)
    if manager.fileExists(atPath: current.path) {
      guard rename(current.path, previous.path) == 0 else {
        throw RunFileError.system(current.path)
      }
    }
    guard rename(staging.path, current.path) == 0 else {
      throw RunFileError.system(staging.path)
    }
    try directory.flushFolder()
    try? manager.removeItem(at: previous)
  }

  /// Whether `directory` holds a checkpoint (complete, or kept aside during a replacement).
  public static func exists(in directory: RunDirectory) -> Bool {
    [folder, previousFolder].contains {
      FileManager.default.fileExists(atPath: directory.path($0).path)
    }
  }

  /// Reads the checkpoint of `directory` and checks it against the model it must continue:
  /// parameter keys and shapes, optimizer buffers.
  public static func load(
    from directory: RunDirectory, expecting shapes: [(key: String, rows: Int, columns: Int)]
  ) throws(LoadError) -> Checkpoint {
    let manager = FileManager.default
    let name = manager.fileExists(atPath: directory.path(folder).path) ? folder : previousFolder
    let base = directory.path(name)

    func read(_ file: String) throws(LoadError) -> Data {
      let url = base.appendingPathComponent(file)
      guard let data = manager.contents(atPath: url.path) else {
        throw LoadError(path: url.path, reason: "missing or unreadable")
      }
      return data
    }
    func tensors(_ file: String) throws(LoadError) -> ParameterSet<Float> {
      let data = try read(file)
      do {
        return try SafeTensors.decode(data).tensors
      } catch {
        throw LoadError(path: base.appendingPathComponent(file).path, reason: error.description)
      }
    }

    let parameters = try tensors("model.safetensors")
    let stored = zip(parameters.keys, parameters.values).map {
      "\($0) \($1.rows)×\($1.columns)"
    }
    let expected = shapes.map { "\($0.key) \($0.rows)×\($0.columns)" }
    guard stored == expected else {
      throw LoadError(
        path: base.appendingPathComponent("model.safetensors").path,
        reason: "the checkpoint's weights (\(stored.joined(separator: ", "))) do not fit the "
          + "spec's model (\(expected.joined(separator: ", ")))")
    }
    var file: TrainerFile
    let trainerData = try read("trainer.json")
    do {
      file = try JSONDecoder().decode(TrainerFile.self, from: trainerData)
    } catch {
      throw LoadError(
        path: base.appendingPathComponent("trainer.json").path,
        reason: "not a trainer state (\(error))")
    }
    if manager.fileExists(atPath: base.appendingPathComponent(carriedStateFile).path) {
      let path = base.appendingPathComponent(carriedStateFile).path
      guard file.trainer.partialEpoch != nil else {
        throw LoadError(path: path, reason: "a carried state, but trainer.json has no partial epoch")
      }
      let stored = try tensors(carriedStateFile)
      do {
        file.trainer.partialEpoch?.carried = try carriedState(stored)
      } catch {
        throw LoadError(path: path, reason: error.description)
      }
    }
    let optimizer = OptimizerState(
      steps: file.optimizerSteps, tensors: try tensors("optimizer.safetensors"))
    guard optimizer.fits(parameters) else {
      throw LoadError(
        path: base.appendingPathComponent("optimizer.safetensors").path,
        reason: "the optimizer's buffers do not fit the model's weights")
    }
    return Checkpoint(
      parameters: parameters, optimizer: optimizer, trainer: file.trainer, records: file.records)
  }
}

extension Checkpoint {
  /// The file of the state truncated BPTT carries into the next segment, after a stop mid-epoch.
  static let carriedStateFile = "carried_state.safetensors"

  /// The carried state as `layers.<l>.h` and, for a cell with a state of its own, `layers.<l>.c`
  /// (each `rows × H`), layer by layer.
  static func tensors(of state: CarriedState<Float>) -> ParameterSet<Float> {
    var tensors = ParameterSet<Float>()
    for (l, outputs) in state.outputs.enumerated() {
      tensors.append(
        "layers.\(l).h",
        Matrix(rows: state.rows, columns: outputs.count / max(state.rows, 1), elements: outputs))
      if l < state.states.count {
        tensors.append(
          "layers.\(l).c",
          Matrix(
            rows: state.rows, columns: state.states[l].count / max(state.rows, 1),
            elements: state.states[l]))
      }
    }
    return tensors
  }

  struct CarriedStateError: Error, CustomStringConvertible {
    var description: String
  }

  /// The carried state `tensors(of:)` stored; the model checks its sizes when it is restored.
  static func carriedState(
    _ tensors: ParameterSet<Float>
  ) throws(CarriedStateError) -> CarriedState<Float> {
    let keys = tensors.keys
    let withCells = keys.contains("layers.0.c")
    let layers = withCells ? keys.count / 2 : keys.count
    let expected = (0..<layers).flatMap { l in
      withCells ? ["layers.\(l).h", "layers.\(l).c"] : ["layers.\(l).h"]
    }
    guard layers > 0, keys == expected else {
      throw CarriedStateError(
        description: "its tensors (\(keys.joined(separator: ", "))) are not layers.<l>.h "
          + "(and layers.<l>.c) layer by layer")
    }
    let rows = tensors.values[0].rows
    guard tensors.values.allSatisfy({ $0.rows == rows }) else {
      throw CarriedStateError(description: "its tensors do not all have \(rows) rows")
    }
    let step = withCells ? 2 : 1
    return CarriedState(
      rows: rows,
      outputs: stride(from: 0, to: keys.count, by: step).map { tensors.values[$0].elements },
      states: withCells
        ? stride(from: 1, to: keys.count, by: 2).map { tensors.values[$0].elements } : [])
  }
}

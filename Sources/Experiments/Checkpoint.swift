import Foundation
import Recur
import Tensors

/// Everything a killed run needs to continue exactly: the weights, the optimizer's state, the
/// trainer's position (epoch, example order, generator, schedule, early stopping) and the metrics
/// recorded so far. Stored in the run directory as `checkpoint/` with `model.safetensors`,
/// `optimizer.safetensors` and `trainer.json`.
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
    let file: TrainerFile
    let trainerData = try read("trainer.json")
    do {
      file = try JSONDecoder().decode(TrainerFile.self, from: trainerData)
    } catch {
      throw LoadError(
        path: base.appendingPathComponent("trainer.json").path,
        reason: "not a trainer state (\(error))")
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

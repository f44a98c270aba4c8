import Foundation
import Recur
import Tensors

/// A write of a run's files that failed, named by what it was writing, so that the run's message
/// names the first write that failed (the checkpoint on a full disk, say), not a later one.
public struct RunWriteError: Error, CustomStringConvertible {
  /// What was being written: `the checkpoint`, `metrics.csv` ….
  public var what: String
  public var underlying: any Error

  public var description: String { "cannot write \(what): \(underlying)" }

  /// Runs `body`, naming any error it throws `what`.
  static func writing<T>(_ what: String, _ body: () throws -> T) throws -> T {
    do {
      return try body()
    } catch let error as RunWriteError {
      throw error
    } catch {
      throw RunWriteError(what: what, underlying: error)
    }
  }
}

/// What a run has kept of its weights, to tell the truth when it stops early.
struct KeptWeights {
  /// The weights after the last epoch whose losses were all finite, and that epoch.
  var lastGood: (epoch: Int, parameters: ParameterSet<Float>)?
  /// The epoch the checkpoint in the run directory stands at, if there is one.
  var checkpointEpoch: Int?

  /// The manifest's message for a diverged run: the divergence, then what the run directory
  /// holds. The last good weights are written to `model.safetensors` first, where `runner
  /// evaluate` finds them; `write` does that and may fail.
  func divergedMessage(
    _ error: TrainingDiverged, write: (ParameterSet<Float>) throws -> Void
  ) -> String {
    var message = error.description
    guard let lastGood else {
      return message + "; no epoch finished, so the run kept no weights"
        + (checkpointEpoch.map { " (checkpoint/ holds those after epoch \($0))" } ?? "")
    }
    do {
      try write(lastGood.parameters)
      message +=
        "; model.safetensors holds the weights after epoch \(lastGood.epoch), the last with "
        + "finite losses (runner evaluate reads it)"
    } catch {
      message += "; the weights after epoch \(lastGood.epoch) could not be kept (\(error))"
    }
    if let checkpointEpoch {
      message += ", and checkpoint/ those after epoch \(checkpointEpoch) (runner resume)"
    }
    return message
  }
}

extension RunDirectory {
  /// Overwrites `file` in place instead of through a temporary file: on a full disk there is no
  /// room for a temporary file, but contents that fit in the blocks the file already holds can
  /// still be written. Not atomic; for a last word, such as the final manifest, when `write`
  /// has failed.
  func overwriteInPlace(_ data: Data, file: String) throws(RunFileError) {
    let target = path(file)
    let descriptor = open(target.path, O_WRONLY)
    guard descriptor >= 0 else {
      throw RunFileError(path: target.path, reason: String(cString: strerror(errno)))
    }
    defer { close(descriptor) }
    let written = data.withUnsafeBytes { bytes in
      pwrite(descriptor, bytes.baseAddress, bytes.count, 0)
    }
    guard written == data.count, ftruncate(descriptor, off_t(data.count)) == 0 else {
      let reason = written < 0 ? String(cString: strerror(errno)) : "short write"
      throw RunFileError(path: target.path, reason: reason)
    }
  }
}

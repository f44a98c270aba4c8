import ArgumentParser
import Experiments
import Foundation

/// `runner export <run-dir>`: the model for use outside Recur.
struct Export: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Write a finished run's model as safetensors plus a JSON description.",
    discussion: """
      Writes model.safetensors and model.json (architecture, sizes, activation, task, tensor \
      shapes, labels) into <run-dir>/export, or --output. examples/numpy_forward.py rebuilds \
      the forward pass from them.
      """)

  @Argument(help: "The run directory.")
  var runDirectory: String

  @Option(help: "Folder to write into (default: <run-dir>/export).")
  var output: String?

  @Flag(help: "Export model-best.safetensors instead of model.safetensors.")
  var best = false

  func run() throws {
    let trained = try TrainedRun.load(URL(fileURLWithPath: runDirectory), best: best)
    let folder =
      output.map { URL(fileURLWithPath: $0, isDirectory: true) }
      ?? trained.directory.path("export")
    try trained.export(to: folder)
    Console.line("exported \(trained.weightsFile) to \(folder.relativePath)")
  }
}

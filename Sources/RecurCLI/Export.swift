import ArgumentParser
import Experiments
import Foundation

/// `runner export <run-dir>`: the model for use outside Recur.
struct Export: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Write a finished run's model as safetensors plus a JSON description.",
    discussion: """
      Writes model.safetensors and model.json (architecture, cell, equations and layout, \
      sizes, gate order, biases, task, tensor shapes, labels) into <run-dir>/export, or \
      --output. With --format recur (the default) the weights keep Recur's keys and row-vector \
      layout, which examples/numpy_forward.py reads; with --format torch they take PyTorch's \
      state-dict names and layouts, for nn.RNN/nn.LSTM/nn.GRU named rnn plus nn.Linear named \
      output (examples/torch_forward_check.py evaluates PyTorch's equations on them); a sigmoid \
      Elman cell or an LSTM with peepholes, which PyTorch lacks, cannot be exported so.
      """)

  @Argument(help: "The run directory.")
  var runDirectory: String

  @Option(help: "Folder to write into (default: <run-dir>/export).")
  var output: String?

  @Flag(help: "Export model-best.safetensors instead of model.safetensors.")
  var best = false

  @Option(help: "Names and layouts of the weights: recur or torch.")
  var format: TrainedRun.ExportFormat = .recur

  func run() throws {
    let trained = try TrainedRun.load(
      URL(fileURLWithPath: runDirectory), best: best, registry: RunnerContext.registry)
    let folder =
      output.map { URL(fileURLWithPath: $0, isDirectory: true) }
      ?? trained.directory.path("export")
    do {
      try trained.export(to: folder, format: format)
    } catch let error as TrainedRun.ExportError {
      Console.error("error: \(error)\n")
      throw Exit.usage
    }
    Console.line("exported \(trained.weightsFile) to \(folder.relativePath)")
  }
}

extension TrainedRun.ExportFormat: ExpressibleByArgument {}

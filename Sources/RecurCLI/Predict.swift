import ArgumentParser
import Experiments
import Foundation

/// `runner predict <run-dir> <input>`: tag a file with a trained tagging model.
struct Predict: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Tag a file with a finished run's tagging model.",
    discussion: """
      Reads the input in the run's corpus format (CoNLL-U in, CoNLL-U out with the predicted \
      tags in the corpus's tag column; column files likewise) or, with --text, plain text with \
      one sentence per line, whitespace-tokenised, written back as word/TAG. The input may have \
      LF or CRLF line ends and a UTF-8 byte order mark; the tagged copy keeps every line's end \
      and the mark. Optionally writes the per-word class probabilities as JSON Lines, one \
      sentence per line.
      """)

  @Argument(help: "The run directory.")
  var runDirectory: String

  @Argument(help: "The file to tag.")
  var input: String

  @Flag(help: "Read plain text: one sentence per line, words separated by whitespace.")
  var text = false

  @Option(help: "Write the tagged file here instead of to standard output.")
  var output: String?

  @Option(help: "Write each sentence's words, tags and class probabilities here (JSON Lines).")
  var probabilities: String?

  @Flag(help: "Use model-best.safetensors instead of model.safetensors.")
  var best = false

  func run() throws {
    let trained = try TrainedRun.load(
      URL(fileURLWithPath: runDirectory), best: best, registry: RunnerContext.registry)
    let prediction = try Prediction(trained, path: input, plainText: text)
    if let output {
      try Data(prediction.taggedText.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
    } else {
      FileHandle.standardOutput.write(Data(prediction.taggedText.utf8))
    }
    if let probabilities {
      let lines = try prediction.jsonLines(labels: trained.experiment.dataset.info.labels)
      try Data(lines.utf8).write(to: URL(fileURLWithPath: probabilities), options: .atomic)
    }
  }
}

import ArgumentParser
import Experiments
import Foundation
import Recur

/// `runner predict <run-dir> <input>`: tag a file with a trained tagging model.
struct Predict: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Tag a file with a finished run's tagging model, or predict a CSV file.",
    discussion: """
      Reads the input in the run's corpus format (CoNLL-U in, CoNLL-U out with the predicted \
      tags in the corpus's tag column; column files likewise) or, with --text, plain text with \
      one sentence per line, whitespace-tokenised, written back as word/TAG. The input may have \
      LF or CRLF line ends and a UTF-8 byte order mark; the tagged copy keeps every line's end \
      and the mark. Optionally writes the per-word class probabilities as JSON Lines, one \
      sentence per line. For a csv-sequences run, reads a CSV file with the run's sequence and \
      feature columns (the label column may be absent) and writes CSV: the sequence id, step \
      (0-based, framewise tasks), the predicted label or value and, for classification, \
      p_<class> per class.
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
    if trained.experiment.dataset is CSVSequences {
      guard !text, probabilities == nil else {
        throw ValidationError(
          "--text and --probabilities are for tagging runs; a csv-sequences run's predictions "
            + "hold the class probabilities as columns")
      }
      try write(CSVPrediction(trained, path: input).csv)
      return
    }
    let prediction = try Prediction(trained, path: input, plainText: text)
    try write(prediction.taggedText)
    if let probabilities {
      let lines = try prediction.jsonLines(labels: trained.experiment.dataset.info.labels)
      try Data(lines.utf8).write(to: URL(fileURLWithPath: probabilities), options: .atomic)
    }
  }

  /// Writes `text` to `--output`, or to standard output.
  private func write(_ text: String) throws {
    if let output {
      try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
    } else {
      FileHandle.standardOutput.write(Data(text.utf8))
    }
  }
}

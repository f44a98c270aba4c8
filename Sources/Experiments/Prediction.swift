import Foundation
import Recur
import Tensors

/// Tags the sentences of a file with a trained tagging model.
public struct Prediction {
  /// A request the trained run cannot serve.
  public struct Unsupported: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
  }

  /// The tags of every sentence, and the class probabilities of every word.
  public var tags: [[String]]
  public var probabilities: [[[Double]]]
  public var document: TaggedDocument

  /// Reads `path` (in the run's corpus format, or as plain text when `plainText`) and tags it.
  public init(_ trained: TrainedRun, path: String, plainText: Bool) throws {
    guard let corpus = trained.experiment.dataset as? TaggedCorpus else {
      throw Unsupported(
        reason: "predict tags words, and the run's dataset '\(trained.experiment.datasetType)' "
          + "does not hold words (conllu and conll do)")
    }
    let kind: TaggedDocument.Kind
    if plainText {
      kind = .text
    } else if let format = corpus.format {
      kind = .file(format)
    } else {
      throw Unsupported(reason: "the run's corpus has no file format; pass --text")
    }
    document = try TaggedDocument(contentsOf: path, kind: kind)
    let labels = trained.experiment.dataset.info.labels
    let inputSize = trained.experiment.model.shape.inputSize
    let sentences = document.words
    tags = []
    probabilities = []
    let batchSize = 256
    for first in stride(from: 0, to: sentences.count, by: batchSize) {
      let members = sentences[first..<min(sentences.count, first + batchSize)]
      let examples = members.map(corpus.example(words:))
      let batch = SequenceBatch<Float>(examples: examples, task: .framewise, inputSize: inputSize)
      let all = trained.network.probabilities(for: batch)
      let k = labels.count
      for (b, words) in members.enumerated() {
        let rows = words.indices.map { t in
          Array(all[((t * examples.count + b) * k)..<((t * examples.count + b + 1) * k)])
        }
        tags.append(rows.map { row in labels[row.indices.max { row[$0] < row[$1] }!] })
        probabilities.append(rows)
      }
    }
  }

  /// The input file with the predicted tags written in.
  public var taggedText: String { document.tagged(tags) }

  /// One JSON object per sentence: its words, predicted tags and, per word, the probability of
  /// every label.
  public func jsonLines(labels: [String]) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    var lines: [String] = []
    for (words, (tags, rows)) in zip(document.words, zip(tags, probabilities)) {
      let object = JSONValue.object([
        "words": .array(words.map(JSONValue.string)),
        "tags": .array(tags.map(JSONValue.string)),
        "labels": .array(labels.map(JSONValue.string)),
        "probabilities": .array(rows.map { .array($0.map(JSONValue.number)) }),
      ])
      lines.append(String(decoding: try encoder.encode(object), as: UTF8.self))
    }
    return lines.joined(separator: "\n") + "\n"
  }
}

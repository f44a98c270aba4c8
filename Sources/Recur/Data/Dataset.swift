import Foundation
import Tensors

/// The named parts of a dataset. Training reads `train`; `dev` and `test` are evaluated.
public enum Split: String, Sendable, Codable, CaseIterable, Comparable {
  case train, dev, test

  public static func < (lhs: Split, rhs: Split) -> Bool {
    allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
  }
}

/// What a dataset implies for the model and tells the reader.
public struct DatasetInfo: Sendable, Equatable {
  /// I: width of an input step (vocabulary size for one-hot words).
  public var inputSize: Int
  /// K: number of classes (regression: number of real outputs per scored row).
  public var outputSize: Int
  public var task: TaskKind
  /// Class names, `outputSize` of them (regression: names of the outputs).
  public var labels: [String]
  /// Facts about the data worth reporting, in display order (name, value, one line of meaning),
  /// e.g. the best accuracy a left-to-right model can reach on each split.
  public var facts: [DatasetFact]

  public init(
    inputSize: Int, outputSize: Int, task: TaskKind, labels: [String], facts: [DatasetFact] = []
  ) {
    self.inputSize = inputSize
    self.outputSize = outputSize
    self.task = task
    self.labels = labels
    self.facts = facts
  }
}

/// One reported property of a dataset, optionally tied to a split.
public struct DatasetFact: Sendable, Equatable {
  public var name: String
  public var split: Split?
  public var value: Double
  public var help: String
  /// Whether the value is a share in [0, 1] (shown as a percentage) rather than a quantity.
  public var isProportion: Bool

  public init(
    name: String, split: Split? = nil, value: Double, help: String, isProportion: Bool = true
  ) {
    self.name = name
    self.split = split
    self.value = value
    self.help = help
    self.isProportion = isProportion
  }
}

/// A source of labelled sequences, split into train, dev and test.
public protocol Dataset: Sendable {
  var info: DatasetInfo { get }
  /// The examples of a split; empty when the dataset has no such split.
  func examples(_ split: Split) -> [SequenceExample]
  /// Paths of the files the examples were read from, for provenance; empty for generated data.
  var dataFiles: [String] { get }
  /// Examples read from one more file in the dataset's own format, encoded with what was built
  /// from train (vocabulary, features, labels), e.g. to evaluate on a held-out file. Datasets
  /// that do not read files throw.
  func examples(readingFile path: String) throws -> [SequenceExample]
  /// Files the dataset contributes to the run directory (e.g. its vocabulary), by file name.
  var artifacts: [DatasetArtifact] { get }
  /// Things about the data a user should know that do not stop a run (e.g. a dev tag never seen
  /// in train), one line each.
  var warnings: [String] { get }
  /// The sizes the run is checked against before it trains; by default measured on the
  /// examples.
  var shape: DatasetShape { get }
}

/// A file a dataset writes into the run directory.
public struct DatasetArtifact: Sendable, Equatable {
  /// A plain file name, e.g. `vocabulary.json`.
  public var name: String
  public var contents: Data

  public init(name: String, contents: Data) {
    self.name = name
    self.contents = contents
  }
}

extension Dataset {
  public var dataFiles: [String] { [] }

  public func examples(readingFile path: String) throws -> [SequenceExample] {
    throw DataFileError(
      file: path, "this dataset generates its data and reads no files",
      expected: "a run whose dataset reads files (conllu, conll, csv-sequences)")
  }
  public var artifacts: [DatasetArtifact] { [] }
  public var warnings: [String] { [] }
  public var shape: DatasetShape { DatasetShape(measuring: self) }

  /// The splits that hold at least one example, in train, dev, test order.
  public var availableSplits: [Split] {
    Split.allCases.filter { !examples($0).isEmpty }
  }
}

/// How many sequences a generated dataset draws per split, and between which lengths.
public struct GeneratedSplits: Sendable, Equatable {
  public var trainSequences: Int
  public var devSequences: Int
  public var testSequences: Int
  public var minLength: Int
  public var maxLength: Int

  public init(
    trainSequences: Int, devSequences: Int, testSequences: Int, minLength: Int, maxLength: Int
  ) {
    self.trainSequences = trainSequences
    self.devSequences = devSequences
    self.testSequences = testSequences
    self.minLength = minLength
    self.maxLength = maxLength
  }

  /// The splits in train, dev, test order with their sequence counts.
  public var counts: [(Split, Int)] {
    [(.train, trainSequences), (.dev, devSequences), (.test, testSequences)]
  }

  /// A length drawn uniformly from `minLength ... maxLength`.
  public func drawLength(_ generator: inout SeededGenerator) -> Int {
    minLength + generator.integer(below: maxLength - minLength + 1)
  }
}

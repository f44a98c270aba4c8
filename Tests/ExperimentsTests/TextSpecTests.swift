import Experiments
import Foundation
import Recur
import Testing
import YAMLSpec

/// `dataset.type: text` and `training.bptt_steps` in specs: assembly, the baseline fact, and
/// bad specs located at the key at fault.
@Suite struct TextSpecTests {
  static func train() throws -> String {
    let folder = FileManager.default.temporaryDirectory
      .appendingPathComponent("recur-text-spec-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let path = folder.appendingPathComponent("train.txt").path
    try String(repeating: "a cat sat.\nthe dog ran.\n", count: 5)
      .write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  static func spec(
    _ train: String, model: String = "rnn", dataset: String = "", training: String = ""
  ) -> String {
    """
    name: lm
    dataset:
      type: text
      train: \(train)
      dev_fraction: 0.2
    \(dataset)
    model:
      type: \(model)
      cell: lstm
      hidden: 4
    optimizer:
      type: adam
    training:
      batch_size: 2
      metrics: [bits_per_token, perplexity]
    \(training)
    """
  }

  static func experiment(_ text: String) throws -> Experiment {
    try Experiment(spec: SpecNode.parse(text, sourceName: "lm.yaml"))
  }

  @Test func assemblesWithTheVocabularyAndTheBaseline() throws {
    let experiment = try Self.experiment(
      Self.spec(try Self.train(), training: "  bptt_steps: 5"))
    let corpus = try #require(experiment.dataset as? TextCorpus)
    // Characters of "a cat sat.", "the dog ran." and the line end; <unk> first.
    #expect(corpus.vocabulary.words.count == 1 + Set("a cat sat.the dog ran.\n").count)
    #expect(experiment.model.shape.inputSize == corpus.vocabulary.count)
    #expect(experiment.model.shape.outputSize == corpus.vocabulary.count)
    #expect(experiment.plan.bpttSteps == 5)
    let baseline = try #require(
      experiment.dataset.info.facts.first { $0.name == "trigram_kn_bits" && $0.split == .dev })
    #expect(!baseline.isProportion)
    let model = NGramModel(
      tokens: corpus.streams[.train]!, vocabularySize: corpus.vocabulary.count, order: 3)
    #expect(baseline.value == model.bitsPerToken(corpus.streams[.dev]!))
    #expect(experiment.metrics.map(\.name) == ["bits_per_token", "perplexity"])
    #expect(experiment.spec["training"]?["bptt_steps"]?.scalar == "5")
  }

  @Test func withoutBpttStepsTheResolvedSpecHasNoSuchKey() throws {
    let experiment = try Self.experiment(Self.spec(try Self.train()))
    #expect(experiment.plan.bpttSteps == nil)
    #expect(experiment.spec["training"]?["bptt_steps"] == nil)
    #expect(experiment.spec["training"]?["epochs"] != nil)
  }

  @Test func aBidirectionalModelWithBpttStepsIsLocated() throws {
    let text = Self.spec(try Self.train(), model: "brnn", training: "  bptt_steps: 5")
    let error = #expect(throws: SpecError.self) { try Self.experiment(text) }
    #expect(error?.keyPath == "training.bptt_steps")
    #expect(error?.location?.line == 16)
    #expect(error?.message.contains("forward + backward") == true)
    #expect(error?.expected == "model.type: rnn, or bptt_steps: null")
  }

  @Test func aSequenceTaskWithBpttStepsIsLocated() throws {
    let text = """
      name: p
      dataset: {type: parity}
      model: {type: rnn, hidden: 4}
      optimizer: {type: sgd}
      training: {bptt_steps: 3}
      """
    let error = #expect(throws: SpecError.self) { try Self.experiment(text) }
    #expect(error?.keyPath == "training.bptt_steps")
    #expect(error?.message.contains("task is sequence") == true)
  }

  @Test func anUnknownUnitIsLocated() throws {
    let text = Self.spec(try Self.train(), dataset: "  unit: byte")
    let error = #expect(throws: SpecError.self) { try Self.experiment(text) }
    #expect(error?.keyPath == "dataset.unit")
    #expect(error?.location?.line == 6)
    #expect(error?.expected?.contains("char") == true)
  }

  @Test func aFractionBesideItsFileIsLocated() throws {
    let train = try Self.train()
    let text = Self.spec(train, dataset: "  dev: \(train)")
    let error = #expect(throws: SpecError.self) { try Self.experiment(text) }
    #expect(error?.keyPath == "dataset.dev_fraction")
    #expect(error?.message == "dev_fraction splits the train file, but a dev file is given too")
  }

  @Test func aMissingTrainFileIsLocatedAtTrain() throws {
    let error = #expect(throws: SpecError.self) {
      try Self.experiment(Self.spec("no/such/file.txt"))
    }
    #expect(error?.keyPath == "dataset.train")
    #expect(error?.message == "no/such/file.txt: no such file")
  }
}

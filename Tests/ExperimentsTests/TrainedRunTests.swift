import Experiments
import Foundation
import Recur
import Tensors
import Testing
import YAMLSpec

@Suite struct TrainedRunTests {
  struct Silent: RunObserver {
    func runStarted(_ experiment: Experiment, directory: RunDirectory, resumingAfter epoch: Int) {}
    func batchFinished(epoch: Int, batch: Int, of batches: Int) {}
    func epochFinished(_ records: [EpochRecord], of epochs: Int) {}
  }

  static let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  /// Trains a tiny BRNN into a scratch folder and returns its run.
  static func trainedRun() throws -> RunOutcome {
    let root = FileManager.default.temporaryDirectory
      .appendingPathComponent("recur-trained-\(UUID().uuidString)")
    let spec = """
      name: tiny
      seed: 2
      dataset: {type: synthetic-tagging, train_sequences: 40, dev_sequences: 6, test_sequences: 4, max_length: 7}
      model: {type: brnn, hidden: 5, activation: sigmoid}
      optimizer: {type: sgd, learning_rate: 0.5}
      training: {epochs: 2, batch_size: 8}
      output: {dir: "\(root.path)"}
      """
    let experiment = try Experiment(spec: SpecNode.parse(spec, sourceName: "tiny.yaml"))
    return try ExperimentRun.run(experiment, commandLine: ["test"], observer: Silent())
  }

  @Test func evaluationReproducesTheLastEpoch() throws {
    let outcome = try Self.trainedRun()
    #expect(outcome.status == .completed)
    let trained = try TrainedRun.load(outcome.directory.url)
    let dev = try trained.evaluate(.dev)
    let recorded = try #require(outcome.records.last { $0.split == .dev })
    #expect(dev.loss == recorded.loss)
    #expect(dev.value(of: "accuracy") == recorded.value(of: "accuracy"))
  }

  @Test func aMissingBestModelIsAnError() throws {
    let outcome = try Self.trainedRun()
    #expect(throws: TrainedRun.LoadError.self) {
      try TrainedRun.load(outcome.directory.url, best: true)
    }
  }

  /// The exported model, run by examples/numpy_forward.py, gives the probabilities Recur's own
  /// forward pass gives: the same predicted tags and the same mean cross-entropy.
  @Test func numpyRebuildsTheForwardPass() throws {
    let outcome = try Self.trainedRun()
    let trained = try TrainedRun.load(outcome.directory.url)
    let folder = outcome.directory.path("export")
    try trained.export(to: folder)
    let examples = trained.experiment.dataset.examples(.dev)
    let sequences: [[[Int32]]] = examples.map {
      guard case .sparse(let steps) = $0.inputs else { return [] }
      return steps
    }
    let inputs = folder.appendingPathComponent("inputs.json")
    try JSONSerialization.data(withJSONObject: ["sequences": sequences]).write(to: inputs)
    let script = Self.packageRoot.appendingPathComponent("examples/numpy_forward.py").path
    guard let output = try Python.run([script, folder.path, inputs.path]) else { return }
    struct Output: Decodable { var probabilities: [[[Double]]] }
    let probabilities = try JSONDecoder().decode(Output.self, from: Data(output.utf8))
      .probabilities

    let batch = SequenceBatch<Float>(
      examples: examples, task: .framewise, inputSize: trained.experiment.model.shape.inputSize)
    let evaluation = trained.network.evaluate(batch)
    var crossEntropy = 0.0
    var scored = 0
    for (b, example) in examples.enumerated() {
      for (t, target) in example.targets.enumerated() where target >= 0 {
        let row = probabilities[b][t]
        let argmax = Int32(row.indices.max { row[$0] < row[$1] }!)
        #expect(argmax == evaluation.predictions[t * examples.count + b])
        crossEntropy -= log(row[Int(target)])
        scored += 1
      }
    }
    #expect(scored == evaluation.loss.scored)
    #expect(abs(crossEntropy / Double(scored) - evaluation.loss.mean) < 1e-4)
  }

  /// The README shows the script a reader can copy; it must be the one the test runs.
  @Test func theReadmeShowsTheTestedScript() throws {
    let readme = try String(
      contentsOf: Self.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
    let script = try String(
      contentsOf: Self.packageRoot.appendingPathComponent("examples/numpy_forward.py"),
      encoding: .utf8)
    #expect(readme.contains(script))
  }
}

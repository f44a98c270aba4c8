import Crypto
import Foundation
import Recur
import Tensors

/// Follows a run as it happens, for the command line's progress and summary.
public protocol RunObserver {
  func runStarted(_ experiment: Experiment, directory: RunDirectory)
  func batchFinished(epoch: Int, batch: Int, of batches: Int)
  func epochFinished(_ records: [EpochRecord], of epochs: Int)
}

/// How a run ended.
public struct RunOutcome: Sendable {
  public var status: Manifest.Status
  public var directory: RunDirectory
  public var records: [EpochRecord]
  public var manifest: Manifest
  public var seconds: Double
}

/// One training run of an experiment, from an empty run directory to its final manifest.
public enum ExperimentRun {
  /// Creates the run directory, writes `spec.yaml` and a `running` manifest, trains, writes the
  /// metrics after every epoch and the model at the end, and closes the manifest with the status.
  /// Only a failure to create the run directory throws; anything later is recorded as the status
  /// `failed` or `diverged`.
  public static func run(
    _ experiment: Experiment, commandLine: [String], observer: some RunObserver
  ) throws(RunFileError) -> RunOutcome {
    let start = Date()
    let root = URL(fileURLWithPath: experiment.output.dir, isDirectory: true)
    let directory = try RunDirectory.create(root: root, name: experiment.name, now: start)
    let specText = experiment.spec.yamlText()
    let execution = ExecutionPlan.choose(
      for: experiment.model.shape, cores: ProcessInfo.processInfo.activeProcessorCount)
    var manifest = Manifest(
      runnerVersion: runnerVersion, name: experiment.name, runID: directory.id,
      seed: experiment.seed,
      specSHA256: SHA256.hash(data: Data(specText.utf8)).map { String(format: "%02x", $0) }
        .joined(),
      status: .running, started: Manifest.timestamp(start), finished: nil,
      commandLine: commandLine, workingDirectory: FileManager.default.currentDirectoryPath,
      host: .current, message: nil, execution: execution)
    try directory.write(specText, to: "spec.yaml")
    try writeManifest(manifest, to: directory)
    observer.runStarted(experiment, directory: directory)

    var records: [EpochRecord] = []
    let files = MetricsFiles(metrics: experiment.metrics, facts: experiment.dataset.info.facts)
    let generator = SeededGenerator(seed: experiment.seed)
    var initGenerator = generator.derived("init")
    let network = RecurrentNetwork<Float>(
      shape: experiment.model.shape, activation: experiment.model.activation,
      parameters: RecurrentNetwork<Float>.initialParameters(
        for: experiment.model.shape, generator: &initGenerator))
    execution.apply(to: network)
    var trainer = Trainer(
      network: network, optimizer: experiment.optimizer.optimizer, dataset: experiment.dataset,
      plan: experiment.plan, learningRate: experiment.optimizer.learningRate,
      metrics: experiment.metrics, shuffler: generator.derived("shuffle"))
    do {
      try trainer.train(
        onBatch: { observer.batchFinished(epoch: $0, batch: $1, of: $2) },
        onEpoch: { epochRecords in
          records += epochRecords
          try writeMetrics(records, files: files, formats: experiment.output.formats, to: directory)
          observer.epochFinished(epochRecords, of: experiment.plan.epochs)
        })
      try directory.write(SafeTensors.encode(network.parameters), to: "model.safetensors")
      manifest.status = .completed
    } catch let error as TrainingDiverged {
      manifest.status = .diverged
      manifest.message = error.description
    } catch {
      manifest.status = .failed
      manifest.message = String(describing: error)
    }
    let end = Date()
    manifest.finished = Manifest.timestamp(end)
    try writeManifest(manifest, to: directory)
    return RunOutcome(
      status: manifest.status, directory: directory, records: records, manifest: manifest,
      seconds: end.timeIntervalSince(start))
  }

  static func writeManifest(_ manifest: Manifest, to directory: RunDirectory) throws(RunFileError) {
    do {
      try directory.write(try manifest.jsonData(), to: "manifest.json")
    } catch let error as RunFileError {
      throw error
    } catch {
      throw RunFileError(path: directory.path("manifest.json").path, reason: "\(error)")
    }
  }

  static func writeMetrics(
    _ records: [EpochRecord], files: MetricsFiles, formats: [MetricsFormat],
    to directory: RunDirectory
  ) throws {
    if formats.contains(.csv) { try directory.write(files.csv(records), to: "metrics.csv") }
    if formats.contains(.json) { try directory.write(try files.json(records), to: "metrics.json") }
  }
}

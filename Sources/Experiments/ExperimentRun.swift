import Foundation
import Recur
import Tensors

/// Follows a run as it happens, for the command line's progress and summary.
public protocol RunObserver {
  func runStarted(_ experiment: Experiment, directory: RunDirectory, resumingAfter epoch: Int)
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

/// A run directory that cannot be resumed; nothing in it was changed.
public struct ResumeError: Error, Sendable, CustomStringConvertible {
  public var path: String
  public var reason: String
  public var description: String { "cannot resume \(path): \(reason)" }

  public init(path: String, reason: String) {
    self.path = path
    self.reason = reason
  }
}

/// One training run of an experiment, from an empty run directory to its final manifest, and
/// the resumption of one that was stopped.
public enum ExperimentRun {
  /// Creates the run directory (a new timestamped one under `<output.dir>/<name>/`, or the
  /// folder `directory` when given, see `RunDirectory.claim`) and owns it while the outcome
  /// lives, writes `spec.yaml` and a `running` manifest, trains, writes the metrics after every
  /// epoch, a checkpoint every `training.checkpoint_every` epochs and the model at the end, and
  /// closes the manifest with the status. A stop requested by signal (`StopRequest`) ends
  /// training after the current batch with a checkpoint there and the status `interrupted`.
  /// Only a failure to create or own the run directory throws (`RunFileError`, `FolderInUse`);
  /// anything later is recorded as the status `failed` or `diverged`.
  public static func run(
    _ experiment: Experiment, commandLine: [String], observer: some RunObserver,
    directory placement: URL? = nil
  ) throws -> RunOutcome {
    let start = Date()
    let workingDirectory = FileManager.default.currentDirectoryPath
    // Before the run directory exists, so that a run inside a checkout does not see itself as a
    // change.
    let provenance = Provenance.current(
      workingDirectory: workingDirectory, dataFiles: experiment.dataset.dataFiles,
      components: experiment.components, process: (experiment.dataset as? ProcessDataset)?.record)
    let root = URL(fileURLWithPath: experiment.output.dir, isDirectory: true)
    let directory: RunDirectory
    if let placement {
      directory = try RunDirectory.claim(placement)
    } else {
      directory = try RunDirectory.create(root: root, name: experiment.name, now: start)
    }
    let specText = experiment.spec.yamlText()
    let manifest = Manifest(
      runnerVersion: runnerVersion, name: experiment.name, runID: directory.id,
      seed: experiment.seed, specSHA256: Fingerprint.sha256(specText),
      status: .running, started: Manifest.timestamp(start), finished: nil,
      commandLine: commandLine, workingDirectory: workingDirectory, host: .current, message: nil,
      resumed: nil, provenance: provenance, execution: nil, slurm: .current())
    try directory.write(specText, to: "spec.yaml")
    for artifact in experiment.dataset.artifacts {
      try directory.write(artifact.contents, to: artifact.name)
    }
    try writeManifest(manifest, to: directory)
    return train(
      experiment, in: directory, manifest: manifest, from: nil, start: start, observer: observer)
  }

  /// Continues the run in `url` from its last checkpoint (or from the start when it stopped
  /// before its first one), with the spec stored there, owning the folder while the outcome
  /// lives. Refuses, changing nothing, a folder another live process owns (`FolderInUse`: the
  /// run itself, or another resume), a run that completed, a `spec.yaml` edited since, and a
  /// checkpoint that is corrupt or does not fit the spec's model. Temporaries that killed
  /// processes left are removed before it trains.
  public static func resume(
    _ url: URL, commandLine: [String], observer: some RunObserver, registry: Registry = .standard
  ) throws -> (Experiment, RunOutcome) {
    let start = Date()
    let manifestURL = url.appendingPathComponent("manifest.json")
    guard FileManager.default.fileExists(atPath: manifestURL.path) else {
      throw ResumeError(path: url.path, reason: "no manifest.json: not a run directory")
    }
    let directory = try RunDirectory.own(url)
    guard let manifestData = FileManager.default.contents(atPath: manifestURL.path) else {
      throw ResumeError(path: manifestURL.path, reason: "unreadable")
    }
    var manifest: Manifest
    do {
      manifest = try JSONDecoder().decode(Manifest.self, from: manifestData)
    } catch {
      throw ResumeError(path: manifestURL.path, reason: "unreadable manifest (\(error))")
    }
    guard manifest.status != .completed else {
      throw ResumeError(path: url.path, reason: "the run completed; there is nothing to resume")
    }
    let specURL = directory.path("spec.yaml")
    guard let specData = FileManager.default.contents(atPath: specURL.path) else {
      throw ResumeError(path: specURL.path, reason: "missing")
    }
    guard Fingerprint.sha256(specData) == manifest.specSHA256 else {
      throw ResumeError(
        path: specURL.path,
        reason: "changed since the run started (its SHA-256 differs from "
          + "the manifest's); start a new run with it instead")
    }
    let experiment = try Experiment.stored(in: url, registry: registry)
    var checkpoint: Checkpoint?
    if Checkpoint.exists(in: directory) {
      checkpoint = try Checkpoint.load(
        from: directory,
        expecting: experiment.model.parameterShapes)
    }
    manifest.status = .running
    manifest.message = nil
    manifest.finished = nil
    manifest.files = nil
    manifest.resumed = (manifest.resumed ?? []) + [Manifest.timestamp(start)]
    manifest.commandLine = commandLine
    manifest.slurm = .current()
    try directory.removeStaleTemporaries()
    try writeManifest(manifest, to: directory)
    let outcome = train(
      experiment, in: directory, manifest: manifest, from: checkpoint, start: start,
      observer: observer)
    return (experiment, outcome)
  }

  /// Trains from a fresh network, or from `checkpoint`, recording everything in `directory`.
  static func train(
    _ experiment: Experiment, in directory: RunDirectory, manifest: Manifest,
    from checkpoint: Checkpoint?, start: Date, observer: some RunObserver
  ) -> RunOutcome {
    var manifest = manifest
    var records = checkpoint?.records ?? []
    let info = experiment.dataset.info
    let files = MetricsFiles(metrics: experiment.metrics, facts: info.facts, labels: info.labels)
    let network = experiment.network(parameters: checkpoint?.parameters)
    let execution = ExecutionPlan.choose(
      for: experiment.model.shape, cores: ProcessInfo.processInfo.activeProcessorCount)
    execution.apply(to: network)
    manifest.execution = execution
    var trainer = experiment.trainer(for: network)
    trainer.shouldStop = { StopRequest.received != nil }
    if let checkpoint { trainer.optimizer.state = checkpoint.optimizer }
    let every = experiment.training.checkpointEvery
    var kept = KeptWeights(
      lastGood: checkpoint.flatMap {
        $0.trainer.partialEpoch == nil ? ($0.trainer.completedEpochs, $0.parameters) : nil
      },
      checkpointEpoch: checkpoint?.trainer.completedEpochs)
    do {
      let events =
        experiment.output.formats.contains(.tensorboard)
        ? try TensorBoardEvents.start(
          in: directory, spec: experiment.spec.yamlText(), records: records)
        : nil
      if let checkpoint {
        try trainer.restore(checkpoint.trainer)
        try writeMetrics(records, files: files, formats: experiment.output.formats, to: directory)
      }
      observer.runStarted(experiment, directory: directory, resumingAfter: trainer.completedEpochs)
      try trainer.train(
        onBatch: { observer.batchFinished(epoch: $0, batch: $1, of: $2) },
        onEpoch: { report in
          records += report.records
          kept.lastGood = (report.epoch, network.parameters)
          try RunWriteError.writing("the metrics") {
            try writeMetrics(
              records, files: files, formats: experiment.output.formats, to: directory)
          }
          try RunWriteError.writing("the TensorBoard events") { try events?.append(report.records) }
          if report.isBest {
            try RunWriteError.writing("model-best.safetensors") {
              try directory.write(
                SafeTensors.encode(network.parameters), to: "model-best.safetensors")
            }
          }
          let epoch = report.epoch
          if epoch % every == 0 || epoch == experiment.plan.epochs || report.stopsTraining {
            try RunWriteError.writing("the checkpoint") {
              try Checkpoint(
                parameters: network.parameters, optimizer: report.optimizerState,
                trainer: report.trainerState, records: records
              ).write(to: directory)
            }
            kept.checkpointEpoch = epoch
          }
          observer.epochFinished(report.records, of: experiment.plan.epochs)
        })
      try RunWriteError.writing("model.safetensors") {
        try directory.write(SafeTensors.encode(network.parameters), to: "model.safetensors")
      }
      var confusions: [Split: ConfusionMatrix] = [:]
      for split in experiment.dataset.availableSplits {
        guard let matrix = trainer.confusion(split) else { continue }
        confusions[split] = matrix
        try directory.write(matrix.csv(labels: info.labels), to: "confusion-\(split.rawValue).csv")
      }
      if !confusions.isEmpty, experiment.output.formats.contains(.json) {
        try directory.write(try files.json(records, confusions: confusions), to: "metrics.json")
      }
      // Everything the run promises is on disk before the manifest says so.
      manifest.files = try directory.flushOutputs()
      manifest.status = .completed
      if let early = trainer.earlyStopping, trainer.completedEpochs < experiment.plan.epochs {
        manifest.message =
          "stopped early after epoch \(trainer.completedEpochs): \(early.split.rawValue)."
          + "\(early.metric) last improved at epoch \(early.bestEpoch.map(String.init) ?? "–")"
      }
    } catch let interruption as TrainingInterrupted {
      do {
        try RunWriteError.writing("the checkpoint") {
          try Checkpoint(
            parameters: network.parameters, optimizer: trainer.optimizer.state,
            trainer: try trainer.state(), records: records
          ).write(to: directory)
        }
        manifest.status = .interrupted
        manifest.message =
          "\(interruption) by signal \(StopRequest.received ?? 0); checkpoint/ holds that "
          + "position (runner resume continues it)"
      } catch {
        manifest.status = .failed
        manifest.message = "\(interruption), then: \(error)"
      }
    } catch let error as TrainingDiverged {
      manifest.status = .diverged
      manifest.message = kept.divergedMessage(error) {
        try directory.write(SafeTensors.encode($0), to: "model.safetensors")
      }
    } catch {
      manifest.status = .failed
      manifest.message = String(describing: error)
    }
    let end = Date()
    manifest.finished = Manifest.timestamp(end)
    do {
      try writeManifest(manifest, to: directory)
    } catch {
      // A full disk has no room for the manifest's temporary file; its own blocks still do.
      do {
        try directory.overwriteInPlace(try manifest.jsonData(), file: "manifest.json")
      } catch {
        manifest.status = .failed
        manifest.message =
          (manifest.message.map { $0 + "; then " } ?? "") + "cannot write the manifest: \(error)"
      }
    }
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

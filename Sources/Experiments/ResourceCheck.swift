import Foundation
import Recur
import YAMLSpec

/// The sizes of a run checked before anything is allocated: every size option against what can
/// be represented, and the memory the run needs, estimated from the sizes, against the
/// machine's physical memory. A failed check is a spec error at the option to change.
struct ResourceCheck {
  /// The largest size any option may have: BLAS takes 32-bit dimensions and inputs and targets
  /// are 32-bit indices.
  static let sizeLimit = Int(Int32.max)
  /// Sequences per evaluation batch (`Trainer.evaluationBatchSize`).
  static let evaluationBatch = 256

  /// Physical memory in bytes.
  var memory: Int

  /// The check against this machine's physical memory.
  static var machine: ResourceCheck {
    ResourceCheck(memory: Int(clamping: ProcessInfo.processInfo.physicalMemory))
  }

  /// Every integer option of `section` (a resolved section at `path`) is at most `sizeLimit`.
  func checkSizes(of section: SpecNode, path: String) throws(SpecError) {
    for entry in section.entries ?? [] {
      // Resolved integer options are plain decimal digits.
      guard case .scalar(let text, .plain) = entry.value.content, !text.isEmpty,
        text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
      else { continue }
      if let value = Int(text), value <= Self.sizeLimit { continue }
      throw SpecError(
        "\(path).\(entry.key) is \(text), more than any size can be",
        at: entry.value.location, keyPath: "\(path).\(entry.key)",
        expected: "at most \(Self.sizeLimit) (2³¹ − 1: matrix dimensions and indices are 32-bit)")
    }
  }

  /// What the run needs in memory, estimated: the data of a generated dataset (drawn when the run
  /// starts; a dataset read from files is already in memory), the weights and their gradients
  /// (4 bytes each), and the activations of the largest batch.
  struct Estimate {
    var data: Int
    var largestSplit: Split
    var parameters: Int?
    var model: Int
    var batch: Int
    /// Whether the largest batch is a training batch (else an evaluation batch).
    var batchIsTraining: Bool
    var batchSequences: Int
    var total: Int {
      DatasetShape.saturating(Double(data) + Double(model) + Double(batch))
    }
  }

  /// Estimates a run of `model` on data of `shape` in batches of `batchSize`.
  static func estimate(
    shape: DatasetShape, generated: Bool, model: NetworkShape,
    cell: any RecurrentCell = ElmanCell(activation: Tanh()), batchSize: Int
  ) -> Estimate {
    let splits = Split.allCases
    let largest = splits.max { shape.bytes(of: $0) < shape.bytes(of: $1) } ?? .train
    let data =
      generated
      ? DatasetShape.saturating(splits.reduce(0.0) { $0 + Double(shape.bytes(of: $1)) }) : 0
    let parameters = NetworkShape.parameterCount(
      input: model.inputSize, hidden: model.hiddenSize, output: model.outputSize,
      directions: model.directions.count, bias: model.bias, gates: cell.gates.count,
      layers: model.layers,
      extraPerUnit: cell.parameters.filter { model.bias || !$0.isBias }.reduce(0) { $0 + $1.width })
    let modelBytes = parameters.map { DatasetShape.saturating(8 * Double($0)) } ?? Int.max
    let trainSequences = min(batchSize, shape.sequences[.train] ?? 0)
    let evaluated = shape.availableSplits.map { min(evaluationBatch, shape.sequences[$0] ?? 0) }
    let evaluationSequences = evaluated.max() ?? 0
    let batchIsTraining = trainSequences >= evaluationSequences
    let sequences = max(trainSequences, evaluationSequences)
    return Estimate(
      data: data, largestSplit: largest, parameters: parameters, model: modelBytes,
      batch: batchBytes(
        rows: Double(sequences) * Double(shape.longestSequence), shape: shape, model: model,
        cell: cell),
      batchIsTraining: batchIsTraining, batchSequences: sequences)
  }

  /// The activations of a batch of `rows` padded steps: per direction and layer about 2G + 4
  /// Float32 values per hidden unit for a cell of G gates (gates and their deltas, outputs,
  /// output deltas and their scored and dropped copies; six for an Elman cell), two more with a
  /// cell state and the cell's scratch, four per output (logits, probabilities and their
  /// deltas), and for dense inputs the inputs twice (the batch and its noisy copy).
  static func batchBytes(
    rows: Double, shape: DatasetShape, model: NetworkShape,
    cell: any RecurrentCell = ElmanCell(activation: Tanh())
  ) -> Int {
    let perUnit = 2 * cell.gates.count + 4 + (cell.carriesState ? 2 : 0) + cell.scratchWidth
    let hidden =
      Double(perUnit) * Double(model.hiddenSize) * Double(model.directions.count)
      * Double(model.layers)
    let inputs = shape.denseInputs ? 2 * Double(shape.inputSize) : 0
    return DatasetShape.saturating(rows * 4 * (hidden + 4 * Double(model.outputSize) + inputs))
  }

  /// Checks the run's estimate against memory and the batch against what BLAS can take.
  func check(
    shape: DatasetShape, generated: Bool, model: NetworkShape,
    cell: any RecurrentCell = ElmanCell(activation: Tanh()), batchSize: Int,
    dataset: ComponentOptions, modelOptions: ComponentOptions, training: ComponentOptions
  ) throws(SpecError) {
    let estimate = Self.estimate(
      shape: shape, generated: generated, model: model, cell: cell, batchSize: batchSize)
    let sizes = "I=\(model.inputSize), H=\(model.hiddenSize), K=\(model.outputSize)"
      + (model.directions.count > 1 ? ", \(model.directions.count) directions" : "")
    let fits = "sizes whose estimate fits in this machine's \(Self.text(memory)) of memory"
    guard let parameters = estimate.parameters else {
      throw modelOptions.error(
        at: "hidden", "the model (\(sizes)) has more than \(Int.max) parameters", expected: fits)
    }
    let rows = Checked(estimate.batchSequences) * shape.longestSequence
    let batchOption = batchLocation(estimate, dataset: dataset, training: training)
    if rows.value.map({ $0 > Self.sizeLimit }) ?? true {
      throw batchOption.options.error(
        at: batchOption.key,
        "\(batchOption.what) of \(estimate.batchSequences) sequences of up to "
          + "\(shape.longestSequence) steps has more than \(Self.sizeLimit) rows",
        expected: "at most \(Self.sizeLimit) padded steps in a batch (BLAS dimensions are 32-bit)")
    }
    let parts: [(bytes: Int, raise: () -> SpecError)] = [
      (
        estimate.model,
        {
          modelOptions.error(
            at: "hidden",
            "the model (\(sizes)) has \(parameters) parameters: its weights and gradients need "
              + "about \(Self.text(estimate.model))\(self.against(estimate))", expected: fits)
        }
      ),
      (
        estimate.data,
        {
          let split = estimate.largestSplit
          return dataset.error(
            at: "\(split.rawValue)_sequences",
            "the generated data needs about \(Self.text(estimate.data)) (the \(split.rawValue) "
              + "split: \(shape.sequences[split] ?? 0) sequences of up to "
              + "\(shape.longestSequence) steps, about \(Self.text(shape.bytes(of: split))))"
              + self.against(estimate), expected: fits)
        }
      ),
      (
        estimate.batch,
        {
          batchOption.options.error(
            at: batchOption.key,
            "\(batchOption.what) of \(estimate.batchSequences) sequences of up to "
              + "\(shape.longestSequence) steps needs about \(Self.text(estimate.batch)) of "
              + "activations (\(sizes))\(self.against(estimate))", expected: fits)
        }
      ),
    ]
    guard estimate.total > memory, let largest = parts.max(by: { $0.bytes < $1.bytes }) else {
      return
    }
    throw largest.raise()
  }

  /// Where to point at a batch that is too large: the batch size for a training batch, the
  /// sequence length (or the data option) for an evaluation batch.
  private func batchLocation(
    _ estimate: Estimate, dataset: ComponentOptions, training: ComponentOptions
  ) -> (options: ComponentOptions, key: String, what: String) {
    if estimate.batchIsTraining { return (training, "batch_size", "the largest training batch") }
    let key = dataset.node["max_length"] != nil ? "max_length" : "train"
    return (dataset, key, "an evaluation batch")
  }

  /// `; the whole run needs about X of this machine's Y` when the run needs more than its part.
  private func against(_ estimate: Estimate) -> String {
    "; the run needs about \(Self.text(estimate.total)) in all, more than this machine's "
      + "\(Self.text(memory))"
  }

  /// Bytes as `23.5 GB` (powers of 1000).
  static func text(_ bytes: Int) -> String {
    let units = ["bytes", "kB", "MB", "GB", "TB", "PB", "EB"]
    var value = Double(bytes)
    var unit = 0
    while value >= 1000 && unit < units.count - 1 {
      value /= 1000
      unit += 1
    }
    return unit == 0 ? "\(bytes) bytes" : String(format: "%.1f", value) + " " + units[unit]
  }
}

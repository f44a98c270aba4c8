import Tensors

/// The inputs of a batch, laid out time-major (row `t * B + b` is step t of sequence b).
public enum BatchInputs<Scalar: BLASScalar>: Sendable {
  /// `[T·B × I]`, padded rows zero.
  case dense(Matrix<Scalar>)
  /// T·B rows, padded rows empty.
  case sparse(SparseRows)
}

/// A padded minibatch in the time-major layout: row `t * B + b` is step t of sequence b, so one
/// step's rows are a contiguous block of B rows. T is the longest length in the batch.
public struct SequenceBatch<Scalar: BLASScalar>: Sendable {
  /// B entries, each ≥ 1.
  public var lengths: [Int]
  /// T = `lengths.max()`.
  public var steps: Int
  /// The inputs, `T·B` rows.
  public var inputs: BatchInputs<Scalar>
  /// Framewise: T·B time-major, -1 at padding; sequence: B. Regression: 0 on scored rows.
  public var targets: [Int32]
  /// Regression only: K values per row of `targets` (row-major, 0 on rows not scored); empty
  /// for classification.
  public var values: [Double]
  /// Aligned with `targets`: whether the word at that row was unknown; empty when the examples
  /// do not say.
  public var unknown: [Bool]
  /// Which kind of labels `targets` holds.
  public var task: TaskKind

  /// B, the number of sequences.
  public var batchSize: Int { lengths.count }

  /// Pads and lays out `examples` time-major.
  ///
  /// Preconditions (programmer errors: a dataset validates its examples): `examples` is
  /// non-empty and of one input kind; every example has at least one step; dense examples have
  /// width `inputSize`; a framewise example has one target per step, a sequence example exactly
  /// one; regression examples all carry the same number K of values per target row; either every
  /// example or none says which words are unknown.
  public init(examples: [SequenceExample], task: TaskKind, inputSize: Int) {
    precondition(!examples.isEmpty, "a batch needs at least one example")
    let lengths = examples.map(\.length)
    precondition(lengths.allSatisfy { $0 >= 1 }, "every example needs at least one step")
    let batchSize = examples.count
    let steps = lengths.max()!
    let rowCount = steps * batchSize

    switch examples[0].inputs {
    case .dense:
      // Every row is written once, a copied step or a padding row of zeros, so the matrix is
      // not filled with zeros first.
      let elements = [Scalar](unsafeUninitializedCapacity: rowCount * inputSize) {
        elements, initialized in
        for (b, example) in examples.enumerated() {
          guard case .dense(let values, let width) = example.inputs else {
            preconditionFailure("a batch mixes dense and sparse examples")
          }
          precondition(
            width == inputSize, "dense example of width \(width), expected \(inputSize)")
          values.withUnsafeBufferPointer { values in
            for t in 0..<steps {
              let row = elements.baseAddress! + (t * batchSize + b) * inputSize
              if t < lengths[b] {
                let source = values.baseAddress! + t * width
                for i in 0..<inputSize { (row + i).initialize(to: Scalar(source[i])) }
              } else {
                row.initialize(repeating: 0, count: inputSize)
              }
            }
          }
        }
        initialized = rowCount * inputSize
      }
      inputs = .dense(Matrix(rows: rowCount, columns: inputSize, elements: elements))
    case .sparse:
      let perExample: [[[Int32]]] = examples.map { example in
        guard case .sparse(let steps) = example.inputs else {
          preconditionFailure("a batch mixes dense and sparse examples")
        }
        return steps
      }
      var offsets = [0]
      offsets.reserveCapacity(rowCount + 1)
      var indices: [Int32] = []
      for t in 0..<steps {
        for b in 0..<batchSize {
          if t < lengths[b] { indices.append(contentsOf: perExample[b][t]) }
          offsets.append(indices.count)
        }
      }
      inputs = .sparse(SparseRows(offsets: offsets, indices: indices))
    }

    if task.isFramewise {
      var targets = [Int32](repeating: -1, count: rowCount)
      for (b, example) in examples.enumerated() {
        precondition(
          example.targets.count == lengths[b],
          "framewise example with \(lengths[b]) steps has \(example.targets.count) targets")
        for t in 0..<lengths[b] { targets[t * batchSize + b] = example.targets[t] }
      }
      self.targets = targets
    } else {
      precondition(
        examples.allSatisfy { $0.targets.count == 1 },
        "a sequence example has exactly one target")
      self.targets = examples.map { $0.targets[0] }
    }

    var values: [Double] = []
    if task.isRegression {
      let width = examples[0].values.count / examples[0].targets.count
      precondition(
        width > 0 && examples.allSatisfy { $0.values.count == width * $0.targets.count },
        "regression examples need the same number of values per target row")
      values = [Double](repeating: 0, count: self.targets.count * width)
      for (b, example) in examples.enumerated() {
        for (t, target) in example.targets.enumerated() where target >= 0 {
          let row = task.isFramewise ? t * batchSize + b : b
          for j in 0..<width { values[row * width + j] = example.values[t * width + j] }
        }
      }
    }
    self.values = values

    var unknown: [Bool] = []
    if !examples[0].unknown.isEmpty {
      precondition(
        examples.allSatisfy { $0.unknown.count == $0.targets.count },
        "either every example or none marks its unknown words, one flag per target")
      unknown = [Bool](repeating: false, count: self.targets.count)
      for (b, example) in examples.enumerated() {
        for (t, flag) in example.unknown.enumerated() {
          unknown[task.isFramewise ? t * batchSize + b : b] = flag
        }
      }
    }
    self.unknown = unknown
    self.lengths = lengths
    self.steps = steps
    self.task = task
  }
}

extension SequenceBatch {
  /// What metrics compare predictions against.
  public var scoring: BatchTargets {
    BatchTargets(
      classes: targets, values: values, unknown: unknown, lengths: lengths, task: task)
  }
}

/// The targets of a batch as metrics read them, independent of the training scalar.
public struct BatchTargets: Sendable, Equatable {
  /// Aligned with the predictions: framewise T·B time-major rows (row `t·B + b`), sequence B;
  /// -1 = not scored (regression: 0 on scored rows).
  public var classes: [Int32]
  /// Regression: K values per row, row-major; empty for classification.
  public var values: [Double]
  /// Aligned with `classes`: whether the word at that row was unknown; empty when not known.
  public var unknown: [Bool]
  /// Per sequence, its number of steps.
  public var lengths: [Int]
  public var task: TaskKind

  public init(
    classes: [Int32], values: [Double] = [], unknown: [Bool] = [], lengths: [Int], task: TaskKind
  ) {
    self.classes = classes
    self.values = values
    self.unknown = unknown
    self.lengths = lengths
    self.task = task
  }

  /// The rows of sequence b: every step for framewise tasks (`t·B + b`), else row b.
  public func rows(ofSequence b: Int) -> [Int] {
    task.isFramewise ? (0..<lengths[b]).map { $0 * lengths.count + b } : [b]
  }
}

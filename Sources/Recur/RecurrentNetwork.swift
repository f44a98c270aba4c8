import Tensors

/// An Elman RNN (one direction) or BRNN (two) with a softmax output (classification) or a linear
/// output (regression), exactly MATH.md.
///
/// Batches are time-major (row `t·B + b` is step t of sequence b). Each direction is a
/// `RecurrentUnroll`; the output layer reads `[→b^t, ←b^t]` through `output.V` (`(H·D) × K`)
/// as one product per direction with its block of V's rows, so the two hidden layers are never
/// concatenated.
///
/// Holds reusable workspaces (grown to the largest batch seen, never shrunk), so it is a class;
/// not thread-safe.
public final class RecurrentNetwork<Scalar: BLASScalar> {
  public let shape: NetworkShape
  public let activation: any Activation
  /// The weights, in the order of `parameterShapes(for: shape)`.
  public var parameters: ParameterSet<Scalar>

  private let expectedShapes: [(key: String, rows: Int, columns: Int)]
  private let layerIndices: [(input: Int, recurrent: Int, bias: Int?)]
  private let outputIndex: Int
  private let outputBiasIndex: Int?
  private let workspace: Workspace

  /// Precondition: positive sizes, one or two distinct directions, and parameters that match
  /// `parameterShapes(for: shape)`.
  public init(shape: NetworkShape, activation: any Activation, parameters: ParameterSet<Scalar>) {
    precondition(
      shape.inputSize > 0 && shape.hiddenSize > 0 && shape.outputSize > 0,
      "network sizes must be positive")
    precondition(
      !shape.directions.isEmpty && Set(shape.directions).count == shape.directions.count,
      "directions must be non-empty and distinct")
    self.shape = shape
    self.activation = activation
    self.parameters = parameters
    expectedShapes = Self.parameterShapes(for: shape)
    let index = Dictionary(uniqueKeysWithValues: expectedShapes.enumerated().map { ($1.key, $0) })
    layerIndices = shape.directions.map { direction in
      let name = direction.rawValue
      return (index["\(name).U"]!, index["\(name).W"]!, index["\(name).c"])
    }
    outputIndex = index["output.V"]!
    outputBiasIndex = index["output.d"]
    workspace = Workspace(directions: shape.directions.count)
    checkParameters()
  }

  /// Keys and shapes, in this order:
  ///   forward.U [I×H], forward.W [H×H], forward.c [1×H] (bias only),
  ///   backward.U, backward.W, backward.c (brnn only),
  ///   output.V [(H·directions)×K] (rows 0..<H read the forward layer, H..<2H the backward),
  ///   output.d [1×K] (bias only)
  public static func parameterShapes(
    for shape: NetworkShape
  ) -> [(key: String, rows: Int, columns: Int)] {
    let (i, h, k) = (shape.inputSize, shape.hiddenSize, shape.outputSize)
    var shapes: [(key: String, rows: Int, columns: Int)] = []
    for direction in shape.directions {
      let name = direction.rawValue
      shapes.append(("\(name).U", i, h))
      shapes.append(("\(name).W", h, h))
      if shape.bias { shapes.append(("\(name).c", 1, h)) }
    }
    shapes.append(("output.V", h * shape.directions.count, k))
    if shape.bias { shapes.append(("output.d", 1, k)) }
    return shapes
  }

  /// Weights uniform in ±1/√H from `generator` in key order, row-major; biases zero (and draw
  /// nothing).
  public static func initialParameters(
    for shape: NetworkShape, generator: inout SeededGenerator
  ) -> ParameterSet<Scalar> {
    let limit = 1 / Double(shape.hiddenSize).squareRoot()
    var parameters = ParameterSet<Scalar>()
    for (key, rows, columns) in parameterShapes(for: shape) {
      var matrix = Matrix<Scalar>(rows: rows, columns: columns)
      if !key.hasSuffix(".c") && !key.hasSuffix(".d") {
        for index in 0..<matrix.count {
          matrix.elements[index] = Scalar(generator.uniform(in: -limit...limit))
        }
      }
      parameters.append(key, matrix)
    }
    return parameters
  }

  /// Forward, cross-entropy, BPTT. Writes ∂(loss.mean)/∂θ into `gradients` (overwritten; same
  /// keys as parameters; replaced by a correctly shaped set if its layout differs) and returns
  /// the loss.
  @_specialize(where Scalar == Float)
  @_specialize(where Scalar == Double)
  public func lossAndGradients(
    for batch: SequenceBatch<Scalar>, into gradients: inout ParameterSet<Scalar>
  ) -> BatchLoss {
    checkParameters()
    checkBatch(batch)
    if !gradients.hasSameLayout(as: parameters) { gradients = parameters.zeros() }
    let unrolls = prepareUnrolls(for: batch)
    let k = shape.outputSize
    let h = shape.hiddenSize
    let outputRows = batch.targets.count
    let logits = workspace.logits.reserve(outputRows * k)
    let loss = batch.withInputRows { inputs in
      parameters.withUnsafeElementPointers { weights in
        forward(unrolls, inputs: inputs, weights: weights, logits: logits, batch: batch)
        let loss =
          shape.task.isRegression
          ? SquaredError.lossAndDeltas(
            outputs: logits, width: k, targets: batch.targets, values: batch.values)
          : SoftmaxCrossEntropy.lossAndDeltas(logits: logits, classes: k, targets: batch.targets)
        // δ_k is now in `logits`; seed each direction's deltas with δ_k Vᵀ, then BPTT.
        for (d, unroll) in unrolls.enumerated() {
          let v = weights[outputIndex] + d * h * k
          switch batch.task {
          case .framewise, .framewiseRegression:
            gemm(
              .none, .transposed, m: unroll.rowCount, n: h, k: k,
              alpha: 1, logits, lda: k, v, ldb: k, beta: 0, unroll.deltas, ldc: h)
          case .sequence, .sequenceRegression:
            let perSequence = workspace.hiddenGradient.reserve(batch.batchSize * h)
            gemm(
              .none, .transposed, m: batch.batchSize, n: h, k: k,
              alpha: 1, logits, lda: k, v, ldb: k, beta: 0, perSequence, ldc: h)
            unroll.deltas.update(repeating: 0, count: unroll.rowCount * h)
            for b in 0..<batch.batchSize {
              let row =
                unroll.deltas
                + (unroll.scoredStep(length: batch.lengths[b])
                  * batch.batchSize + b) * h
              for j in 0..<h { row[j] = perSequence[b * h + j] }
            }
          }
          unroll.runBackward(w: weights[layerIndices[d].recurrent])
        }
        return loss
      }
    }
    // Weight gradients: single products over all rows, after the loops.
    batch.withInputRows { inputs in
      for (d, unroll) in unrolls.enumerated() {
        let layer = layerIndices[d]
        gradients.values[layer.input].elements.withUnsafeMutableBufferPointer {
          unroll.inputWeightGradient(inputs, into: $0)
        }
        gradients.values[layer.recurrent].elements.withUnsafeMutableBufferPointer {
          unroll.recurrentWeightGradient(into: $0)
        }
        if let bias = layer.bias {
          gradients.values[bias].elements.withUnsafeMutableBufferPointer {
            unroll.biasGradient(into: $0)
          }
        }
      }
    }
    gradients.values[outputIndex].elements.withUnsafeMutableBufferPointer { gradient in
      // ∂V = Bᵀ Δ_k, one product per direction into its block of rows.
      for (d, unroll) in unrolls.enumerated() {
        let states =
          batch.task.isFramewise
          ? UnsafePointer(unroll.outputs) : UnsafePointer(workspace.scoredStates[d].pointer)
        gemm(
          .transposed, .none, m: h, n: k, k: outputRows,
          alpha: 1, states, lda: h, logits, ldb: k,
          beta: 0, gradient.baseAddress! + d * h * k, ldc: k)
      }
    }
    if let outputBiasIndex {
      gradients.values[outputBiasIndex].elements.withUnsafeMutableBufferPointer {
        sumRows(of: logits, rows: outputRows, columns: k, into: $0)
      }
    }
    return loss
  }

  /// Forward pass and loss only.
  @_specialize(where Scalar == Float)
  @_specialize(where Scalar == Double)
  public func evaluate(_ batch: SequenceBatch<Scalar>) -> BatchEvaluation {
    checkParameters()
    checkBatch(batch)
    let unrolls = prepareUnrolls(for: batch)
    let logits = workspace.logits.reserve(batch.targets.count * shape.outputSize)
    batch.withInputRows { inputs in
      parameters.withUnsafeElementPointers { weights in
        forward(unrolls, inputs: inputs, weights: weights, logits: logits, batch: batch)
      }
    }
    if shape.task.isRegression {
      return SquaredError.evaluate(
        outputs: logits, width: shape.outputSize, targets: batch.targets, values: batch.values)
    }
    return SoftmaxCrossEntropy.evaluate(
      logits: logits, classes: shape.outputSize, targets: batch.targets)
  }

  /// The smallest |a| over the real (unpadded) rows of every direction after a forward pass:
  /// how close a batch comes to ReLU's kink, where finite differences and BPTT legitimately
  /// disagree (a gradient check of a ReLU network is meaningful when this exceeds ε by far).
  public func smallestPreActivationMagnitude(for batch: SequenceBatch<Scalar>) -> Double {
    _ = evaluate(batch)
    let h = shape.hiddenSize
    var smallest = Double.infinity
    for d in shape.directions.indices {
      let a = workspace.preActivations[d].pointer
      for t in 0..<batch.steps {
        for b in 0..<batch.batchSize where t < batch.lengths[b] {
          let row = a + (t * batch.batchSize + b) * h
          for j in 0..<h { smallest = min(smallest, Double(abs(row[j]))) }
        }
      }
    }
    return smallest
  }

  // MARK: Forward pass

  /// Hidden states of every direction, then the output logits `[rows × K]`: all `T·B` rows for
  /// framewise tasks, the B scored states (`→b^(len_b)`, `←b^1`) for sequence tasks.
  private func forward(
    _ unrolls: [RecurrentUnroll<Scalar>], inputs: InputRows<Scalar>,
    weights: [UnsafePointer<Scalar>], logits: UnsafeMutablePointer<Scalar>,
    batch: SequenceBatch<Scalar>
  ) {
    let (h, k) = (shape.hiddenSize, shape.outputSize)
    let outputRows = batch.targets.count
    for (d, unroll) in unrolls.enumerated() {
      let layer = layerIndices[d]
      unroll.projectInputs(inputs, u: weights[layer.input], bias: layer.bias.map { weights[$0] })
      unroll.runForward(w: weights[layer.recurrent])
      let states: UnsafePointer<Scalar>
      switch batch.task {
      case .framewise, .framewiseRegression:
        states = UnsafePointer(unroll.outputs)
      case .sequence, .sequenceRegression:
        let gathered = workspace.scoredStates[d].reserve(batch.batchSize * h)
        for b in 0..<batch.batchSize {
          let source =
            unroll.outputs
            + (unroll.scoredStep(length: batch.lengths[b])
              * batch.batchSize + b) * h
          (gathered + b * h).update(from: source, count: h)
        }
        states = UnsafePointer(gathered)
      }
      // Logits = Σ_directions states · V_d (+ d): accumulate after the first direction.
      gemm(
        .none, .none, m: outputRows, n: k, k: h,
        alpha: 1, states, lda: h, weights[outputIndex] + d * h * k, ldb: k,
        beta: d == 0 ? 0 : 1, logits, ldc: k)
    }
    if let outputBiasIndex {
      let bias = weights[outputBiasIndex]
      for r in 0..<outputRows {
        let row = logits + r * k
        for j in 0..<k { row[j] += bias[j] }
      }
    }
  }

  // MARK: Workspaces and checks

  /// Buffers reused across calls; each grows to the largest batch seen.
  private final class Workspace {
    let preActivations: [ScratchBuffer<Scalar>]
    let outputs: [ScratchBuffer<Scalar>]
    let deltas: [ScratchBuffer<Scalar>]
    let scoredStates: [ScratchBuffer<Scalar>]
    let logits = ScratchBuffer<Scalar>()
    let hiddenGradient = ScratchBuffer<Scalar>()

    init(directions: Int) {
      preActivations = (0..<directions).map { _ in ScratchBuffer() }
      outputs = (0..<directions).map { _ in ScratchBuffer() }
      deltas = (0..<directions).map { _ in ScratchBuffer() }
      scoredStates = (0..<directions).map { _ in ScratchBuffer() }
    }
  }

  private func prepareUnrolls(for batch: SequenceBatch<Scalar>) -> [RecurrentUnroll<Scalar>] {
    let count = batch.steps * batch.batchSize * shape.hiddenSize
    return shape.directions.enumerated().map { d, direction in
      RecurrentUnroll(
        direction: direction, activation: activation, hiddenSize: shape.hiddenSize,
        steps: batch.steps, lengths: batch.lengths,
        preActivations: workspace.preActivations[d].reserve(count),
        outputs: workspace.outputs[d].reserve(count),
        deltas: workspace.deltas[d].reserve(count))
    }
  }

  private func checkParameters() {
    precondition(
      parameters.keys == expectedShapes.map(\.key)
        && zip(parameters.values, expectedShapes).allSatisfy {
          $0.rows == $1.rows && $0.columns == $1.columns
        },
      "parameters do not match parameterShapes(for: shape)")
  }

  /// Batches come from `SequenceBatch.init`, which a dataset feeds validated examples; a batch
  /// that does not fit the network is a programmer error.
  private func checkBatch(_ batch: SequenceBatch<Scalar>) {
    let rows = batch.steps * batch.batchSize
    precondition(batch.task == shape.task, "a \(batch.task) batch for a \(shape.task) network")
    precondition(
      batch.batchSize > 0 && batch.lengths.allSatisfy { $0 >= 1 && $0 <= batch.steps }
        && batch.lengths.contains(batch.steps), "inconsistent batch lengths")
    precondition(
      batch.targets.count == (shape.task.isFramewise ? rows : batch.batchSize),
      "wrong number of targets")
    precondition(
      !shape.task.isRegression || batch.values.count == batch.targets.count * shape.outputSize,
      "a regression batch needs K values per target row")
    precondition(
      batch.targets.allSatisfy { $0 < shape.outputSize },
      "a target is not below the output size \(shape.outputSize)")
    switch batch.inputs {
    case .dense(let x):
      precondition(
        x.rows == rows && x.columns == shape.inputSize,
        "dense inputs are \(x.rows)×\(x.columns), expected \(rows)×\(shape.inputSize)")
    case .sparse(let x):
      precondition(x.rows == rows, "sparse inputs have \(x.rows) rows, expected \(rows)")
      precondition(
        x.indices.allSatisfy { $0 >= 0 && Int($0) < shape.inputSize },
        "a sparse input index is outside 0..<\(shape.inputSize)")
    }
  }
}

extension SequenceBatch {
  /// Calls `body` with the inputs as kernels read them.
  func withInputRows<R>(_ body: (InputRows<Scalar>) -> R) -> R {
    switch inputs {
    case .dense(let matrix):
      matrix.elements.withUnsafeBufferPointer {
        body(.dense($0.baseAddress!, width: matrix.columns))
      }
    case .sparse(let rows):
      body(.sparse(rows))
    }
  }
}

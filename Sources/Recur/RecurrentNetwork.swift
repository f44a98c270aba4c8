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
  /// Whether a BRNN runs its two directions on two threads at once (the caller's and a paired
  /// thread the network keeps); results are bit-identical either way. Needs macOS 15 on Apple
  /// platforms (atomics), where it is otherwise ignored.
  public var parallelDirections = false {
    didSet { updatePairedThread() }
  }
  /// The `PairedThread` running the backward direction while `parallelDirections` is on.
  private var pairedThread: AnyObject?
  /// How the products by one weight matrix run: the T per-step recurrent products of each pass,
  /// and the output layer and its error (by V and Vᵀ). By default the fastest kernel this CPU
  /// has for `Scalar` (a packed single-threaded one for Float on AVX2 or AVX-512). Kernels
  /// differ in rounding only. Precondition: one of `ProductKernel.available(for: Scalar.self)`.
  public var recurrentProduct: ProductKernel = .best(for: Scalar.self) {
    didSet { workspace.useRecurrentProduct(recurrentProduct) }
  }

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
    workspace = Workspace(directions: shape.directions.count, kernel: recurrentProduct)
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
  ///
  /// `outputDropout`, when given, holds per direction a mask of `rows × H` (the rows of
  /// `batch.targets`) multiplying the hidden outputs the output layer reads — not the
  /// recurrence — in the forward pass and, the same way, the error they receive from it.
  ///
  /// With `parallelDirections`, the two directions of a BRNN run on two threads from the input
  /// projection to the output layer and again from the output error to their weight gradients;
  /// each writes only its own buffers and the partial logits are summed in a fixed order
  /// afterwards, so results do not depend on timing.
  @_specialize(where Scalar == Float)
  @_specialize(where Scalar == Double)
  public func lossAndGradients(
    for batch: SequenceBatch<Scalar>, into gradients: inout ParameterSet<Scalar>,
    outputDropout masks: [[Scalar]]? = nil
  ) -> BatchLoss {
    checkParameters()
    checkBatch(batch)
    if let masks {
      precondition(
        masks.count == shape.directions.count
          && masks.allSatisfy { $0.count == batch.targets.count * shape.hiddenSize },
        "one dropout mask of rows × H per direction")
    }
    if !gradients.hasSameLayout(as: parameters) { gradients = parameters.zeros() }
    let unrolls = prepareUnrolls(for: batch, backpropagating: true)
    let (h, k) = (shape.hiddenSize, shape.outputSize)
    let outputRows = batch.targets.count
    let logits = workspace.logits.reserve(outputRows * k)
    let loss = batch.withInputRows { inputs in
      parameters.withUnsafeElementPointers { weights in
        forward(
          unrolls, inputs: inputs, weights: weights, logits: logits, batch: batch,
          outputDropout: masks)
        let loss =
          shape.task.isRegression
          ? SquaredError.lossAndDeltas(
            outputs: logits, width: k, targets: batch.targets, values: batch.values)
          : SoftmaxCrossEntropy.lossAndDeltas(logits: logits, classes: k, targets: batch.targets)
        // δ_k is now in `logits`; each direction backpropagates it on its own, into its own
        // gradients and its own rows of ∂V.
        gradients.withUnsafeMutableElementPointers { slots in
          forEachDirection(unrolls.count) { d in
            let layer = layerIndices[d]
            backward(
              unrolls[d], index: d, inputs: inputs, weights: weights, outputDeltas: logits,
              batch: batch, mask: masks?[d],
              gradients: DirectionGradients(
                input: slots[layer.input], recurrent: slots[layer.recurrent],
                bias: layer.bias.map { slots[$0] }, output: slots[outputIndex] + d * h * k))
          }
          if let outputBiasIndex {
            Scalar.sumRows(
              of: logits, rows: outputRows, columns: k,
              into: UnsafeMutableBufferPointer(start: slots[outputBiasIndex], count: k))
          }
        }
        return loss
      }
    }
    return loss
  }

  /// Where one direction's backward pass writes its weight gradients: ∂U `[I×H]`, ∂W `[H×H]`,
  /// ∂c `[1×H]` (with a bias) and its block of ∂V `[H×K]`.
  private struct DirectionGradients {
    var input: UnsafeMutablePointer<Scalar>
    var recurrent: UnsafeMutablePointer<Scalar>
    var bias: UnsafeMutablePointer<Scalar>?
    var output: UnsafeMutablePointer<Scalar>
  }

  /// One direction's backward pass, from the output error δ_k (`[rows × K]`) to its weight
  /// gradients, written into `gradients`.
  private func backward(
    _ unroll: RecurrentUnroll<Scalar>, index d: Int, inputs: InputRows<Scalar>,
    weights: [UnsafePointer<Scalar>], outputDeltas: UnsafePointer<Scalar>,
    batch: SequenceBatch<Scalar>, mask: [Scalar]?, gradients: DirectionGradients
  ) {
    let (h, k) = (shape.hiddenSize, shape.outputSize)
    let v = weights[outputIndex] + d * h * k
    // Seed the deltas with δ_k Vᵀ, then BPTT.
    unroll.operand.prepare(v, ldb: k, transposed: true, k: k, n: h)
    switch batch.task {
    case .framewise, .framewiseRegression:
      unroll.operand.multiply(
        m: unroll.rowCount, outputDeltas, lda: k, accumulate: false, into: unroll.deltas, ldc: h)
      if let mask { Self.multiply(unroll.deltas, by: mask) }
    case .sequence, .sequenceRegression:
      let perSequence = workspace.hiddenGradients[d].reserve(batch.batchSize * h)
      unroll.operand.multiply(
        m: batch.batchSize, outputDeltas, lda: k, accumulate: false, into: perSequence, ldc: h)
      if let mask { Self.multiply(perSequence, by: mask) }
      unroll.deltas.update(repeating: 0, count: unroll.rowCount * h)
      for b in 0..<batch.batchSize {
        let row =
          unroll.deltas + (unroll.scoredStep(length: batch.lengths[b]) * batch.batchSize + b) * h
        row.update(from: perSequence + b * h, count: h)
      }
    }
    let layer = layerIndices[d]
    unroll.runBackward(w: weights[layer.recurrent])
    // Weight gradients: single products over all rows, after the loop.
    unroll.inputWeightGradient(
      inputs,
      into: UnsafeMutableBufferPointer(start: gradients.input, count: shape.inputSize * h))
    unroll.recurrentWeightGradient(
      into: UnsafeMutableBufferPointer(start: gradients.recurrent, count: h * h))
    if let bias = gradients.bias {
      unroll.biasGradient(into: UnsafeMutableBufferPointer(start: bias, count: h))
    }
    // ∂V = Bᵀ Δ_k for this direction's block of rows, B as the output layer read it.
    let states: UnsafePointer<Scalar> =
      if mask != nil {
        UnsafePointer(workspace.droppedStates[d].pointer)
      } else if batch.task.isFramewise {
        UnsafePointer(unroll.outputs)
      } else {
        UnsafePointer(workspace.scoredStates[d].pointer)
      }
    gemm(
      .transposed, .none, m: h, n: k, k: batch.targets.count,
      alpha: 1, states, lda: h, outputDeltas, ldb: k,
      beta: 0, gradients.output, ldc: k)
  }

  /// Runs `body` for every direction: on two threads at once for a BRNN with
  /// `parallelDirections`, else in order. The two calls touch disjoint buffers (each direction's
  /// own workspace and unroll); shared inputs and weights are only read.
  private func forEachDirection(_ count: Int, _ body: (Int) -> Void) {
    if count == 2, #available(macOS 15, *), let thread = pairedThread as? PairedThread {
      thread.run(body)
    } else {
      for d in 0..<count { body(d) }
    }
  }

  private func updatePairedThread() {
    guard #available(macOS 15, *) else { return }
    let wanted = parallelDirections && shape.directions.count == 2
    if wanted && pairedThread == nil {
      pairedThread = PairedThread()
    } else if !wanted, let thread = pairedThread as? PairedThread {
      thread.stop()
      pairedThread = nil
    }
  }

  deinit {
    if #available(macOS 15, *), let thread = pairedThread as? PairedThread { thread.stop() }
  }

  /// Forward pass and loss only.
  @_specialize(where Scalar == Float)
  @_specialize(where Scalar == Double)
  public func evaluate(_ batch: SequenceBatch<Scalar>) -> BatchEvaluation {
    evaluate(batch, keepingPreActivations: false)
  }

  private func evaluate(
    _ batch: SequenceBatch<Scalar>, keepingPreActivations: Bool
  ) -> BatchEvaluation {
    let logits = outputs(for: batch, keepingPreActivations: keepingPreActivations)
    if shape.task.isRegression {
      return SquaredError.evaluate(
        outputs: logits, width: shape.outputSize, targets: batch.targets, values: batch.values)
    }
    return SoftmaxCrossEntropy.evaluate(
      logits: logits, classes: shape.outputSize, targets: batch.targets)
  }

  /// Class probabilities, the softmax of the outputs: K per row of `batch.targets` (time-major
  /// for framewise tasks, padded rows included), for every row whatever its target says.
  /// Precondition: a classification network.
  public func probabilities(for batch: SequenceBatch<Scalar>) -> [Double] {
    precondition(!shape.task.isRegression, "probabilities of a regression network")
    return SoftmaxCrossEntropy.probabilities(
      logits: outputs(for: batch, keepingPreActivations: false), classes: shape.outputSize,
      rows: batch.targets.count)
  }

  /// The forward pass without dropout: the output layer's activations (logits), K per row of
  /// `batch.targets`, in the workspace until the next call.
  private func outputs(
    for batch: SequenceBatch<Scalar>, keepingPreActivations: Bool
  ) -> UnsafeMutablePointer<Scalar> {
    checkParameters()
    checkBatch(batch)
    let unrolls = prepareUnrolls(
      for: batch, backpropagating: false, keepingPreActivations: keepingPreActivations)
    let logits = workspace.logits.reserve(batch.targets.count * shape.outputSize)
    batch.withInputRows { inputs in
      parameters.withUnsafeElementPointers { weights in
        forward(unrolls, inputs: inputs, weights: weights, logits: logits, batch: batch)
      }
    }
    return logits
  }

  /// The smallest |a| over the real (unpadded) rows of every direction after a forward pass:
  /// how close a batch comes to ReLU's kink, where finite differences and BPTT legitimately
  /// disagree (a gradient check of a ReLU network is meaningful when this exceeds ε by far).
  public func smallestPreActivationMagnitude(for batch: SequenceBatch<Scalar>) -> Double {
    _ = evaluate(batch, keepingPreActivations: true)
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
  ///
  /// Each direction writes its share `states · V_d` of the logits into its own buffer (the first
  /// into `logits` itself); the shares are then added in direction order, then the bias.
  private func forward(
    _ unrolls: [RecurrentUnroll<Scalar>], inputs: InputRows<Scalar>,
    weights: [UnsafePointer<Scalar>], logits: UnsafeMutablePointer<Scalar>,
    batch: SequenceBatch<Scalar>, outputDropout masks: [[Scalar]]? = nil
  ) {
    let (h, k) = (shape.hiddenSize, shape.outputSize)
    let outputRows = batch.targets.count
    let shares = unrolls.indices.map {
      $0 == 0 ? logits : workspace.logitShares[$0].reserve(outputRows * k)
    }
    forEachDirection(unrolls.count) { d in
      let unroll = unrolls[d]
      let layer = layerIndices[d]
      unroll.projectInputs(inputs, u: weights[layer.input], bias: layer.bias.map { weights[$0] })
      unroll.runForward(w: weights[layer.recurrent])
      var states: UnsafePointer<Scalar>
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
      if let mask = masks?[d] {
        // Dropout on what the output layer reads (not on the recurrence): B ⊙ M.
        let dropped = workspace.droppedStates[d].reserve(outputRows * h)
        dropped.update(from: states, count: outputRows * h)
        Self.multiply(dropped, by: mask)
        states = UnsafePointer(dropped)
      }
      unroll.operand.prepare(
        weights[outputIndex] + d * h * k, ldb: k, transposed: false, k: h, n: k)
      unroll.operand.multiply(
        m: outputRows, states, lda: h, accumulate: false, into: shares[d], ldc: k)
    }
    let count = outputRows * k
    for share in shares.dropFirst() {
      for index in 0..<count { logits[index] += share[index] }
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
    /// Per direction, with output dropout: the states the output layer read, masked.
    let droppedStates: [ScratchBuffer<Scalar>]
    let hiddenGradients: [ScratchBuffer<Scalar>]
    /// Per direction after the first: its share of the logits.
    let logitShares: [ScratchBuffer<Scalar>]
    let logits = ScratchBuffer<Scalar>()
    /// Per direction: the right-hand operand of its products by W, Wᵀ, V and Vᵀ.
    private(set) var operands: [PackedOperand<Scalar>]

    init(directions: Int, kernel: ProductKernel) {
      func buffers() -> [ScratchBuffer<Scalar>] { (0..<directions).map { _ in ScratchBuffer() } }
      preActivations = buffers()
      outputs = buffers()
      deltas = buffers()
      scoredStates = buffers()
      droppedStates = buffers()
      hiddenGradients = buffers()
      logitShares = buffers()
      operands = (0..<directions).map { _ in PackedOperand(kernel: kernel) }
    }

    func useRecurrentProduct(_ kernel: ProductKernel) {
      operands = operands.map { _ in PackedOperand(kernel: kernel) }
    }
  }

  /// values ← values ⊙ mask, over the mask's length.
  private static func multiply(_ values: UnsafeMutablePointer<Scalar>, by mask: [Scalar]) {
    mask.withUnsafeBufferPointer { mask in
      for index in mask.indices { values[index] *= mask[index] }
    }
  }

  /// The unrolls of a batch over the workspace; pre-activations get buffers of their own only
  /// when kept (for `smallestPreActivationMagnitude`), else they are formed in the outputs. A
  /// forward pass alone (`backpropagating` false) gets no room for deltas, so evaluating large
  /// batches does not grow a buffer it never uses.
  private func prepareUnrolls(
    for batch: SequenceBatch<Scalar>, backpropagating: Bool, keepingPreActivations: Bool = false
  ) -> [RecurrentUnroll<Scalar>] {
    let count = batch.steps * batch.batchSize * shape.hiddenSize
    return shape.directions.enumerated().map { d, direction in
      RecurrentUnroll(
        direction: direction, activation: activation, hiddenSize: shape.hiddenSize,
        steps: batch.steps, lengths: batch.lengths,
        preActivations: keepingPreActivations ? workspace.preActivations[d].reserve(count) : nil,
        outputs: workspace.outputs[d].reserve(count),
        deltas: workspace.deltas[d].reserve(backpropagating ? count : 0),
        operand: workspace.operands[d])
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

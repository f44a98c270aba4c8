import Tensors

/// Layers × directions of recurrent cells with a softmax output (classification) or a linear
/// output (regression): an RNN (one direction) or BRNN (two), one layer or a stack
/// (docs/MATH.md).
///
/// Batches are time-major (row `t·B + b` is step t of sequence b). Each direction of each layer
/// is a `RecurrentUnroll` of the network's cell; a layer above the first reads the outputs of
/// every direction of the layer below through its U (`D·H × G·H`, a block of H rows per
/// direction), as PyTorch's bidirectional `num_layers` and Graves' deep BRNN do. The output
/// layer reads `[→h^t, ←h^t]` of the top layer through `output.V` (`(H·D) × K`) as one product
/// per direction with its block of V's rows, so directions are never concatenated.
///
/// Holds reusable workspaces (grown to the largest batch seen, never shrunk), so it is a class;
/// not thread-safe.
public final class RecurrentNetwork<Scalar: BLASScalar>: SequenceModel {
  public let shape: NetworkShape
  public let cell: any RecurrentCell
  /// The weights, in the order of `parameterLayout(for: shape, cell:)`.
  public var parameters: ParameterSet<Scalar>

  public let layout: [ParameterSlot]
  /// The keys of `layout`, rendered once: every batch checks `parameters` against them.
  private let layoutKeys: [String]
  /// Per layer, per direction: the indices of U, W, c (with a bias) and the cell's parameters.
  private let layerIndices: [[(input: Int, recurrent: Int, bias: Int?, cell: [Int])]]
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

  public var task: TaskKind { shape.task }

  public var carriesState: Bool { true }

  /// The state the forward direction of every layer starts from in every following pass
  /// (`lossAndGradients`, `evaluate`, `probabilities`): its first step reads it as the step
  /// before, multiplying h by W; no error flows into it. Nil starts from zero (and skips that
  /// product). A backward direction always starts from zero. Precondition (checked at each
  /// pass): as many layers as the network, `H` values per row, a cell state exactly for a cell
  /// that carries one, and as many rows as the batch has sequences.
  public var initialState: CarriedState<Scalar>?

  /// Precondition: positive sizes, one or two distinct directions, and parameters that match
  /// `parameterLayout(for: shape, cell:)`.
  public init(shape: NetworkShape, cell: any RecurrentCell, parameters: ParameterSet<Scalar>) {
    precondition(
      shape.inputSize > 0 && shape.hiddenSize > 0 && shape.outputSize > 0 && shape.layers > 0,
      "network sizes must be positive")
    precondition(
      !shape.directions.isEmpty && Set(shape.directions).count == shape.directions.count,
      "directions must be non-empty and distinct")
    self.shape = shape
    self.cell = cell
    self.parameters = parameters
    layout = Self.parameterLayout(for: shape, cell: cell)
    layoutKeys = layout.map(\.name)
    let index = Dictionary(uniqueKeysWithValues: layout.enumerated().map { ($1.key, $0) })
    let stacked = shape.layers > 1
    layerIndices = (0..<shape.layers).map { l in
      shape.directions.map { direction in
        func slot(_ role: ParameterKey.Role) -> Int? {
          index[ParameterKey(layer: stacked ? l : nil, direction: direction, role: role)]
        }
        return (
          slot(.input)!, slot(.recurrent)!, slot(.bias),
          cell.parameters.compactMap { slot(.cell($0.name)) }
        )
      }
    }
    outputIndex = index[ParameterKey(layer: nil, direction: nil, role: .output)]!
    outputBiasIndex = index[ParameterKey(layer: nil, direction: nil, role: .outputBias)]
    workspace = Workspace(
      layers: shape.layers, directions: shape.directions.count, kernel: recurrentProduct)
    checkParameters()
  }

  /// The parameters of `shape` with `cell`, in this order: per layer (0 first), per direction
  /// (forward first), U `[I×G·H]` (`[D·H×G·H]` above the first layer), W `[H×G·H]`, c `[1×G·H]`
  /// (with a bias), then the cell's own; last the output layer's V `[(H·D)×K]` (rows 0..<H read
  /// the forward direction, H..<2H the backward) and d `[1×K]` (with a bias). One-layer keys
  /// are `forward.U` …; stacked ones `layers.0.forward.U` ….
  public static func parameterLayout(
    for shape: NetworkShape, cell: any RecurrentCell
  ) -> [ParameterSlot] {
    let (i, h, k) = (shape.inputSize, shape.hiddenSize, shape.outputSize)
    let width = cell.gates.count * h
    let d = shape.directions.count
    var slots: [ParameterSlot] = []
    for l in 0..<shape.layers {
      let layer = shape.layers > 1 ? l : nil
      for direction in shape.directions {
        func add(_ role: ParameterKey.Role, _ rows: Int, _ columns: Int) {
          slots.append(
            ParameterSlot(
              key: ParameterKey(layer: layer, direction: direction, role: role), rows: rows,
              columns: columns))
        }
        add(.input, l == 0 ? i : d * h, width)
        add(.recurrent, h, width)
        if shape.bias { add(.bias, 1, width) }
        for parameter in cell.parameters where shape.bias || !parameter.isBias {
          add(.cell(parameter.name), 1, parameter.width * h)
        }
      }
    }
    slots.append(
      ParameterSlot(
        key: ParameterKey(layer: nil, direction: nil, role: .output), rows: h * d,
        columns: k))
    if shape.bias {
      slots.append(
        ParameterSlot(
          key: ParameterKey(layer: nil, direction: nil, role: .outputBias), rows: 1, columns: k))
    }
    return slots
  }

  /// `parameterLayout` as rendered keys and shapes.
  public static func parameterShapes(
    for shape: NetworkShape, cell: any RecurrentCell
  ) -> [(key: String, rows: Int, columns: Int)] {
    parameterLayout(for: shape, cell: cell).map { ($0.name, $0.rows, $0.columns) }
  }

  /// Forward, loss, BPTT. Writes ∂(loss.mean)/∂θ into `gradients` (overwritten; same keys as
  /// parameters; replaced by a correctly shaped set if its layout differs) and returns the loss.
  ///
  /// `dropout`, when given, multiplies the top layer's outputs that the output layer reads (not
  /// the recurrence) and the outputs each layer passes to the next by its masks, in the forward
  /// pass and, the same way, the errors they receive.
  ///
  /// With `parallelDirections`, the two directions of a BRNN run on two threads, layer by layer,
  /// from the input projection to the output layer and again from the output error to their
  /// weight gradients; each writes only its own buffers and the partial logits are summed in a
  /// fixed order afterwards, so results do not depend on timing.
  @_specialize(where Scalar == Float)
  @_specialize(where Scalar == Double)
  public func lossAndGradients(
    for batch: SequenceBatch<Scalar>, into gradients: inout ParameterSet<Scalar>,
    dropout: DropoutMasks<Scalar>? = nil
  ) -> BatchLoss {
    checkParameters()
    checkBatch(batch)
    if let dropout { checkMasks(dropout, for: batch) }
    if !gradients.hasSameLayout(as: parameters) { gradients = parameters.zeros() }
    let unrolls = prepareUnrolls(for: batch, backpropagating: true)
    let (h, k) = (shape.hiddenSize, shape.outputSize)
    let outputRows = batch.targets.count
    let logits = workspace.logits.reserve(outputRows * k)
    let top = shape.layers - 1
    let loss = batch.withInputRows { inputs in
      parameters.withUnsafeElementPointers { weights in
        forward(
          unrolls, inputs: inputs, weights: weights, logits: logits, batch: batch,
          dropout: dropout)
        let loss = lossAndOutputDeltas(logits, weights: weights, batch: batch)
        // δ_k is now in `logits`; each direction of each layer, from the top, backpropagates
        // on its own into its own gradients (and, at the top, its own rows of ∂V).
        gradients.withUnsafeMutableElementPointers { slots in
          for l in stride(from: top, through: 0, by: -1) {
            forEachDirection(unrolls[l].count) { d in
              if l == top {
                seedFromOutput(
                  unrolls[l][d], index: d, weights: weights, outputDeltas: logits,
                  batch: batch, mask: dropout?.output?[d])
              } else {
                seedFromLayerAbove(
                  unrolls, layer: l, direction: d, weights: weights,
                  mask: dropout?.layers?[l][d])
              }
              backward(
                unrolls[l][d], layer: l, direction: d, inputs: inputs, weights: weights,
                slots: slots, dropout: dropout)
              if l == top {
                outputWeightGradient(
                  unrolls[l][d], direction: d, outputDeltas: logits, batch: batch,
                  masked: dropout?.output != nil,
                  into: slots[outputIndex] + d * h * k)
                // ∂d = Σ_rows δ_k, once: by the last direction, so that it runs beside the first.
                if d == unrolls[l].count - 1, let outputBiasIndex {
                  Scalar.sumRows(
                    of: logits, rows: outputRows, columns: k,
                    into: UnsafeMutableBufferPointer(start: slots[outputBiasIndex], count: k))
                }
              }
            }
          }
        }
        return loss
      }
    }
    return loss
  }

  /// The top layer's output error δ_k Vᵀ in direction d's output deltas (on the scored rows
  /// only, for sequence tasks), masked like the forward pass.
  private func seedFromOutput(
    _ unroll: RecurrentUnroll<Scalar>, index d: Int, weights: [UnsafePointer<Scalar>],
    outputDeltas: UnsafePointer<Scalar>, batch: SequenceBatch<Scalar>, mask: [Scalar]?
  ) {
    let (h, k) = (shape.hiddenSize, shape.outputSize)
    let v = weights[outputIndex] + d * h * k
    unroll.operand.prepare(v, ldb: k, transposed: true, k: k, n: h)
    switch batch.task {
    case .framewise, .framewiseRegression:
      unroll.operand.multiply(
        m: unroll.rowCount, outputDeltas, lda: k, accumulate: false, into: unroll.outputDeltas,
        ldc: h)
      if let mask { Self.multiply(unroll.outputDeltas, by: mask) }
    case .sequence, .sequenceRegression:
      let perSequence = workspace.hiddenGradients[d].reserve(batch.batchSize * h)
      unroll.operand.multiply(
        m: batch.batchSize, outputDeltas, lda: k, accumulate: false, into: perSequence, ldc: h)
      if let mask { Self.multiply(perSequence, by: mask) }
      unroll.outputDeltas.update(repeating: 0, count: unroll.rowCount * h)
      for b in 0..<batch.batchSize {
        let row =
          unroll.outputDeltas
          + (unroll.scoredStep(length: batch.lengths[b]) * batch.batchSize + b) * h
        row.update(from: perSequence + b * h, count: h)
      }
    }
  }

  /// Direction d of layer l's output deltas: the error the layer above's gates send down,
  /// `Σ_d' ∂A_(l+1,d') U_(l+1,d')[block d]ᵀ`, masked like the forward pass.
  private func seedFromLayerAbove(
    _ unrolls: [[RecurrentUnroll<Scalar>]], layer l: Int, direction d: Int,
    weights: [UnsafePointer<Scalar>], mask: [Scalar]?
  ) {
    let h = shape.hiddenSize
    let target = unrolls[l][d]
    for (above, unroll) in unrolls[l + 1].enumerated() {
      let width = unroll.gateWidth
      let u = weights[layerIndices[l + 1][above].input] + d * h * width
      gemm(
        .none, .transposed, m: unroll.rowCount, n: h, k: width,
        alpha: 1, unroll.gateDeltas, lda: width, u, ldb: width, beta: above == 0 ? 0 : 1,
        target.outputDeltas, ldc: h)
    }
    if let mask { Self.multiply(target.outputDeltas, by: mask) }
  }

  /// One direction of one layer's BPTT and its weight gradients, written into `slots`.
  private func backward(
    _ unroll: RecurrentUnroll<Scalar>, layer l: Int, direction d: Int, inputs: InputRows<Scalar>,
    weights: [UnsafePointer<Scalar>], slots: [UnsafeMutablePointer<Scalar>],
    dropout: DropoutMasks<Scalar>?
  ) {
    let indices = layerIndices[l][d]
    let h = shape.hiddenSize
    let width = unroll.gateWidth
    unroll.runBackward(
      w: weights[indices.recurrent], cellParameters: indices.cell.map { weights[$0] },
      cellGradients: indices.cell.map { (slots[$0], parameters.values[$0].count) })
    // Weight gradients: single products over all rows, after the loop.
    if l == 0 {
      unroll.inputWeightGradient(
        inputs,
        into: UnsafeMutableBufferPointer(
          start: slots[indices.input], count: shape.inputSize * width))
    } else {
      unroll.layerWeightGradient(
        layerInputs(below: l, dropout: dropout), into: slots[indices.input])
    }
    unroll.recurrentWeightGradient(
      into: UnsafeMutableBufferPointer(start: slots[indices.recurrent], count: h * width))
    if let bias = indices.bias {
      unroll.biasGradient(into: UnsafeMutableBufferPointer(start: slots[bias], count: width))
    }
  }

  /// ∂V = Hᵀ Δ_k for direction d's block of rows, H as the output layer read it.
  private func outputWeightGradient(
    _ unroll: RecurrentUnroll<Scalar>, direction d: Int, outputDeltas: UnsafePointer<Scalar>,
    batch: SequenceBatch<Scalar>, masked: Bool, into gradient: UnsafeMutablePointer<Scalar>
  ) {
    let (h, k) = (shape.hiddenSize, shape.outputSize)
    let states: UnsafePointer<Scalar> =
      if masked {
        UnsafePointer(workspace.droppedStates[d].pointer)
      } else if batch.task.isFramewise {
        UnsafePointer(unroll.outputs)
      } else {
        UnsafePointer(workspace.scoredStates[d].pointer)
      }
    gemm(
      .transposed, .none, m: h, n: k, k: batch.targets.count,
      alpha: 1, states, lda: h, outputDeltas, ldb: k, beta: 0, gradient, ldc: k)
  }

  /// What layer `l` reads from the layer below, per direction: its outputs, or with layer
  /// dropout their masked copies.
  private func layerInputs(below l: Int, dropout: DropoutMasks<Scalar>?) -> [UnsafePointer<Scalar>]
  {
    shape.directions.indices.map { d in
      dropout?.layers != nil
        ? UnsafePointer(workspace.layers[l - 1][d].droppedOutputs.pointer)
        : UnsafePointer(workspace.layers[l - 1][d].outputs.pointer)
    }
  }

  /// Runs `body` for every direction: on two threads at once for a BRNN with
  /// `parallelDirections`, else in order. The two calls touch disjoint buffers (each direction's
  /// own workspace and unroll); shared inputs and weights are only read.
  private func forEachDirection(_ count: Int, _ body: (Int) -> Void) {
    if count == 2 {
      alongside({ body(0) }, { body(1) })
    } else {
      for d in 0..<count { body(d) }
    }
  }

  /// With `parallelDirections` on a BRNN, `second` runs on the paired thread while `first` runs
  /// here; otherwise one after the other.
  public func alongside(_ first: () -> Void, _ second: () -> Void) {
    if #available(macOS 15, *), let thread = pairedThread as? PairedThread {
      thread.run { $0 == 0 ? first() : second() }
    } else {
      first()
      second()
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
        combineLogits(logits, rows: 0..<batch.targets.count, weights: weights)
      }
    }
    return logits
  }

  /// The smallest |a| over the real (unpadded) rows of every direction and layer after a
  /// forward pass, for a cell whose gates are its output (Elman): how close a batch comes to
  /// ReLU's kink, where finite differences and BPTT legitimately disagree (a gradient check of a
  /// ReLU network is meaningful when this exceeds ε by far). Infinity for other cells.
  public func smallestPreActivationMagnitude(for batch: SequenceBatch<Scalar>) -> Double {
    guard cell.gatesAreOutput else { return .infinity }
    _ = evaluate(batch, keepingPreActivations: true)
    let h = shape.hiddenSize
    var smallest = Double.infinity
    for layer in workspace.layers {
      for direction in layer {
        let a = direction.gates.pointer
        for t in 0..<batch.steps {
          for b in 0..<batch.batchSize where t < batch.lengths[b] {
            let row = a + (t * batch.batchSize + b) * h
            for j in 0..<h { smallest = min(smallest, Double(abs(row[j]))) }
          }
        }
      }
    }
    return smallest
  }

  /// The state each sequence of `batch` ended in after the last pass, which must have been over
  /// `batch`: per layer, the forward direction's h (and c) at the sequence's last real step.
  /// Precondition: the network has a forward direction.
  public func finalState(for batch: SequenceBatch<Scalar>) -> CarriedState<Scalar>? {
    guard let d = shape.directions.firstIndex(of: .forward) else {
      preconditionFailure("only a forward direction ends in a state to carry")
    }
    let h = shape.hiddenSize
    let rows = batch.batchSize
    func gather(_ buffer: ScratchBuffer<Scalar>) -> [Scalar] {
      var values = [Scalar](repeating: 0, count: rows * h)
      for b in 0..<rows {
        let source = buffer.pointer + ((batch.lengths[b] - 1) * rows + b) * h
        for j in 0..<h { values[b * h + j] = source[j] }
      }
      return values
    }
    return CarriedState(
      rows: rows, outputs: workspace.layers.map { gather($0[d].outputs) },
      states: cell.carriesState ? workspace.layers.map { gather($0[d].states) } : [])
  }

  // MARK: Forward pass

  /// Hidden states of every layer and direction, then the shares of the output logits
  /// `[rows × K]`: all `T·B` rows for framewise tasks, the B scored states (`→h^(len_b)`,
  /// `←h^1`) for sequence tasks.
  ///
  /// Each direction of the top layer writes its share `states · V_d` of the logits into its own
  /// buffer (the first into `logits` itself); `combineLogits` then adds them up with the bias.
  private func forward(
    _ unrolls: [[RecurrentUnroll<Scalar>]], inputs: InputRows<Scalar>,
    weights: [UnsafePointer<Scalar>], logits: UnsafeMutablePointer<Scalar>,
    batch: SequenceBatch<Scalar>, dropout: DropoutMasks<Scalar>? = nil
  ) {
    let (h, k) = (shape.hiddenSize, shape.outputSize)
    let outputRows = batch.targets.count
    let top = shape.layers - 1
    let shares = shape.directions.indices.map {
      $0 == 0 ? logits : workspace.logitShares[$0].reserve(outputRows * k)
    }
    for l in 0...top {
      let below = l == 0 ? [] : layerInputs(below: l, dropout: dropout)
      forEachDirection(unrolls[l].count) { d in
        let unroll = unrolls[l][d]
        let indices = layerIndices[l][d]
        let bias = indices.bias.map { weights[$0] }
        if l == 0 {
          unroll.projectInputs(inputs, u: weights[indices.input], bias: bias)
        } else {
          unroll.projectLayer(below, u: weights[indices.input], bias: bias)
        }
        unroll.runForward(
          w: weights[indices.recurrent], cellParameters: indices.cell.map { weights[$0] })
        if l < top {
          if let mask = dropout?.layers?[l][d] {
            // Dropout on what the next layer reads (not on the recurrence): H ⊙ M.
            let dropped = workspace.layers[l][d].droppedOutputs.reserve(unroll.rowCount * h)
            dropped.update(from: unroll.outputs, count: unroll.rowCount * h)
            Self.multiply(dropped, by: mask)
          }
          return
        }
        var states: UnsafePointer<Scalar>
        switch batch.task {
        case .framewise, .framewiseRegression:
          states = UnsafePointer(unroll.outputs)
        case .sequence, .sequenceRegression:
          let gathered = workspace.scoredStates[d].reserve(batch.batchSize * h)
          for b in 0..<batch.batchSize {
            let source =
              unroll.outputs
              + (unroll.scoredStep(length: batch.lengths[b]) * batch.batchSize + b) * h
            (gathered + b * h).update(from: source, count: h)
          }
          states = UnsafePointer(gathered)
        }
        if let mask = dropout?.output?[d] {
          // Dropout on what the output layer reads (not on the recurrence): H ⊙ M.
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
    }
  }

  /// Rows `rows` of the logits once `forward` has run: direction 0's share, already in place,
  /// plus every other direction's in order, then the output bias.
  private func combineLogits(
    _ logits: UnsafeMutablePointer<Scalar>, rows: Range<Int>, weights: [UnsafePointer<Scalar>]
  ) {
    let k = shape.outputSize
    for d in shape.directions.indices.dropFirst() {
      let share = workspace.logitShares[d].pointer
      for index in (rows.lowerBound * k)..<(rows.upperBound * k) { logits[index] += share[index] }
    }
    if let outputBiasIndex {
      let bias = weights[outputBiasIndex]
      for r in rows {
        let row = logits + r * k
        for j in 0..<k { row[j] += bias[j] }
      }
    }
  }

  /// The logits of a training pass, then the loss, with δ_k in place of the logits. For a
  /// classification BRNN whose directions run in parallel, the two threads take half the rows
  /// each: every row is formed on its own and its loss kept apart, and the losses are summed
  /// in row order afterwards, so the result is the same bits either way.
  private func lossAndOutputDeltas(
    _ logits: UnsafeMutablePointer<Scalar>, weights: [UnsafePointer<Scalar>],
    batch: SequenceBatch<Scalar>
  ) -> BatchLoss {
    let (rows, k) = (batch.targets.count, shape.outputSize)
    if shape.task.isRegression {
      combineLogits(logits, rows: 0..<rows, weights: weights)
      return SquaredError.lossAndDeltas(
        outputs: logits, width: k, targets: batch.targets, values: batch.values)
    }
    let scored = batch.targets.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) }
    let scale = scored > 0 ? 1 / Scalar(scored) : 0
    let terms = workspace.lossTerms.reserve(rows)
    func lossAndDeltas(_ part: Range<Int>) {
      combineLogits(logits, rows: part, weights: weights)
      SoftmaxCrossEntropy.lossAndDeltas(
        logits: logits, classes: k, targets: batch.targets, rows: part, scale: scale,
        terms: terms)
    }
    let middle = rows / 2
    alongside({ lossAndDeltas(0..<middle) }, { lossAndDeltas(middle..<rows) })
    var total = 0.0
    for (r, target) in batch.targets.enumerated() where target >= 0 { total += terms[r] }
    return BatchLoss(total: total, scored: scored)
  }

  // MARK: Workspaces and checks

  /// One direction of one layer's buffers.
  private final class UnrollBuffers {
    let gates = ScratchBuffer<Scalar>()
    let outputs = ScratchBuffer<Scalar>()
    let states = ScratchBuffer<Scalar>()
    let scratch = ScratchBuffer<Scalar>()
    let recurrentProducts = ScratchBuffer<Scalar>()
    let outputDeltas = ScratchBuffer<Scalar>()
    let stateDeltas = ScratchBuffer<Scalar>()
    /// The carried state the forward direction starts from, copied from `initialState`.
    let initialOutput = ScratchBuffer<Scalar>()
    let initialState = ScratchBuffer<Scalar>()
    /// With layer dropout: the outputs the next layer read, masked.
    let droppedOutputs = ScratchBuffer<Scalar>()
  }

  /// Buffers reused across calls; each grows to the largest batch seen.
  private final class Workspace {
    /// Per layer, per direction.
    let layers: [[UnrollBuffers]]
    let scoredStates: [ScratchBuffer<Scalar>]
    /// Per direction, with output dropout: the states the output layer read, masked.
    let droppedStates: [ScratchBuffer<Scalar>]
    let hiddenGradients: [ScratchBuffer<Scalar>]
    /// Per direction after the first: its share of the logits.
    let logitShares: [ScratchBuffer<Scalar>]
    let logits = ScratchBuffer<Scalar>()
    /// Per row of the logits: its loss in a training pass.
    let lossTerms = ScratchBuffer<Double>()
    /// Per direction: the right-hand operand of its products by W, Wᵀ, V and Vᵀ, in every layer.
    private(set) var operands: [PackedOperand<Scalar>]

    init(layers: Int, directions: Int, kernel: ProductKernel) {
      func buffers() -> [ScratchBuffer<Scalar>] { (0..<directions).map { _ in ScratchBuffer() } }
      self.layers = (0..<layers).map { _ in (0..<directions).map { _ in UnrollBuffers() } }
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

  /// The unrolls of a batch over the workspace, per layer and direction. A cell whose gates are
  /// its output forms them in the outputs unless they are kept (for
  /// `smallestPreActivationMagnitude`). A forward pass alone (`backpropagating` false) gets no
  /// room for deltas, so evaluating large batches does not grow a buffer it never uses.
  private func prepareUnrolls(
    for batch: SequenceBatch<Scalar>, backpropagating: Bool, keepingPreActivations: Bool = false
  ) -> [[RecurrentUnroll<Scalar>]] {
    let h = shape.hiddenSize
    let rows = batch.steps * batch.batchSize
    let count = rows * h
    let gateCount = rows * cell.gates.count * h
    if let carried = initialState { checkState(carried, for: batch) }
    return workspace.layers.enumerated().map { l, layer in
      shape.directions.enumerated().map { d, direction in
        let buffers = layer[d]
        var initialOutput: UnsafePointer<Scalar>?
        var initialState: UnsafePointer<Scalar>?
        if direction == .forward, let carried = self.initialState {
          initialOutput = UnsafePointer(buffers.initialOutput.holding(carried.outputs[l]))
          if cell.carriesState {
            initialState = UnsafePointer(buffers.initialState.holding(carried.states[l]))
          }
        }
        let outputs = buffers.outputs.reserve(count)
        let gates =
          cell.gatesAreOutput && !keepingPreActivations
          ? outputs : buffers.gates.reserve(gateCount)
        return RecurrentUnroll(
          direction: direction, cell: cell, hiddenSize: h, steps: batch.steps,
          lengths: batch.lengths, gates: gates, outputs: outputs,
          states: cell.carriesState ? buffers.states.reserve(count) : nil,
          scratch: cell.scratchWidth > 0
            ? buffers.scratch.reserve(count * cell.scratchWidth) : nil,
          recurrentProducts: cell.addsRecurrentProduct
            ? nil : buffers.recurrentProducts.reserve(gateCount),
          outputDeltas: buffers.outputDeltas.reserve(backpropagating ? count : 0),
          stateDeltas: cell.carriesState
            ? buffers.stateDeltas.reserve(backpropagating ? batch.batchSize * h : 0) : nil,
          initialOutput: initialOutput, initialState: initialState,
          operand: workspace.operands[d])
      }
    }
  }

  private func checkParameters() {
    precondition(
      parameters.keys == layoutKeys
        && zip(parameters.values, layout).allSatisfy {
          $0.rows == $1.rows && $0.columns == $1.columns
        },
      "parameters do not match parameterLayout(for: shape, cell:)")
  }

  private func checkState(_ carried: CarriedState<Scalar>, for batch: SequenceBatch<Scalar>) {
    if let problem = problem(with: carried, rows: batch.batchSize) { preconditionFailure(problem) }
  }

  public func problem(with state: CarriedState<Scalar>, rows: Int) -> String? {
    let h = shape.hiddenSize
    let layers = shape.layers
    guard state.rows == rows else {
      return "a carried state of \(state.rows) rows for a batch of \(rows) sequences"
    }
    guard state.outputs.count == layers, state.outputs.allSatisfy({ $0.count == rows * h }) else {
      return "a carried state of \(state.outputs.map { $0.count / max(rows, 1) }) outputs per "
        + "row and layer for \(layers) layers of H = \(h)"
    }
    if cell.carriesState {
      guard state.states.count == layers, state.states.allSatisfy({ $0.count == rows * h }) else {
        return "a carried state without the cell state of every layer (H = \(h) per row)"
      }
    } else if !state.states.isEmpty {
      return "a carried state with a cell state, which this cell does not have"
    }
    return nil
  }

  private func checkMasks(_ masks: DropoutMasks<Scalar>, for batch: SequenceBatch<Scalar>) {
    let h = shape.hiddenSize
    let directions = shape.directions.count
    if let output = masks.output {
      precondition(
        output.count == directions
          && output.allSatisfy { $0.count == batch.targets.count * h },
        "one output dropout mask of rows × H per direction")
    }
    if let layers = masks.layers {
      let rows = batch.steps * batch.batchSize
      precondition(
        layers.count == shape.layers - 1
          && layers.allSatisfy {
            $0.count == directions && $0.allSatisfy { $0.count == rows * h }
          },
        "one layer dropout mask of T·B × H per direction and layer below the top")
    }
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

extension ScratchBuffer where Scalar: BLASScalar {
  /// The buffer holding a copy of `values`; returns its start.
  fileprivate func holding(_ values: [Scalar]) -> UnsafeMutablePointer<Scalar> {
    let start = reserve(values.count)
    values.withUnsafeBufferPointer { start.update(from: $0.baseAddress!, count: $0.count) }
    return start
  }
}

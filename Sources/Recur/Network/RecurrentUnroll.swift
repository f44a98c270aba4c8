import CKernels
import Tensors

/// The rows of a batch's inputs as the kernels read them (time-major, `T·B` rows).
enum InputRows<Scalar: BLASScalar> {
  /// `[T·B × width]` row-major.
  case dense(UnsafePointer<Scalar>, width: Int)
  /// Multi-hot rows; padded rows are empty.
  case sparse(SparseRows)
}

/// One direction of one recurrent layer unrolled over a time-major batch: the input projection
/// `A = X U + c` of every step, the recurrence through the layer's cell, and its
/// backpropagation through time (docs/MATH.md, "The unroll").
///
/// A forward unroll visits t = 0 … T−1 and its previous step is t−1; a backward unroll visits
/// t = T−1 … 0 and its previous step is t+1 (docs/MATH.md, "BRNN"). Rows of a sequence past its
/// length are padding: their outputs, states and deltas are forced to zero after every step, so
/// the backward unroll of a short sequence starts from `←h^(len+1) = 0` and no padded row reaches
/// a gradient product.
///
/// Buffers (owned by the network's workspace), each row-major with row `t·B + b`: `gates`
/// `[T·B × G·H]` (for a cell whose gates are its output, `outputs` itself), `outputs`
/// `[T·B × H]`, `states` and `scratch` when the cell has them, `recurrentProducts`
/// `[T·B × G·H]` for a cell that does not add the recurrent product, and for BPTT
/// `outputDeltas` `[T·B × H]` and `stateDeltas` `[B × H]`. The gate deltas are formed in place
/// of the gates (or of the output deltas when the gates are the output), the recurrent deltas in
/// place of the recurrent products (or are the gate deltas). The per-step products go through
/// `operand` (prepared once per pass); the products over all rows through BLAS.
///
/// A forward unroll may start from a carried state (`initialOutput`, and `initialState` for a
/// cell that carries one, `[B × H]` each): its first step then reads them as its previous step
/// and multiplies h by W like any step; BPTT treats them as constants (no error flows into
/// them), but the first step's own derivatives and ∂W read them. Without one the first step
/// starts from zero and skips the product.
struct RecurrentUnroll<Scalar: BLASScalar> {
  let direction: Direction
  let cell: any RecurrentCell
  let hiddenSize: Int
  let steps: Int
  let lengths: [Int]
  let gates: UnsafeMutablePointer<Scalar>
  let outputs: UnsafeMutablePointer<Scalar>
  let states: UnsafeMutablePointer<Scalar>?
  let scratch: UnsafeMutablePointer<Scalar>?
  let recurrentProducts: UnsafeMutablePointer<Scalar>?
  let outputDeltas: UnsafeMutablePointer<Scalar>
  let stateDeltas: UnsafeMutablePointer<Scalar>?
  /// The carried h (and c) the first step of a forward unroll reads as its previous step, or
  /// nil for zero.
  let initialOutput: UnsafePointer<Scalar>?
  let initialState: UnsafePointer<Scalar>?
  /// The direction's right-hand operand for products by one matrix: `runForward` prepares W in
  /// it for its T per-step products, `runBackward` Wᵀ (the network prepares V between).
  let operand: PackedOperand<Scalar>

  var batchSize: Int { lengths.count }
  var rowCount: Int { steps * batchSize }
  /// G·H, the columns of the gates.
  var gateWidth: Int { cell.gates.count * hiddenSize }
  /// Where BPTT forms ∂O/∂A.
  var gateDeltas: UnsafeMutablePointer<Scalar> { cell.gatesAreOutput ? outputDeltas : gates }
  /// Where BPTT forms ∂O/∂R, the error at `h^(prev) W`.
  var recurrentDeltas: UnsafeMutablePointer<Scalar> { recurrentProducts ?? gateDeltas }

  /// The time index of the s-th step visited.
  private func step(_ s: Int) -> Int { direction == .forward ? s : steps - 1 - s }

  /// The step whose output sequence classification scores: the last real one for the forward
  /// direction (`→h^(len)`), the first for the backward one (`←h^1`).
  func scoredStep(length: Int) -> Int { direction == .forward ? length - 1 : 0 }

  // MARK: Forward

  /// A ← X U (+ c) for all `T·B` rows at once. Dense inputs: every row starts as the bias (or
  /// zero) and one product accumulates X U into it, one pass over A instead of a product, a
  /// zeroing and a bias pass (the sum is the same, c + X U). Sparse inputs: the U rows of each
  /// input's active features are summed, then the bias added (an embedding lookup; no one-hot
  /// vector is formed).
  func projectInputs(
    _ inputs: InputRows<Scalar>, u: UnsafePointer<Scalar>, bias c: UnsafePointer<Scalar>?
  ) {
    let width = gateWidth
    switch inputs {
    case .dense(let x, let inputWidth):
      startRows(bias: c)
      gemm(
        .none, .none, m: rowCount, n: width, k: inputWidth,
        alpha: 1, x, lda: inputWidth, u, ldb: width, beta: 1, gates, ldc: width)
    case .sparse(let rows):
      rows.indices.withUnsafeBufferPointer { indices in
        for r in 0..<rowCount {
          let a = gates + r * width
          a.update(repeating: 0, count: width)
          for position in rows.offsets[r]..<rows.offsets[r + 1] {
            let source = u + Int(indices[position]) * width
            for j in 0..<width { a[j] += source[j] }
          }
          if let c {
            for j in 0..<width { a[j] += c[j] }
          }
        }
      }
    }
  }

  /// A ← c + Σ_d X_d U_d for a layer above the first: `below` holds the H-column outputs of
  /// each direction of the layer below, and `u` is `D·H × G·H`, its d-th block of H rows reading
  /// direction d.
  func projectLayer(
    _ below: [UnsafePointer<Scalar>], u: UnsafePointer<Scalar>, bias c: UnsafePointer<Scalar>?
  ) {
    let (h, width) = (hiddenSize, gateWidth)
    startRows(bias: c)
    for (d, x) in below.enumerated() {
      gemm(
        .none, .none, m: rowCount, n: width, k: h,
        alpha: 1, x, lda: h, u + d * h * width, ldb: width, beta: 1, gates, ldc: width)
    }
  }

  /// Every row of A set to the bias, or zero.
  private func startRows(bias c: UnsafePointer<Scalar>?) {
    let width = gateWidth
    for r in 0..<rowCount {
      let a = gates + r * width
      if let c {
        a.update(from: c, count: width)
      } else {
        a.update(repeating: 0, count: width)
      }
    }
  }

  /// The recurrence, one product per step on that step's block of B rows: `h^(prev) W` added to
  /// A^t (or, for a cell that takes it apart, written to R^t), then the cell's step, then the
  /// padded rows of h^t (and c^t) zeroed.
  func runForward(w: UnsafePointer<Scalar>, cellParameters: [UnsafePointer<Scalar>]) {
    let (h, width) = (hiddenSize, gateWidth)
    // Reached through `self` at every step, the cell was copied for each call, and each copy
    // retained the cell's box: an atomic increment and decrement per step on a count that both
    // directions' threads share. Copied once here, it is opened in place.
    let cell = self.cell
    let scratchBlock = batchSize * cell.scratchWidth * h
    let block = batchSize * h
    let gateBlock = batchSize * width
    operand.prepare(w, ldb: width, transposed: false, k: h, n: width)
    for s in 0..<steps {
      let t = step(s)
      let a = gates + t * gateBlock
      let previous = s > 0 ? step(s - 1) : nil
      let recurrent = recurrentProducts.map { $0 + t * gateBlock }
      let previousOutput = previous.map { UnsafePointer(outputs + $0 * block) } ?? initialOutput
      if s + 1 < steps { prefetchForward(step: step(s + 1)) }
      if let previousOutput {
        operand.multiply(
          m: batchSize, previousOutput, lda: h, accumulate: recurrent == nil,
          into: recurrent ?? a, ldc: width)
      } else if let recurrent {
        recurrent.update(repeating: 0, count: gateBlock)
      }
      cell.forward(
        CellForward(
          rows: batchSize, hidden: h, gates: a, recurrent: recurrent,
          previousOutput: previousOutput,
          previousState: previous.map { p in states.map { UnsafePointer($0 + p * block) } }
            ?? initialState,
          output: outputs + t * block, state: states.map { $0 + t * block },
          scratch: scratch.map { $0 + t * scratchBlock },
          parameters: cellParameters))
      zeroPadding(outputs + t * block, width: h, step: t)
      if let states { zeroPadding(states + t * block, width: h, step: t) }
    }
  }

  /// Asks the caches for the rows of step `t` in `buffer` (`width` columns), so that they arrive
  /// while the step before computes. With T·B rows the buffers outgrow the caches: the rows a
  /// step reads were written long before (by the input projection, the output layer, the
  /// forward pass) and would be fetched from memory only as the step reached them. Only a block
  /// of a few pages is asked for, where the hardware's prefetchers, which stop at page
  /// boundaries, have little run to follow: for larger blocks (128 KiB and more a step, the
  /// large workload) asking brought nothing measurable and cost the instructions of one
  /// prefetch per line.
  private func prefetch(_ buffer: UnsafeMutablePointer<Scalar>?, width: Int, step t: Int) {
    let count = batchSize * width
    let bytes = count * MemoryLayout<Scalar>.stride
    guard let buffer, bytes <= Self.prefetchLimit else { return }
    ckernels_prefetch(buffer + t * count, bytes)
  }

  /// The largest block of a step's rows `prefetch` asks for: 32 KiB, eight 4 KiB pages.
  private static var prefetchLimit: Int { 32 * 1024 }

  /// What a forward step reads from far back: its projected inputs.
  private func prefetchForward(step t: Int) { prefetch(gates, width: gateWidth, step: t) }

  /// What a backward step reads from far back: its output errors, outputs and what the cell
  /// kept of the forward step.
  private func prefetchBackward(step t: Int, gatesAreOutput: Bool, scratchWidth: Int) {
    let h = hiddenSize
    prefetch(outputDeltas, width: h, step: t)
    prefetch(outputs, width: h, step: t)
    if !gatesAreOutput { prefetch(gates, width: gateWidth, step: t) }
    prefetch(states, width: h, step: t)
    prefetch(scratch, width: scratchWidth * h, step: t)
    prefetch(recurrentProducts, width: gateWidth, step: t)
  }

  // MARK: Backward

  /// Backward pass through time, in the reverse of the visiting order.
  ///
  /// On entry `outputDeltas` holds the error at each row's output from outside the recurrence
  /// (the output layer, or the layer above); on exit the gate deltas hold ∂O/∂A^t and the
  /// recurrent deltas ∂O/∂R^t, zero on padded rows, where the error at h^t adds
  /// `∂R^(next) Wᵀ` before the cell's step (docs/MATH.md, "BPTT"). `cellGradients` are zeroed
  /// first and receive the cell's own parameters' gradients.
  func runBackward(
    w: UnsafePointer<Scalar>, cellParameters: [UnsafePointer<Scalar>],
    cellGradients: [(pointer: UnsafeMutablePointer<Scalar>, count: Int)]
  ) {
    let (h, width) = (hiddenSize, gateWidth)
    // Copied once, as in `runForward`; so are the cell's facts and the pointers they decide.
    let cell = self.cell
    let (gatesAreOutput, scratchWidth) = (cell.gatesAreOutput, cell.scratchWidth)
    let (gateDeltas, recurrentDeltas) = (self.gateDeltas, self.recurrentDeltas)
    let scratchBlock = batchSize * scratchWidth * h
    let block = batchSize * h
    let gateBlock = batchSize * width
    for gradient in cellGradients { gradient.pointer.update(repeating: 0, count: gradient.count) }
    let gradientPointers = cellGradients.map(\.pointer)
    stateDeltas?.update(repeating: 0, count: block)
    operand.prepare(w, ldb: width, transposed: true, k: width, n: h)
    for s in stride(from: steps - 1, through: 0, by: -1) {
      let t = step(s)
      let delta = outputDeltas + t * block
      if s > 0 {
        prefetchBackward(
          step: step(s - 1), gatesAreOutput: gatesAreOutput, scratchWidth: scratchWidth)
      }
      if s < steps - 1 {
        operand.multiply(
          m: batchSize, recurrentDeltas + step(s + 1) * gateBlock, lda: width, accumulate: true,
          into: delta, ldc: h)
      }
      // A padded row of the backward direction receives the error at the zero state its
      // sequence starts from; it goes no further, and must not reach the cell's gradients.
      zeroPadding(delta, width: h, step: t)
      let previous = s > 0 ? step(s - 1) : nil
      // The first step of a carried state reads it, but sends no error into it.
      cell.backward(
        CellBackward(
          rows: batchSize, hidden: h, gates: UnsafePointer(gates + t * gateBlock),
          gateDeltas: gateDeltas + t * gateBlock,
          recurrent: recurrentProducts.map { $0 + t * gateBlock }, outputDelta: delta,
          previousOutput: previous.map { UnsafePointer(outputs + $0 * block) } ?? initialOutput,
          previousState: previous.map { p in states.map { UnsafePointer($0 + p * block) } }
            ?? initialState,
          output: UnsafePointer(outputs + t * block),
          state: states.map { UnsafePointer($0 + t * block) },
          scratch: scratch.map { UnsafePointer($0 + t * scratchBlock) },
          stateDelta: stateDeltas, previousOutputDelta: previous.map { outputDeltas + $0 * block },
          parameters: cellParameters, parameterGradients: gradientPointers))
      zeroPadding(gateDeltas + t * gateBlock, width: width, step: t)
      if let recurrentProducts {
        zeroPadding(recurrentProducts + t * gateBlock, width: width, step: t)
      }
      if let stateDeltas { zeroPadding(stateDeltas, width: h, step: t) }
    }
  }

  /// ∂U = Xᵀ ∂A: one product for dense inputs, a scatter-add of ∂A rows into the rows of U
  /// named by each input row for sparse ones. `gradient` is `[I × G·H]`, overwritten.
  func inputWeightGradient(
    _ inputs: InputRows<Scalar>, into gradient: UnsafeMutableBufferPointer<Scalar>
  ) {
    let width = gateWidth
    let deltas = gateDeltas
    switch inputs {
    case .dense(let x, let inputWidth):
      gemm(
        .transposed, .none, m: inputWidth, n: width, k: rowCount,
        alpha: 1, x, lda: inputWidth, deltas, ldb: width, beta: 0, gradient.baseAddress!,
        ldc: width)
    case .sparse(let rows):
      for index in gradient.indices { gradient[index] = 0 }
      rows.indices.withUnsafeBufferPointer { indices in
        for r in 0..<rowCount {
          let delta = deltas + r * width
          for position in rows.offsets[r]..<rows.offsets[r + 1] {
            let target = gradient.baseAddress! + Int(indices[position]) * width
            for j in 0..<width { target[j] += delta[j] }
          }
        }
      }
    }
  }

  /// ∂U_d = X_dᵀ ∂A for each block of H rows of a stacked layer's U, reading `below[d]`.
  func layerWeightGradient(
    _ below: [UnsafePointer<Scalar>], into gradient: UnsafeMutablePointer<Scalar>
  ) {
    let (h, width) = (hiddenSize, gateWidth)
    for (d, x) in below.enumerated() {
      gemm(
        .transposed, .none, m: h, n: width, k: rowCount,
        alpha: 1, x, lda: h, gateDeltas, ldb: width, beta: 0, gradient + d * h * width,
        ldc: width)
    }
  }

  /// ∂W = Σ_t h^(prev)ᵀ ∂R^t as one product over the rows that have a previous step: for the
  /// forward direction h rows 0 ..< (T−1)·B against ∂R rows B ..< T·B (pairing δ^t with
  /// h^(t−1)), for the backward one the reverse (pairing ←δ^t with ←h^(t+1)). `gradient` is
  /// `[H × G·H]`. A carried state adds its pair, `h^(in)ᵀ ∂R^0`.
  func recurrentWeightGradient(into gradient: UnsafeMutableBufferPointer<Scalar>) {
    let (h, width) = (hiddenSize, gateWidth)
    let pairs = (steps - 1) * batchSize
    let (states, errors) =
      direction == .forward
      ? (UnsafePointer(outputs), UnsafePointer(recurrentDeltas + batchSize * width))
      : (UnsafePointer(outputs + batchSize * h), UnsafePointer(recurrentDeltas))
    gemm(
      .transposed, .none, m: h, n: width, k: pairs,
      alpha: 1, states, lda: h, errors, ldb: width, beta: 0, gradient.baseAddress!, ldc: width)
    if let initialOutput {
      gemm(
        .transposed, .none, m: h, n: width, k: batchSize,
        alpha: 1, initialOutput, lda: h, recurrentDeltas, ldb: width, beta: 1,
        gradient.baseAddress!, ldc: width)
    }
  }

  /// ∂c = Σ_rows ∂A. `gradient` is `[1 × G·H]`.
  func biasGradient(into gradient: UnsafeMutableBufferPointer<Scalar>) {
    Scalar.sumRows(of: gateDeltas, rows: rowCount, columns: gateWidth, into: gradient)
  }

  // MARK: Padding

  /// Zeroes the rows of step t's block (`width` columns) that belong to sequences shorter than
  /// t + 1.
  private func zeroPadding(_ block: UnsafeMutablePointer<Scalar>, width: Int, step t: Int) {
    for b in 0..<batchSize where lengths[b] <= t {
      let row = block + b * width
      for j in 0..<width { row[j] = 0 }
    }
  }
}

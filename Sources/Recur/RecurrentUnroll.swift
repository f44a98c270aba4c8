import Tensors

/// The rows of a batch's inputs as the kernels read them (time-major, `T·B` rows).
enum InputRows<Scalar: BLASScalar> {
  /// `[T·B × width]` row-major.
  case dense(UnsafePointer<Scalar>, width: Int)
  /// Multi-hot rows; padded rows are empty.
  case sparse(SparseRows)
}

/// One direction of a recurrent layer unrolled over a time-major batch: the cell
/// `a^t = x^t U + b^(prev) W (+ c)`, `b^t = f(a^t)`, and its backpropagation through time.
///
/// A forward unroll visits t = 0 … T−1 and its previous step is t−1; a backward unroll visits
/// t = T−1 … 0 and its previous step is t+1 (MATH.md, BRNN). Rows of a sequence past its length
/// are padding: their outputs and deltas are forced to zero after every step, so the backward
/// unroll of a short sequence starts from `←b^(len+1) = 0` and no padded row reaches a gradient
/// product.
///
/// Buffers (owned by the network's workspace): `outputs` and `deltas` are each `[T·B × H]`, row
/// `t·B + b`; an unroll that only runs forward may be given an empty `deltas`, which it never
/// touches. The pre-activations are formed in `outputs` and activated in place (BPTT needs
/// only the outputs), unless a separate `preActivations` buffer is given to keep them. The
/// per-step products go through `operand` (prepared once per pass); the products over all rows
/// through BLAS.
struct RecurrentUnroll<Scalar: BLASScalar> {
  let direction: Direction
  let activation: any Activation
  let hiddenSize: Int
  let steps: Int
  let lengths: [Int]
  let preActivations: UnsafeMutablePointer<Scalar>?
  let outputs: UnsafeMutablePointer<Scalar>
  let deltas: UnsafeMutablePointer<Scalar>
  /// The direction's right-hand operand for products by one matrix: `runForward` prepares W in
  /// it for its T per-step products, `runBackward` Wᵀ (the network prepares V between).
  let operand: PackedOperand<Scalar>

  var batchSize: Int { lengths.count }
  var rowCount: Int { steps * batchSize }
  private var blockCount: Int { batchSize * hiddenSize }
  /// Where the pre-activations A are formed.
  private var activationInputs: UnsafeMutablePointer<Scalar> { preActivations ?? outputs }

  /// The time index of the s-th step visited.
  private func step(_ s: Int) -> Int { direction == .forward ? s : steps - 1 - s }

  /// The step whose output sequence classification scores: the last real one for the forward
  /// direction (`→b^(len)`), the first for the backward one (`←b^1`).
  func scoredStep(length: Int) -> Int { direction == .forward ? length - 1 : 0 }

  // MARK: Forward

  /// A ← X U (+ c) for all `T·B` rows at once. Dense inputs: every row starts as the bias (or
  /// zero) and one product accumulates X U into it, one pass over A instead of a product, a
  /// zeroing and a bias pass (the sum is the same, c + X U). Sparse inputs: the U rows of each
  /// input's active features are summed, then the bias added (an embedding lookup; no one-hot
  /// vector is formed).
  func projectInputs(
    _ inputs: InputRows<Scalar>, u: UnsafePointer<Scalar>,
    bias c: UnsafePointer<Scalar>?
  ) {
    let h = hiddenSize
    switch inputs {
    case .dense(let x, let width):
      for r in 0..<rowCount {
        let a = activationInputs + r * h
        if let c {
          a.update(from: c, count: h)
        } else {
          a.update(repeating: 0, count: h)
        }
      }
      gemm(
        .none, .none, m: rowCount, n: h, k: width,
        alpha: 1, x, lda: width, u, ldb: h, beta: 1, activationInputs, ldc: h)
    case .sparse(let rows):
      rows.indices.withUnsafeBufferPointer { indices in
        for r in 0..<rowCount {
          let a = activationInputs + r * h
          a.update(repeating: 0, count: h)
          for position in rows.offsets[r]..<rows.offsets[r + 1] {
            let source = u + Int(indices[position]) * h
            for j in 0..<h { a[j] += source[j] }
          }
          if let c {
            for j in 0..<h { a[j] += c[j] }
          }
        }
      }
    }
  }

  /// The recurrence, one product per step on that step's block of B rows:
  /// A^t += B^(prev) W, B^t = f(A^t), padded rows of B^t zeroed.
  func runForward(w: UnsafePointer<Scalar>) {
    let h = hiddenSize
    operand.prepare(w, ldb: h, transposed: false, k: h, n: h)
    for s in 0..<steps {
      let t = step(s)
      let a = activationInputs + t * blockCount
      let b = outputs + t * blockCount
      if s > 0 {
        let previous = outputs + step(s - 1) * blockCount
        operand.multiply(
          m: batchSize, previous, lda: h, accumulate: true, into: a, ldc: h)
      }
      activation.apply(
        UnsafeBufferPointer(start: a, count: blockCount),
        into: UnsafeMutableBufferPointer(start: b, count: blockCount))
      zeroPadding(b, step: t)
    }
  }

  // MARK: Backward

  /// Backward pass through time, in the reverse of the visiting order.
  ///
  /// On entry `deltas` holds δ_k Vᵀ (the output layer's error at each row); on exit it holds
  /// δ_h^t = f'(a^t) ⊙ (δ_k^t Vᵀ + δ_h^(next) Wᵀ), zero on padded rows (MATH.md, BPTT).
  func runBackward(w: UnsafePointer<Scalar>) {
    let h = hiddenSize
    operand.prepare(w, ldb: h, transposed: true, k: h, n: h)
    for s in stride(from: steps - 1, through: 0, by: -1) {
      let t = step(s)
      let delta = deltas + t * blockCount
      if s < steps - 1 {
        let next = deltas + step(s + 1) * blockCount
        operand.multiply(
          m: batchSize, next, lda: h, accumulate: true, into: delta, ldc: h)
      }
      activation.scaleByDerivative(
        UnsafeMutableBufferPointer(start: delta, count: blockCount),
        output: UnsafeBufferPointer(start: outputs + t * blockCount, count: blockCount))
      zeroPadding(delta, step: t)
    }
  }

  /// ∂U = Xᵀ Δ_h: one product for dense inputs, a scatter-add of Δ_h rows into the rows of U
  /// named by each input row for sparse ones. `gradient` is `[I × H]`, overwritten.
  func inputWeightGradient(
    _ inputs: InputRows<Scalar>,
    into gradient: UnsafeMutableBufferPointer<Scalar>
  ) {
    let h = hiddenSize
    switch inputs {
    case .dense(let x, let width):
      gemm(
        .transposed, .none, m: width, n: h, k: rowCount,
        alpha: 1, x, lda: width, deltas, ldb: h, beta: 0, gradient.baseAddress!, ldc: h)
    case .sparse(let rows):
      for index in gradient.indices { gradient[index] = 0 }
      rows.indices.withUnsafeBufferPointer { indices in
        for r in 0..<rowCount {
          let delta = deltas + r * h
          for position in rows.offsets[r]..<rows.offsets[r + 1] {
            let target = gradient.baseAddress! + Int(indices[position]) * h
            for j in 0..<h { target[j] += delta[j] }
          }
        }
      }
    }
  }

  /// ∂W = Σ_t B^(prev)ᵀ Δ_h^t as one product over the rows that have a previous step: for the
  /// forward direction B rows 0 ..< (T−1)·B against Δ rows B ..< T·B (pairing δ^t with b^(t−1)),
  /// for the backward one the reverse (pairing ←δ^t with ←b^(t+1)). `gradient` is `[H × H]`.
  func recurrentWeightGradient(into gradient: UnsafeMutableBufferPointer<Scalar>) {
    let h = hiddenSize
    let pairs = (steps - 1) * batchSize
    let (states, errors) =
      direction == .forward
      ? (UnsafePointer(outputs), UnsafePointer(deltas + blockCount))
      : (UnsafePointer(outputs + blockCount), UnsafePointer(deltas))
    gemm(
      .transposed, .none, m: h, n: h, k: pairs,
      alpha: 1, states, lda: h, errors, ldb: h, beta: 0, gradient.baseAddress!, ldc: h)
  }

  /// ∂c = Σ_rows Δ_h. `gradient` is `[1 × H]`.
  func biasGradient(into gradient: UnsafeMutableBufferPointer<Scalar>) {
    Scalar.sumRows(of: deltas, rows: rowCount, columns: hiddenSize, into: gradient)
  }

  // MARK: Padding

  /// Zeroes the rows of step t that belong to sequences shorter than t + 1.
  private func zeroPadding(_ block: UnsafeMutablePointer<Scalar>, step t: Int) {
    let h = hiddenSize
    for b in 0..<batchSize where lengths[b] <= t {
      let row = block + b * h
      for j in 0..<h { row[j] = 0 }
    }
  }
}

import Tensors

/// A parameter a cell adds besides its input weights U, recurrent weights W and bias c: a row
/// vector of `width · H` entries, such as the LSTM's peepholes. It starts at zero.
public struct CellParameter: Sendable, Equatable {
  /// The role's name in parameter keys: `P` in `forward.P`.
  public var name: String
  /// Columns in multiples of H.
  public var width: Int
  /// Whether it is a bias, present only in networks with biases.
  public var isBias: Bool

  public init(name: String, width: Int, isBias: Bool) {
    self.name = name
    self.width = width
    self.isBias = isBias
  }
}

/// The unit a recurrent layer repeats at every step, seen by the network as one step's block of
/// rows (docs/MATH.md, "Cells").
///
/// The network does what every cell shares: the input projection of all steps at once
/// (`A = X U + c`, G blocks of H columns), the per-step recurrent product `h^(prev) W` through
/// the packed kernels (W is H × G·H), padding, both directions and stacked layers, and every
/// weight product after the loop (`∂U = Xᵀ ∂A`, `∂W = Σ h^(prev)ᵀ ∂R`, `∂c = Σ ∂A`). A cell turns
/// one step's gate pre-activations into its output h (and, when it carries one, its state c) and
/// back again, element-wise.
///
/// Cells are values: a cell's options (its activation, peepholes) are its stored properties.
/// The methods are generic over the scalar like `Activation`'s, so a call through
/// `any RecurrentCell` from generic code still runs a loop specialised for Float or Double.
public protocol RecurrentCell: Sendable {
  /// The name in specs and model descriptions: `elman`, `lstm`, `gru`.
  var name: String { get }
  /// The gate blocks of the projections, in column order (`i f g o` for the LSTM); G is their
  /// count.
  var gates: [String] { get }
  /// Whether `h^(prev) W` is added to the gates' pre-activations before `forward` (Elman,
  /// LSTM); otherwise the network hands it over apart in `recurrent` (the GRU's reset gate
  /// multiplies it).
  var addsRecurrentProduct: Bool { get }
  /// Whether the cell carries a state c besides its output h (the LSTM's cell state).
  var carriesState: Bool { get }
  /// Columns of per-row values, in multiples of H, that `forward` keeps for `backward`.
  var scratchWidth: Int { get }
  /// The parameters the cell adds, in key order after U, W and c.
  var parameters: [CellParameter] { get }
  /// Whether the single gate block is the output itself (Elman: `h = f(a)` formed in place), so
  /// the network keeps one `T·B × H` buffer for both and one for both their deltas.
  var gatesAreOutput: Bool { get }
  /// The equations in the notation of docs/MATH.md, for model descriptions.
  var equations: [String] { get }
  /// The initial bias c, G·H values, or nil for zero (the LSTM's `forget_bias`).
  func initialBias(hidden: Int) -> [Double]?

  /// One step forward for a block of rows; see `CellForward`.
  func forward<Scalar: BLASScalar>(_ step: CellForward<Scalar>)
  /// One step of backpropagation through time for a block of rows; see `CellBackward`.
  func backward<Scalar: BLASScalar>(_ step: CellBackward<Scalar>)
}

extension RecurrentCell {
  public var addsRecurrentProduct: Bool { true }
  public var carriesState: Bool { false }
  public var scratchWidth: Int { 0 }
  public var parameters: [CellParameter] { [] }
  public var gatesAreOutput: Bool { false }
  public func initialBias(hidden: Int) -> [Double]? { nil }
}

/// One step of a cell's forward pass over `rows` rows (the sequences of a batch). Every block is
/// row-major with as many columns as its width (`G·H` for gates, `H` for the others).
public struct CellForward<Scalar: BLASScalar> {
  /// B, the rows of the block.
  public var rows: Int
  /// H.
  public var hidden: Int
  /// `[rows × G·H]`: on entry the pre-activations `x U + c` (plus `h^(prev) W` when the cell
  /// adds the recurrent product); the cell may keep anything here for `backward`, typically the
  /// gates' activations. For a cell whose gates are its output this is `output` itself.
  public var gates: UnsafeMutablePointer<Scalar>
  /// `[rows × G·H]` for a cell that does not add the recurrent product: `h^(prev) W`, zero at the
  /// first step; the cell may keep anything here for `backward`. Nil otherwise.
  public var recurrent: UnsafeMutablePointer<Scalar>?
  /// `[rows × H]`: h at the step before, or nil at the first step (h = 0).
  public var previousOutput: UnsafePointer<Scalar>?
  /// `[rows × H]`: c at the step before, or nil at the first step or for a cell without state.
  public var previousState: UnsafePointer<Scalar>?
  /// `[rows × H]`, written: h.
  public var output: UnsafeMutablePointer<Scalar>
  /// `[rows × H]`, written: c, for a cell that carries a state.
  public var state: UnsafeMutablePointer<Scalar>?
  /// `[rows × scratchWidth·H]`, kept for `backward`; nil when the width is 0.
  public var scratch: UnsafeMutablePointer<Scalar>?
  /// The cell's own parameters, in the order of `RecurrentCell.parameters` (absent biases
  /// left out).
  public var parameters: [UnsafePointer<Scalar>]

  public init(
    rows: Int, hidden: Int, gates: UnsafeMutablePointer<Scalar>,
    recurrent: UnsafeMutablePointer<Scalar>?, previousOutput: UnsafePointer<Scalar>?,
    previousState: UnsafePointer<Scalar>?, output: UnsafeMutablePointer<Scalar>,
    state: UnsafeMutablePointer<Scalar>?, scratch: UnsafeMutablePointer<Scalar>?,
    parameters: [UnsafePointer<Scalar>]
  ) {
    self.rows = rows
    self.hidden = hidden
    self.gates = gates
    self.recurrent = recurrent
    self.previousOutput = previousOutput
    self.previousState = previousState
    self.output = output
    self.state = state
    self.scratch = scratch
    self.parameters = parameters
  }
}

/// One step of a cell's backward pass, the reverse of a `CellForward` of the same step: the
/// blocks hold what that forward step left, and the cell turns the error at its output into the
/// error at its gates' pre-activations.
public struct CellBackward<Scalar: BLASScalar> {
  public var rows: Int
  public var hidden: Int
  /// `[rows × G·H]`: what `forward` left in its gates.
  public var gates: UnsafePointer<Scalar>
  /// `[rows × G·H]`, written: ∂O/∂A, the error at the pre-activations `x U + c`. May be the
  /// same memory as `gates` (written in place) or, for a cell whose gates are its output, as
  /// `outputDelta`.
  public var gateDeltas: UnsafeMutablePointer<Scalar>
  /// For a cell that does not add the recurrent product: on entry what `forward` left in
  /// `recurrent`; written: ∂O/∂R, the error at `R = h^(prev) W`. Nil otherwise (the error at R
  /// is then `gateDeltas`).
  public var recurrent: UnsafeMutablePointer<Scalar>?
  /// `[rows × H]`: ∂O/∂h at this step, all paths but the cell's own direct ones (the output
  /// layer or the layer above, and `∂R^(next) Wᵀ`).
  public var outputDelta: UnsafeMutablePointer<Scalar>
  /// `[rows × H]`: the same step's inputs and results, as `forward` had them.
  public var previousOutput: UnsafePointer<Scalar>?
  public var previousState: UnsafePointer<Scalar>?
  public var output: UnsafePointer<Scalar>
  public var state: UnsafePointer<Scalar>?
  public var scratch: UnsafePointer<Scalar>?
  /// `[rows × H]` for a cell that carries a state: on entry ∂O/∂c at this step from the step
  /// after (zero at the last); written: ∂O/∂c^(prev).
  public var stateDelta: UnsafeMutablePointer<Scalar>?
  /// `[rows × H]`: ∂O/∂h^(prev), to which the cell adds its direct paths from h^(prev) (the
  /// GRU's `z ⊙ ∂h`); nil at the first step.
  public var previousOutputDelta: UnsafeMutablePointer<Scalar>?
  public var parameters: [UnsafePointer<Scalar>]
  /// The gradients of `parameters`, same order and sizes: the cell adds this step's share.
  public var parameterGradients: [UnsafeMutablePointer<Scalar>]

  public init(
    rows: Int, hidden: Int, gates: UnsafePointer<Scalar>,
    gateDeltas: UnsafeMutablePointer<Scalar>, recurrent: UnsafeMutablePointer<Scalar>?,
    outputDelta: UnsafeMutablePointer<Scalar>, previousOutput: UnsafePointer<Scalar>?,
    previousState: UnsafePointer<Scalar>?, output: UnsafePointer<Scalar>,
    state: UnsafePointer<Scalar>?, scratch: UnsafePointer<Scalar>?,
    stateDelta: UnsafeMutablePointer<Scalar>?,
    previousOutputDelta: UnsafeMutablePointer<Scalar>?, parameters: [UnsafePointer<Scalar>],
    parameterGradients: [UnsafeMutablePointer<Scalar>]
  ) {
    self.rows = rows
    self.hidden = hidden
    self.gates = gates
    self.gateDeltas = gateDeltas
    self.recurrent = recurrent
    self.outputDelta = outputDelta
    self.previousOutput = previousOutput
    self.previousState = previousState
    self.output = output
    self.state = state
    self.scratch = scratch
    self.stateDelta = stateDelta
    self.previousOutputDelta = previousOutputDelta
    self.parameters = parameters
    self.parameterGradients = parameterGradients
  }
}

extension BLASScalar {
  /// x ← tanh x over `count` values, through the vectorised block kernel.
  @inlinable
  static func tanhInPlace(_ values: UnsafeMutablePointer<Self>, count: Int) {
    tanh(
      UnsafeBufferPointer(start: values, count: count),
      into: UnsafeMutableBufferPointer(start: values, count: count))
  }

  /// x ← σ(x) = (1 + tanh(x/2)) / 2 over `count` values, through the vectorised tanh: the
  /// gates' sigmoid.
  @inlinable
  static func sigmoidInPlace(_ values: UnsafeMutablePointer<Self>, count: Int) {
    for j in 0..<count { values[j] *= 0.5 }
    tanhInPlace(values, count: count)
    for j in 0..<count { values[j] = 0.5 + 0.5 * values[j] }
  }
}

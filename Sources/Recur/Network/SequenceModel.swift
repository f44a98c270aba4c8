import Tensors

/// What the trainer, checkpoints, the gradient check, evaluation and export see of a model: its
/// parameters, its loss and gradients on a batch, and its outputs. `RecurrentNetwork` (layers ×
/// directions of cells plus an output head) is the standard implementation.
public protocol SequenceModel<Scalar>: AnyObject {
  associatedtype Scalar: BLASScalar
  /// The weights, keyed; optimizers update them in place.
  var parameters: ParameterSet<Scalar> { get set }
  /// The task the output head scores.
  var task: TaskKind { get }
  /// Forward, loss, backward: writes ∂(loss.mean)/∂θ into `gradients` (same keys as
  /// `parameters`) and returns the loss. `dropout` masks apply in training only.
  func lossAndGradients(
    for batch: SequenceBatch<Scalar>, into gradients: inout ParameterSet<Scalar>,
    dropout: DropoutMasks<Scalar>?
  ) -> BatchLoss
  /// Forward pass and loss only.
  func evaluate(_ batch: SequenceBatch<Scalar>) -> BatchEvaluation
  /// Class probabilities, K per row of `batch.targets`. Precondition: a classification model.
  func probabilities(for batch: SequenceBatch<Scalar>) -> [Double]
  /// The sizes of the dropout masks the model takes for a batch; see `DropoutMasks`.
  var dropoutLayout: DropoutLayout { get }
  /// Whether the model can start a pass from a carried state (truncated BPTT, sampling).
  var carriesState: Bool { get }
  /// The state every following pass (`lossAndGradients`, `evaluate`, `probabilities`) starts
  /// from, one row per sequence of the batch, until it is set to nil (the zero state). Gradients
  /// treat it as a constant. Precondition: nil unless `carriesState`.
  var initialState: CarriedState<Scalar>? { get set }
  /// The state each sequence of `batch` ended in (at its last real step), after a pass over
  /// `batch`, the last one; nil for a model that does not carry state.
  func finalState(for batch: SequenceBatch<Scalar>) -> CarriedState<Scalar>?
  /// Why `state` cannot start a pass over a batch of `rows` sequences (its layers, the values
  /// per row or the cell state do not fit this model), or nil when it can.
  func problem(with state: CarriedState<Scalar>, rows: Int) -> String?
  /// Runs `first` on the calling thread and `second` beside it on a thread the model keeps for
  /// its own work, if it keeps one, or else after `first`. The trainer overlaps its optimizer
  /// step with building the next batch this way; the two touch disjoint memory.
  func alongside(_ first: () -> Void, _ second: () -> Void)
}

extension SequenceModel {
  public var carriesState: Bool { false }
  public var initialState: CarriedState<Scalar>? {
    get { nil }
    set { precondition(newValue == nil, "this model does not start from a carried state") }
  }
  public func finalState(for batch: SequenceBatch<Scalar>) -> CarriedState<Scalar>? { nil }
  public func problem(with state: CarriedState<Scalar>, rows: Int) -> String? {
    "this model does not start from a carried state"
  }
  public func alongside(_ first: () -> Void, _ second: () -> Void) {
    first()
    second()
  }
}

/// The recurrent state a pass ends in, per layer of the forward direction: what truncated BPTT
/// carries from one segment of a stream into the next, and sampling from one step into the next.
public struct CarriedState<Scalar: BLASScalar>: Sendable, Equatable, Codable {
  /// B, the sequences (rows) it holds.
  public var rows: Int
  /// Per layer (the first at index 0): h, `rows × H` row-major.
  public var outputs: [[Scalar]]
  /// Per layer: c, `rows × H`, for a cell that carries a state (the LSTM); empty otherwise.
  public var states: [[Scalar]]

  public init(rows: Int, outputs: [[Scalar]], states: [[Scalar]]) {
    self.rows = rows
    self.outputs = outputs
    self.states = states
  }

  /// The first `count` rows (the streams still running in a stream's last segment).
  public func prefix(rows count: Int) -> CarriedState {
    guard count < rows, let first = outputs.first, !first.isEmpty else { return self }
    let width = first.count / rows
    return CarriedState(
      rows: count, outputs: outputs.map { Array($0.prefix(count * width)) },
      states: states.map { Array($0.prefix(count * width)) })
  }
}

/// How many dropout masks a model takes and of what size, per batch.
public struct DropoutLayout: Sendable, Equatable {
  /// H, the values per row of a mask.
  public var width: Int
  /// Directions: masks per boundary.
  public var directions: Int
  /// Layer boundaries below the top (layers − 1), each masked over all `T·B` rows.
  public var layerBoundaries: Int

  public init(width: Int, directions: Int, layerBoundaries: Int) {
    self.width = width
    self.directions = directions
    self.layerBoundaries = layerBoundaries
  }
}

/// Multipliers of 0 or 1/(1 − p) for the hidden outputs of a training batch.
public struct DropoutMasks<Scalar: BLASScalar>: Sendable {
  /// Per direction, `rows × H` (the rows of `batch.targets`): on what the output layer reads.
  public var output: [[Scalar]]?
  /// Per layer below the top, per direction, `T·B × H`: on what the next layer reads.
  public var layers: [[[Scalar]]]?

  public init(output: [[Scalar]]? = nil, layers: [[[Scalar]]]? = nil) {
    self.output = output
    self.layers = layers
  }
}

extension RecurrentNetwork {
  public var dropoutLayout: DropoutLayout {
    DropoutLayout(
      width: shape.hiddenSize, directions: shape.directions.count,
      layerBoundaries: shape.layers - 1)
  }
}

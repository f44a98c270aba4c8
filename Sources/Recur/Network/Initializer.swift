import Tensors

/// Draws the initial values of a weight matrix from the run's generator.
public protocol Initializer: Sendable {
  var name: String { get }
  /// Whether the initializer can fill a `rows × columns` matrix (identity needs a square one).
  func accepts(rows: Int, columns: Int) -> Bool
  /// A `rows × columns` matrix, row-major, for a layer with `hidden` units per direction.
  func values(rows: Int, columns: Int, hidden: Int, generator: inout SeededGenerator) -> [Double]
}

/// Uniform in ±1/√H: the classic default for recurrent networks.
public struct UniformInitializer: Initializer {
  public let name = "uniform"
  public init() {}

  public func accepts(rows: Int, columns: Int) -> Bool { true }

  public func values(
    rows: Int, columns: Int, hidden: Int, generator: inout SeededGenerator
  )
    -> [Double]
  {
    let limit = 1 / Double(hidden).squareRoot()
    return (0..<(rows * columns)).map { _ in generator.uniform(in: -limit...limit) }
  }
}

/// Glorot and Bengio's uniform initialisation: ±√(6 / (fan_in + fan_out)), with fan_in the rows
/// (the layer's inputs) and fan_out the columns.
public struct GlorotInitializer: Initializer {
  public let name = "glorot"
  public init() {}

  public func accepts(rows: Int, columns: Int) -> Bool { true }

  public func values(
    rows: Int, columns: Int, hidden: Int, generator: inout SeededGenerator
  )
    -> [Double]
  {
    let limit = (6 / Double(rows + columns)).squareRoot()
    return (0..<(rows * columns)).map { _ in generator.uniform(in: -limit...limit) }
  }
}

/// A (semi-)orthogonal matrix (Saxe et al.): a standard normal matrix whose columns (or rows,
/// when there are fewer rows than columns) are orthonormalised by modified Gram–Schmidt.
public struct OrthogonalInitializer: Initializer {
  public let name = "orthogonal"
  public init() {}

  public func accepts(rows: Int, columns: Int) -> Bool { true }

  public func values(
    rows: Int, columns: Int, hidden: Int, generator: inout SeededGenerator
  )
    -> [Double]
  {
    let gaussian = (0..<(rows * columns)).map { _ in generator.normal() }
    // Vectors to orthonormalise: the columns when tall, the rows when wide.
    let tall = rows >= columns
    let (count, length) = tall ? (columns, rows) : (rows, columns)
    var vectors = (0..<count).map { v in
      (0..<length).map { i in tall ? gaussian[i * columns + v] : gaussian[v * columns + i] }
    }
    for v in 0..<count {
      for u in 0..<v {
        let projection = zip(vectors[v], vectors[u]).reduce(0) { $0 + $1.0 * $1.1 }
        for i in 0..<length { vectors[v][i] -= projection * vectors[u][i] }
      }
      let norm = vectors[v].reduce(0) { $0 + $1 * $1 }.squareRoot()
      for i in 0..<length { vectors[v][i] /= norm }
    }
    var result = [Double](repeating: 0, count: rows * columns)
    for v in 0..<count {
      for i in 0..<length {
        if tall {
          result[i * columns + v] = vectors[v][i]
        } else {
          result[v * columns + i] = vectors[v][i]
        }
      }
    }
    return result
  }
}

/// The identity matrix (Le et al.'s IRNN: a ReLU RNN whose recurrent matrix starts as I). Square
/// matrices only; draws nothing.
public struct IdentityInitializer: Initializer {
  public let name = "identity"
  public init() {}

  public func accepts(rows: Int, columns: Int) -> Bool { rows == columns }

  public func values(
    rows: Int, columns: Int, hidden: Int, generator: inout SeededGenerator
  )
    -> [Double]
  {
    (0..<(rows * columns)).map { $0 / columns == $0 % columns ? 1 : 0 }
  }
}

extension RecurrentNetwork {
  /// Initial parameters drawn from `generator` in key order: `weights` for the input and output
  /// matrices (U, V), `recurrent` for the recurrent ones (W); biases start at the cell's initial
  /// bias (zero but for the LSTM's `forget_bias`) and the cell's own parameters at zero, drawing
  /// nothing. Precondition: each initializer accepts the shapes it gets.
  public static func initialParameters(
    for shape: NetworkShape, cell: any RecurrentCell, weights: any Initializer = UniformInitializer(),
    recurrent: any Initializer = UniformInitializer(), generator: inout SeededGenerator
  ) -> ParameterSet<Scalar> {
    var parameters = ParameterSet<Scalar>()
    for slot in parameterLayout(for: shape, cell: cell) {
      var matrix = Matrix<Scalar>(rows: slot.rows, columns: slot.columns)
      switch slot.key.role {
      case .input, .recurrent, .output:
        let initializer = slot.key.role == .recurrent ? recurrent : weights
        precondition(initializer.accepts(rows: slot.rows, columns: slot.columns))
        let values = initializer.values(
          rows: slot.rows, columns: slot.columns, hidden: shape.hiddenSize,
          generator: &generator)
        matrix.elements = values.map { Scalar($0) }
      case .bias:
        if let bias = cell.initialBias(hidden: shape.hiddenSize) {
          matrix.elements = bias.map { Scalar($0) }
        }
      case .cell, .outputBias:
        break
      }
      parameters.append(slot.name, matrix)
    }
    return parameters
  }
}

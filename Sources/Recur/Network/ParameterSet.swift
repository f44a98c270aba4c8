import Tensors

/// Parameters (and gradients, and optimizer state) keyed by name, in a fixed order.
public struct ParameterSet<Scalar: BLASScalar>: Sendable, Equatable {
  /// The names, in order; unique.
  public private(set) var keys: [String]
  /// `values[i]` belongs to `keys[i]`.
  public var values: [Matrix<Scalar>]

  /// An empty set.
  public init() {
    keys = []
    values = []
  }

  /// The entries in the given order. Precondition: keys are unique.
  public init(_ entries: [(String, Matrix<Scalar>)]) {
    self.init()
    for (key, value) in entries { append(key, value) }
  }

  /// The matrix stored under `key`, or nil.
  public subscript(key: String) -> Matrix<Scalar>? {
    keys.firstIndex(of: key).map { values[$0] }
  }

  /// Adds an entry at the end. Precondition: `key` is new.
  public mutating func append(_ key: String, _ value: Matrix<Scalar>) {
    precondition(!keys.contains(key), "duplicate parameter key '\(key)'")
    keys.append(key)
    values.append(value)
  }

  /// Same keys and shapes, all zero.
  public func zeros() -> ParameterSet {
    var result = self
    for index in result.values.indices { result.values[index].setZero() }
    return result
  }

  /// The total number of scalars over all entries.
  public var scalarCount: Int { values.reduce(0) { $0 + $1.count } }

  /// The same entries converted to `T`.
  public func converted<T: BLASScalar>(to: T.Type) -> ParameterSet<T> {
    var result = ParameterSet<T>()
    for (key, value) in zip(keys, values) { result.append(key, value.converted(to: T.self)) }
    return result
  }

  /// Whether both sets have the same keys in the same order with the same shapes.
  public func hasSameLayout<T: BLASScalar>(as other: ParameterSet<T>) -> Bool {
    keys == other.keys
      && zip(values, other.values).allSatisfy { $0.rows == $1.rows && $0.columns == $1.columns }
  }
}

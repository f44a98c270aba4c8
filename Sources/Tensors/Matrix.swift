/// Dense row-major matrix.
///
/// Element `(row, column)` lives at `elements[row * columns + column]`.
public struct Matrix<Scalar: BLASScalar>: Equatable, Sendable {
  /// Number of rows.
  public private(set) var rows: Int
  /// Number of columns.
  public private(set) var columns: Int
  /// The entries, row-major; `count == rows * columns`.
  public var elements: [Scalar]

  /// A `rows × columns` matrix with every entry equal to `value`.
  public init(rows: Int, columns: Int, repeating value: Scalar = 0) {
    precondition(rows >= 0 && columns >= 0, "negative matrix dimension \(rows)×\(columns)")
    self.rows = rows
    self.columns = columns
    self.elements = Array(repeating: value, count: rows * columns)
  }

  /// A `rows × columns` matrix with the given row-major entries.
  /// Precondition: `elements.count == rows * columns`.
  public init(rows: Int, columns: Int, elements: [Scalar]) {
    precondition(rows >= 0 && columns >= 0, "negative matrix dimension \(rows)×\(columns)")
    precondition(
      elements.count == rows * columns,
      "\(elements.count) elements for a \(rows)×\(columns) matrix")
    self.rows = rows
    self.columns = columns
    self.elements = elements
  }

  /// The entry at `(row, column)`.
  public subscript(row: Int, column: Int) -> Scalar {
    get {
      precondition(
        row >= 0 && row < rows && column >= 0 && column < columns,
        "index (\(row), \(column)) outside a \(rows)×\(columns) matrix")
      return elements[row * columns + column]
    }
    set {
      precondition(
        row >= 0 && row < rows && column >= 0 && column < columns,
        "index (\(row), \(column)) outside a \(rows)×\(columns) matrix")
      elements[row * columns + column] = newValue
    }
  }

  /// `rows * columns`.
  public var count: Int { rows * columns }

  /// The same matrix with every entry converted (rounded to nearest) to `T`.
  public func converted<T: BLASScalar>(to: T.Type) -> Matrix<T> {
    Matrix<T>(rows: rows, columns: columns, elements: elements.map { T($0) })
  }

  /// The transpose, `columns × rows`.
  public func transposed() -> Matrix {
    var result = Matrix(rows: columns, columns: rows)
    for r in 0..<rows {
      for c in 0..<columns { result.elements[c * rows + r] = elements[r * columns + c] }
    }
    return result
  }

  /// Sets every entry to zero, keeping the shape and the storage.
  public mutating func setZero() {
    elements.withUnsafeMutableBufferPointer { buffer in
      for index in buffer.indices { buffer[index] = 0 }
    }
  }
}

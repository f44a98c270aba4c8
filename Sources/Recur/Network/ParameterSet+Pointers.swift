import Tensors

extension ParameterSet {
  /// Calls `body` with a pointer to the elements of every value, in key order.
  func withUnsafeElementPointers<R>(_ body: ([UnsafePointer<Scalar>]) -> R) -> R {
    var pointers: [UnsafePointer<Scalar>] = []
    pointers.reserveCapacity(values.count)
    return Self.collectPointers(values[...], into: &pointers, body)
  }

  private static func collectPointers<R>(
    _ remaining: ArraySlice<Matrix<Scalar>>, into pointers: inout [UnsafePointer<Scalar>],
    _ body: ([UnsafePointer<Scalar>]) -> R
  ) -> R {
    guard let first = remaining.first else { return body(pointers) }
    return first.elements.withUnsafeBufferPointer { buffer in
      pointers.append(buffer.baseAddress!)
      return collectPointers(remaining.dropFirst(), into: &pointers, body)
    }
  }

  /// Calls `body` with a pointer to the elements of every value, in key order, to write through.
  /// The values are moved out while `body` runs (and back after), so each is reached through
  /// its own pointer without overlapping accesses to `values`.
  mutating func withUnsafeMutableElementPointers<R>(
    _ body: ([UnsafeMutablePointer<Scalar>]) -> R
  ) -> R {
    var matrices: [Matrix<Scalar>] = []
    swap(&matrices, &values)
    defer { swap(&matrices, &values) }
    return matrices.withUnsafeMutableBufferPointer { matrices in
      var pointers: [UnsafeMutablePointer<Scalar>] = []
      pointers.reserveCapacity(matrices.count)
      return Self.collectMutablePointers(matrices, from: 0, into: &pointers, body)
    }
  }

  private static func collectMutablePointers<R>(
    _ matrices: UnsafeMutableBufferPointer<Matrix<Scalar>>, from index: Int,
    into pointers: inout [UnsafeMutablePointer<Scalar>],
    _ body: ([UnsafeMutablePointer<Scalar>]) -> R
  ) -> R {
    guard index < matrices.count else { return body(pointers) }
    return matrices[index].elements.withUnsafeMutableBufferPointer { buffer in
      pointers.append(buffer.baseAddress!)
      return collectMutablePointers(matrices, from: index + 1, into: &pointers, body)
    }
  }
}

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
}

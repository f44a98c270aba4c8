import Recur
import Tensors
import Testing

/// Asserts that two sequences of numbers agree entry by entry within `tolerance` (absolute), and
/// have the same length.
public func expectClose<A: Collection, E: Collection>(
  _ actual: A, _ expected: E, tolerance: Double, _ comment: Comment? = nil,
  sourceLocation: SourceLocation = #_sourceLocation
) where A.Element: BinaryFloatingPoint, E.Element: BinaryFloatingPoint {
  #expect(actual.count == expected.count, comment, sourceLocation: sourceLocation)
  for (a, e) in zip(actual, expected) {
    #expect(
      abs(Double(a) - Double(e)) <= tolerance,
      Comment(rawValue: "\(a) ≠ \(e)" + (comment.map { ": \($0.rawValue)" } ?? "")),
      sourceLocation: sourceLocation)
  }
}

/// Asserts that two parameter sets have the same keys and agree entry by entry within
/// `tolerance`.
public func expectClose(
  _ actual: ParameterSet<Double>, _ expected: ParameterSet<Double>, tolerance: Double,
  _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation
) {
  #expect(actual.keys == expected.keys, comment, sourceLocation: sourceLocation)
  for (a, e) in zip(actual.values, expected.values) {
    expectClose(
      a.elements, e.elements, tolerance: tolerance, comment, sourceLocation: sourceLocation)
  }
}

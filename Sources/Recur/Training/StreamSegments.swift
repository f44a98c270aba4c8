/// A split as truncated BPTT reads it: its examples concatenated in order into one stream, the
/// stream cut into `streams` parallel streams of consecutive steps, and each of those into
/// segments of `steps` steps. Batch k holds segment k of every stream that still has steps, so a
/// stream's state can be carried from batch k into batch k + 1.
///
/// The first `count % streams` streams are one step longer than the others, so every step of the
/// split (and its target) is in exactly one segment; the streams still running in a batch are
/// always the first ones, so a carried state's first rows are theirs.
public struct StreamSegments: Sendable {
  /// The steps of each stream, non-increasing.
  public let streamLengths: [Int]
  /// The steps of a segment (the last of a stream may be shorter).
  public let segmentSteps: Int
  /// Where each stream starts in the concatenated split.
  private let starts: [Int]
  private let stream: SequenceExample

  /// Precondition: `examples` is non-empty, of one input kind, classification or regression
  /// alike; `streams` and `steps` are positive. Fewer steps than `streams` make one stream per
  /// step.
  public init(examples: [SequenceExample], streams: Int, steps: Int) {
    precondition(!examples.isEmpty && streams > 0 && steps > 0, "streams of nothing")
    stream = Self.concatenated(examples)
    let count = stream.length
    let parallel = min(streams, count)
    let (base, longer) = count.quotientAndRemainder(dividingBy: parallel)
    streamLengths = (0..<parallel).map { base + ($0 < longer ? 1 : 0) }
    var starts: [Int] = []
    var next = 0
    for length in streamLengths {
      starts.append(next)
      next += length
    }
    self.starts = starts
    segmentSteps = steps
  }

  /// The steps of the whole split.
  public var stepCount: Int { stream.length }

  /// Batches per pass: the longest stream's segments.
  public var segmentCount: Int { (streamLengths[0] + segmentSteps - 1) / segmentSteps }

  /// Segment `k` of each stream that reaches it, in stream order.
  public func segment(_ k: Int) -> [SequenceExample] {
    precondition(k >= 0 && k < segmentCount, "segment \(k) of \(segmentCount)")
    let first = k * segmentSteps
    return zip(starts, streamLengths).compactMap { start, length in
      guard first < length else { return nil }
      return slice(start + first..<(start + min(length, first + segmentSteps)))
    }
  }

  /// Steps `range` of the concatenated split.
  private func slice(_ range: Range<Int>) -> SequenceExample {
    var example = stream
    switch stream.inputs {
    case .sparse(let steps): example.inputs = .sparse(Array(steps[range]))
    case .dense(let values, let width):
      example.inputs = .dense(
        values: Array(values[(range.lowerBound * width)..<(range.upperBound * width)]),
        width: width)
    }
    example.targets = Array(stream.targets[range])
    if !stream.unknown.isEmpty { example.unknown = Array(stream.unknown[range]) }
    if !stream.values.isEmpty {
      let width = stream.values.count / stream.targets.count
      example.values = Array(
        stream.values[(range.lowerBound * width)..<(range.upperBound * width)])
    }
    return example
  }

  /// The examples one after the other as one example.
  private static func concatenated(_ examples: [SequenceExample]) -> SequenceExample {
    var sparse: [[Int32]] = []
    var dense: [Float] = []
    var targets: [Int32] = []
    var values: [Double] = []
    var unknown: [Bool] = []
    for example in examples {
      switch example.inputs {
      case .sparse(let steps): sparse += steps
      case .dense(let more, _): dense += more
      }
      targets += example.targets
      values += example.values
      unknown += example.unknown
    }
    var joined = examples[0]
    switch joined.inputs {
    case .sparse: joined.inputs = .sparse(sparse)
    case .dense(_, let width):
      precondition(dense.count == targets.count * width, "a split mixes dense and sparse examples")
      joined.inputs = .dense(values: dense, width: width)
    }
    precondition(joined.length == targets.count, "a split mixes dense and sparse examples")
    joined.targets = targets
    joined.values = values
    joined.unknown = unknown
    return joined
  }
}

import Foundation
import Recur
import Tensors
import Testing

/// A network started from a carried state: two segments with the state carried over give the
/// outputs of one long pass, bit for bit; BPTT on a segment with a carried-in state matches
/// finite differences with the state held fixed.
@Suite struct CarriedStateTests {
  static func network(
    _ cell: String, layers: Int, seed: UInt64 = 31
  ) -> RecurrentNetwork<Double> {
    let shape = Fixtures.shape(
      bidirectional: false, bias: true, task: .framewise, layers: layers)
    let c = Fixtures.cells[cell]!
    return RecurrentNetwork(
      shape: shape, cell: c, parameters: Fixtures.parameters(for: shape, seed: seed, cell: c))
  }

  /// Sparse one-hot streams of the given lengths, targets the next input.
  static func streams(_ lengths: [Int], seed: UInt64) -> [[Int32]] {
    var generator = SeededGenerator(seed: seed)
    return lengths.map { length in (0..<length).map { _ in Int32(generator.integer(below: 4)) } }
  }

  static func batch(_ streams: [[Int32]], _ range: Range<Int>) -> SequenceBatch<Double> {
    let examples = streams.compactMap { tokens -> SequenceExample? in
      let slice = tokens[min(range.lowerBound, tokens.count)..<min(range.upperBound, tokens.count)]
      guard !slice.isEmpty else { return nil }
      return SequenceExample(
        inputs: .sparse(slice.map { [$0] }), targets: slice.map { ($0 + 1) % 3 })
    }
    return SequenceBatch(examples: examples, task: .framewise, inputSize: 4)
  }

  static let cases = ["elman", "lstm", "lstm+peepholes", "gru"].flatMap { cell in
    [1, 2].map { (cell, $0) }
  }

  @Test(arguments: cases)
  func twoSegmentsWithCarryAreOneLongPass(cell: String, layers: Int) {
    let network = Self.network(cell, layers: layers)
    let streams = Self.streams([7, 7], seed: 3)
    let k = 3
    let whole = network.probabilities(for: Self.batch(streams, 0..<7))
    let wholeState = network.finalState(for: Self.batch(streams, 0..<7))!

    let first = Self.batch(streams, 0..<4)
    let head = network.probabilities(for: first)
    network.initialState = network.finalState(for: first)
    let second = Self.batch(streams, 4..<7)
    let tail = network.probabilities(for: second)
    let tailState = network.finalState(for: second)!
    // Rows t·B + b: the first 4 steps of both streams, then the last 3.
    #expect(head == Array(whole[..<(4 * 2 * k)]))
    #expect(tail == Array(whole[(4 * 2 * k)...]))
    #expect(tailState == wholeState)
    #expect(tailState.states.isEmpty == !network.cell.carriesState)

    // Without the carry the second segment starts from zero and differs.
    network.initialState = nil
    #expect(network.probabilities(for: second) != tail)
  }

  /// Streams of unequal lengths: in the last segment only the longer stream runs, on the first
  /// row of the carried state.
  @Test(arguments: ["lstm", "gru"])
  func theLastSegmentCarriesTheFirstRows(cell: String) {
    let network = Self.network(cell, layers: 2)
    let streams = Self.streams([6, 4], seed: 4)
    let k = 3
    let alone = network.probabilities(for: Self.batch([streams[0]], 0..<6))
    let first = Self.batch(streams, 0..<4)
    _ = network.probabilities(for: first)
    network.initialState = network.finalState(for: first)!.prefix(rows: 1)
    let last = network.probabilities(for: Self.batch(streams, 4..<6))
    #expect(last == Array(alone[(4 * k)...]))
    network.initialState = nil
  }

  /// Central differences with the carried state fixed, every entry of every key; the same
  /// tolerance and ε as `CellGradientTests`.
  @Test(arguments: cases)
  func bpttFromACarriedStateMatchesFiniteDifferences(cell: String, layers: Int) {
    let network = Self.network(cell, layers: layers, seed: 12)
    let streams = Self.streams([5, 5, 5], seed: 6)
    // A carried state that is not zero: the end of a first segment.
    let warmup = Self.batch(streams, 0..<2)
    _ = network.probabilities(for: warmup)
    let carried = network.finalState(for: warmup)!
    #expect(carried.outputs.allSatisfy { $0.contains { $0 != 0 } })
    network.initialState = carried
    let segment = Self.batch(streams, 2..<5)
    let results = GradientCheck.run(model: network, batch: segment, epsilon: 3e-5)
    #expect(results.map(\.key) == network.parameters.keys)
    for result in results {
      #expect(result.maxRelativeError < 1e-5, "\(result.key): \(result.maxRelativeError)")
    }
    // The carried state is part of the gradient: ∂W differs from a start at zero.
    var withState = network.parameters.zeros()
    _ = network.lossAndGradients(for: segment, into: &withState, dropout: nil)
    network.initialState = nil
    var fromZero = network.parameters.zeros()
    _ = network.lossAndGradients(for: segment, into: &fromZero, dropout: nil)
    let w = network.parameters.keys.firstIndex { $0.hasSuffix("forward.W") }!
    #expect(withState.values[w].elements != fromZero.values[w].elements)
  }
}

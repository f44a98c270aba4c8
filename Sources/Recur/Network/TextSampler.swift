import Foundation
import Tensors

/// Generates text from a trained language model one token at a time: the prime (or, without
/// one, a line end) is read in one pass from the zero state, then each drawn token is fed back
/// as a one-step batch that starts from the state the step before ended in.
public struct TextSampler {
  public let model: any SequenceModel<Float>
  public let corpus: TextCorpus

  /// Precondition: a classification model that carries state, over the corpus's vocabulary.
  public init(model: any SequenceModel<Float>, corpus: TextCorpus) {
    precondition(model.carriesState, "sampling carries the state from step to step")
    self.model = model
    self.corpus = corpus
  }

  /// `length` tokens drawn after `prime` from the model's distribution sharpened by
  /// `temperature` (`p^(1/T)` renormalised: below 1 more likely tokens, above 1 flatter),
  /// drawing from `generator`. The prime's tokens outside the vocabulary read as unknown.
  /// Precondition: a positive temperature.
  public func sample(
    length: Int, temperature: Double, prime: [Int32], generator: inout SeededGenerator
  ) -> [Int32] {
    precondition(temperature > 0, "a temperature must be positive")
    let start = prime.isEmpty ? [corpus.lineEnd] : prime
    model.initialState = nil
    defer { model.initialState = nil }
    var probabilities = step(start)
    var drawn: [Int32] = []
    for _ in 0..<length {
      let token = Self.draw(from: probabilities, temperature: temperature, &generator)
      drawn.append(token)
      probabilities = step([token])
    }
    return drawn
  }

  /// Runs `tokens` from the carried state, carries the state on and returns the distribution
  /// after the last of them.
  private func step(_ tokens: [Int32]) -> [Double] {
    let example = SequenceExample(
      inputs: .sparse(tokens.map { [$0] }),
      targets: [Int32](repeating: -1, count: tokens.count))
    let batch = SequenceBatch<Float>(
      examples: [example], task: .framewise, inputSize: corpus.info.inputSize)
    let all = model.probabilities(for: batch)
    model.initialState = model.finalState(for: batch)
    let k = corpus.info.outputSize
    return Array(all[((tokens.count - 1) * k)...])
  }

  /// A class drawn from `probabilities` raised to 1/temperature and renormalised.
  static func draw(
    from probabilities: [Double], temperature: Double, _ generator: inout SeededGenerator
  ) -> Int32 {
    let weights = probabilities.map { $0 > 0 ? exp(log($0) / temperature) : 0 }
    let total = weights.reduce(0, +)
    var remaining = generator.uniform() * total
    for (index, weight) in weights.enumerated() {
      remaining -= weight
      if remaining < 0 { return Int32(index) }
    }
    return Int32(weights.lastIndex { $0 > 0 } ?? 0)
  }
}

import Foundation

/// An interpolated Kneser–Ney trigram model over token indices with one absolute discount
/// D = 0.75 at every order (Chen and Goodman 1998, "interpolated Kneser–Ney"): the baseline a
/// language model's bits per token are held against.
///
/// With c the train trigram counts and N₁₊ the number of distinct types:
///
///     P₃(w | u v) = max(c(u v w) − D, 0) / c(u v ·) + D · N₁₊(u v ·) / c(u v ·) · P₂(w | v)
///     P₂(w | v)   = max(N₁₊(· v w) − D, 0) / N₁₊(· v ·) + D · N₁₊(v ·) / N₁₊(· v ·) · P₁(w)
///     P₁(w)       = max(N₁₊(· w) − D, 0) / N₁₊(· ·) + D · N₁₊(w) / N₁₊(· ·) · 1 / V
///
/// where the lower orders count continuations (N₁₊(· v w): distinct u before v w; N₁₊(· w):
/// distinct v before w; N₁₊(v ·) and N₁₊(w): distinct types with a non-zero count), and a
/// context never seen falls through to the order below. Every token of the vocabulary (size V)
/// gets a positive probability, and each order's distribution sums to 1.
public struct NGramModel: Sendable {
  /// The discount.
  public static let discount = 0.75
  public let vocabularySize: Int
  private var trigrams: [Int: Int] = [:]
  /// Per context u v: c(u v ·) and N₁₊(u v ·).
  private var trigramContexts: [Int: (count: Int, types: Int)] = [:]
  /// N₁₊(· v w) per v w.
  private var bigramContinuations: [Int: Int] = [:]
  /// Per v: N₁₊(· v ·) and N₁₊(v ·).
  private var bigramContexts: [Int: (count: Int, types: Int)] = [:]
  /// N₁₊(· w) per w.
  private var unigramContinuations: [Int]
  /// N₁₊(· ·), the bigram types.
  private var bigramTypes = 0
  /// N₁₊(w) over w: tokens that end some bigram type.
  private var unigramTypes = 0

  /// Counts the trigrams of `tokens`, indices below `vocabularySize`. Only order 3 is offered.
  public init(tokens: [Int32], vocabularySize: Int, order: Int) {
    precondition(order == 3, "only trigram models")
    precondition(vocabularySize > 0, "an empty vocabulary")
    self.vocabularySize = vocabularySize
    unigramContinuations = [Int](repeating: 0, count: vocabularySize)
    guard tokens.count >= 3 else { return }
    for i in 2..<tokens.count {
      let (u, v, w) = (Int(tokens[i - 2]), Int(tokens[i - 1]), Int(tokens[i]))
      let context = u * vocabularySize + v
      let key = context * vocabularySize + w
      let seen = trigrams[key, default: 0]
      trigrams[key] = seen + 1
      trigramContexts[context, default: (0, 0)].count += 1
      guard seen == 0 else { continue }
      trigramContexts[context]!.types += 1
      let bigram = v * vocabularySize + w
      let continuations = bigramContinuations[bigram, default: 0]
      bigramContinuations[bigram] = continuations + 1
      bigramContexts[v, default: (0, 0)].count += 1
      guard continuations == 0 else { continue }
      bigramContexts[v]!.types += 1
      if unigramContinuations[w] == 0 { unigramTypes += 1 }
      unigramContinuations[w] += 1
      bigramTypes += 1
    }
  }

  /// P₃(w | u v).
  public func probability(of w: Int32, after u: Int32, _ v: Int32) -> Double {
    let context = Int(u) * vocabularySize + Int(v)
    let lower = probability(of: w, after: v)
    guard let (count, types) = trigramContexts[context] else { return lower }
    let c = Double(trigrams[context * vocabularySize + Int(w), default: 0])
    return (max(c - Self.discount, 0) + Self.discount * Double(types) * lower) / Double(count)
  }

  /// P₂(w | v).
  public func probability(of w: Int32, after v: Int32) -> Double {
    let lower = probability(of: w)
    guard let (count, types) = bigramContexts[Int(v)] else { return lower }
    let c = Double(bigramContinuations[Int(v) * vocabularySize + Int(w), default: 0])
    return (max(c - Self.discount, 0) + Self.discount * Double(types) * lower) / Double(count)
  }

  /// P₁(w); uniform when train had no trigram.
  public func probability(of w: Int32) -> Double {
    let uniform = 1 / Double(vocabularySize)
    guard bigramTypes > 0 else { return uniform }
    let c = Double(unigramContinuations[Int(w)])
    return (max(c - Self.discount, 0) + Self.discount * Double(unigramTypes) * uniform)
      / Double(bigramTypes)
  }

  /// Mean −log₂ P of every token of `stream` after its first, each given the (up to) two before
  /// it: the targets a language model scores on the same stream.
  public func bitsPerToken(_ stream: [Int32]) -> Double {
    precondition(stream.count >= 2, "no token to predict")
    var total = 0.0
    for i in 1..<stream.count {
      let p =
        i >= 2
        ? probability(of: stream[i], after: stream[i - 2], stream[i - 1])
        : probability(of: stream[i], after: stream[i - 1])
      total -= log2(p)
    }
    return total / Double(stream.count - 1)
  }
}

import Foundation

/// The cross-entropy of a split's scored tokens in bits (`perplexity: false`, bits per token:
/// bits per character for a character model) or as perplexity, `2^bits` (`perplexity: true`):
/// `Σ −ln p(target) / (n ln 2)` and `exp(Σ −ln p(target) / n)` over the n scored tokens.
/// Classification only.
public struct CrossEntropyMetric: Metric {
  public let perplexity: Bool
  public var name: String { perplexity ? "perplexity" : "bits_per_token" }
  public let goal = MetricGoal.min
  public var isProportion: Bool { false }
  private var nats = 0.0
  private var counted = 0

  public init(perplexity: Bool) {
    self.perplexity = perplexity
  }

  public mutating func add(_ evaluation: BatchEvaluation, targets: BatchTargets) {
    guard !targets.task.isRegression else { return }
    nats += evaluation.loss.total
    counted += evaluation.loss.scored
  }

  public var value: Double? {
    guard counted > 0 else { return nil }
    let mean = nats / Double(counted)
    return perplexity ? exp(mean) : mean / log(2)
  }
}

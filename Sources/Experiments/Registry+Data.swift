import Recur

extension Registry {
  /// The datasets and metrics of real sequence data: corpora, classic benchmarks, and the
  /// metrics of tagging, sequence classification and regression.
  static func registerDataAndMetrics(in registry: inout Registry) {
    registry.metrics.register(
      Component(
        name: "sequence_accuracy",
        summary: "share of sequences with every scored position right (classification)",
        make: { SequenceAccuracy() }))
    registry.metrics.register(
      Component(
        name: "known_word_accuracy",
        summary: "token accuracy on words in the train vocabulary (tagging corpora)",
        make: { WordAccuracy(known: true) }))
    registry.metrics.register(
      Component(
        name: "unknown_word_accuracy",
        summary: "token accuracy on words outside the train vocabulary (tagging corpora)",
        make: { WordAccuracy(known: false) }))
    registry.metrics.register(
      Component(
        name: "mse", summary: "mean squared error per scored value (regression)",
        make: { RegressionError(absolute: false) }))
    registry.metrics.register(
      Component(
        name: "mae", summary: "mean absolute error per scored value (regression)",
        make: { RegressionError(absolute: true) }))
  }
}

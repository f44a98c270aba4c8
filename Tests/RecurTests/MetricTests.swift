import Recur
import Testing

@Suite struct MetricTests {
  @Test func accuracyCountsOnlyScoredPositions() {
    var accuracy = Accuracy()
    #expect(accuracy.value == nil)
    // targets: 2 0 -1 | 1 1 -1  → scored 4; predictions right at positions 0, 3 and 4 → 3/4
    let evaluation = BatchEvaluation(
      loss: BatchLoss(total: 1, scored: 4), predictions: [2, 1, -1, 1, 1, -1])
    accuracy.add(evaluation, targets: [2, 0, -1, 1, 1, -1])
    #expect(accuracy.value == 0.75)
    accuracy.add(
      BatchEvaluation(loss: BatchLoss(total: 1, scored: 2), predictions: [0, 0]),
      targets: [1, 0])
    #expect(accuracy.value == 4.0 / 6.0)
  }
}

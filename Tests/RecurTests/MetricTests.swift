import Recur
import Testing

@Suite struct MetricTests {
  static func framewise(_ classes: [Int32], lengths: [Int], unknown: [Bool] = []) -> BatchTargets {
    BatchTargets(classes: classes, unknown: unknown, lengths: lengths, task: .framewise)
  }

  static func evaluation(_ predictions: [Int32], outputs: [Double] = []) -> BatchEvaluation {
    BatchEvaluation(
      loss: BatchLoss(total: 1, scored: 1), predictions: predictions, outputs: outputs)
  }

  @Test func accuracyCountsOnlyScoredPositions() {
    var accuracy = Accuracy()
    #expect(accuracy.value == nil)
    // Two sequences of 3 steps, time-major rows t·2 + b:
    // targets: 2 0 -1 | 1 1 -1  → scored 4; predictions right at rows 0, 3 and 4 → 3/4
    accuracy.add(
      Self.evaluation([2, 1, -1, 1, 1, -1]),
      targets: Self.framewise([2, 0, -1, 1, 1, -1], lengths: [3, 3]))
    #expect(accuracy.value == 0.75)
    accuracy.add(Self.evaluation([0, 0]), targets: Self.framewise([1, 0], lengths: [1, 1]))
    #expect(accuracy.value == 4.0 / 6.0)
  }

  /// Rows t·B + b with B = 2, lengths [3, 2]:
  ///
  ///     row:        0  1  2  3  4  5
  ///     (t, b):   0,0 0,1 1,0 1,1 2,0 2,1
  ///     target:     1  2  0 -1  3 -1     (row 3 unscored, row 5 padding)
  ///     predicted:  1  2  0  0  1 -1
  ///     unknown:    F  T  T  F  T  F
  ///
  /// Sequence 0 = rows 0, 2, 4: row 4 wrong → not all right. Sequence 1 = rows 1, 3: row 1
  /// right, row 3 unscored → all right. Sequence accuracy 1/2. Known words scored: row 0 (right)
  /// → 1/1. Unknown words scored: rows 1 (right), 2 (right), 4 (wrong) → 2/3.
  @Test func sequenceAndWordAccuracies() {
    let targets = Self.framewise(
      [1, 2, 0, -1, 3, -1], lengths: [3, 2], unknown: [false, true, true, false, true, false])
    let evaluation = Self.evaluation([1, 2, 0, 0, 1, -1])
    var sequence = SequenceAccuracy()
    var known = WordAccuracy(known: true)
    var unknown = WordAccuracy(known: false)
    sequence.add(evaluation, targets: targets)
    known.add(evaluation, targets: targets)
    unknown.add(evaluation, targets: targets)
    #expect(sequence.value == 0.5)
    #expect(known.value == 1.0)
    #expect(unknown.value == 2.0 / 3.0)
    #expect(known.name == "known_word_accuracy" && unknown.name == "unknown_word_accuracy")

    // Without unknown-word marks the word accuracies have nothing to measure.
    var unmarked = WordAccuracy(known: true)
    unmarked.add(evaluation, targets: Self.framewise(targets.classes, lengths: [3, 2]))
    #expect(unmarked.value == nil)
  }

  /// Sequence classification: one row per sequence, sequence accuracy equals accuracy (2/3).
  @Test func sequenceAccuracyOnSequenceTasks() {
    let targets = BatchTargets(classes: [0, 1, 1], lengths: [4, 2, 7], task: .sequence)
    var sequence = SequenceAccuracy()
    sequence.add(Self.evaluation([0, 0, 1]), targets: targets)
    #expect(sequence.value == 2.0 / 3.0)
  }

  /// K = 2 outputs, rows 0 and 2 scored, row 1 unscored (its outputs are ignored):
  /// differences y − z: row 0: (1.5 − 1, −1 − 0) = (0.5, −1); row 2: (2 − 4, 0.25 − 0) = (−2, 0.25)
  /// MSE = (0.25 + 1 + 4 + 0.0625) / 4 = 5.3125 / 4 = 1.328125
  /// MAE = (0.5 + 1 + 2 + 0.25) / 4 = 3.75 / 4 = 0.9375
  @Test func regressionErrors() {
    let targets = BatchTargets(
      classes: [0, -1, 0], values: [1, 0, 9, 9, 4, 0], lengths: [2, 1, 1],
      task: .sequenceRegression)
    let evaluation = Self.evaluation([0, -1, 0], outputs: [1.5, -1, 100, 100, 2, 0.25])
    var mse = RegressionError(absolute: false)
    var mae = RegressionError(absolute: true)
    var accuracy = Accuracy()
    mse.add(evaluation, targets: targets)
    mae.add(evaluation, targets: targets)
    accuracy.add(evaluation, targets: targets)
    #expect(mse.value == 1.328125)
    #expect(mae.value == 0.9375)
    #expect(accuracy.value == nil)
    #expect(mse.goal == .min && !mse.isProportion)
  }

  /// Gold (rows) against predicted (columns), classes A B C, ten tokens:
  ///
  ///               A  B  C      support
  ///     gold A    3  1  0      4
  ///     gold B    0  2  2      4
  ///     gold C    1  0  1      2
  ///     predicted 4  3  3
  ///
  /// A: P = 3/4, R = 3/4, F1 = 0.75. B: P = 2/3, R = 2/4, F1 = 2·(2/3)(1/2)/(2/3 + 1/2) = 4/7.
  /// C: P = 1/3, R = 1/2, F1 = 2·(1/3)(1/2)/(1/3 + 1/2) = 2/5. Macro-F1 = (3/4 + 4/7 + 2/5)/3.
  @Test func confusionMatrixByHand() {
    let gold: [Int32] = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, -1]
    let predicted: [Int32] = [0, 0, 0, 1, 1, 1, 2, 2, 0, 2, -1]
    var matrix = ConfusionMatrix(classes: 3)
    matrix.add(
      Self.evaluation(predicted),
      targets: BatchTargets(classes: gold, lengths: Array(repeating: 1, count: 11), task: .sequence)
    )
    #expect(matrix.counts == [[3, 1, 0], [0, 2, 2], [1, 0, 1]])
    #expect(matrix.precision(0) == 0.75 && matrix.recall(0) == 0.75)
    #expect(abs(matrix.f1(1) - 4.0 / 7.0) < 1e-15)
    #expect(abs(matrix.f1(2) - 0.4) < 1e-15)
    #expect(abs(matrix.macroF1! - (0.75 + 4.0 / 7.0 + 0.4) / 3) < 1e-15)
    #expect(
      matrix.csv(labels: ["A", "B,x", "C"])
        == "gold\\predicted,A,\"B,x\",C\nA,3,1,0\n\"B,x\",0,2,2\nC,1,0,1\n")

    // A class that never occurs nor is predicted is left out of the macro average.
    var sparse = ConfusionMatrix(classes: 3)
    sparse.add(
      Self.evaluation([0, 1]),
      targets: BatchTargets(classes: [0, 0], lengths: [1, 1], task: .sequence))
    // A: P = 1, R = 1/2, F1 = 2/3; B: P = 0, R = 0 (no support), F1 = 0; C absent → (2/3 + 0)/2.
    #expect(sparse.presentClasses == [0, 1])
    #expect(abs(sparse.macroF1! - 1.0 / 3.0) < 1e-15)
  }
}

import Recur
import TestSupport
import Testing

@Suite struct ScheduleTests {
  /// The rates of epochs 1…`epochs` from base 1.
  static func rates(_ schedule: some Schedule, epochs: Int) -> [Double] {
    var schedule = schedule
    return (1...epochs).map { schedule.learningRate(epoch: $0, base: 1) }
  }

  @Test func constantStepAndExponential() {
    #expect(Self.rates(ConstantSchedule(), epochs: 3) == [1, 1, 1])
    expectClose(
      Self.rates(StepSchedule(stepSize: 2, gamma: 0.1), epochs: 5), [1, 1, 0.1, 0.1, 0.01],
      tolerance: 1e-12)
    expectClose(
      Self.rates(ExponentialSchedule(gamma: 0.5), epochs: 4), [1, 0.5, 0.25, 0.125],
      tolerance: 1e-12)
  }

  /// 2 warm-up epochs of 6: 1/3, 2/3; then p = 0, 1/4, 2/4, 3/4 over the 4 others:
  /// ½(1 + cos πp) with floor 0 → 1, (1 + √½)/2, ½, (1 − √½)/2.
  @Test func cosineWarmsUpThenAnneals() {
    let half = 0.5.squareRoot()
    expectClose(
      Self.rates(CosineSchedule(epochs: 6, warmupEpochs: 2, floor: 0), epochs: 6),
      [1.0 / 3, 2.0 / 3, 1, (1 + half) / 2, 0.5, (1 - half) / 2], tolerance: 1e-12)
    // With a floor of 0.2 the annealed part is 0.2 + 0.8·½(1 + cos πp).
    expectClose(
      Self.rates(CosineSchedule(epochs: 2, warmupEpochs: 0, floor: 0.2), epochs: 2), [1, 0.6],
      tolerance: 1e-12)
  }

  static func devLoss(_ epoch: Int, _ loss: Double) -> [EpochRecord] {
    [
      EpochRecord(
        epoch: epoch, split: .dev, loss: loss, metrics: [], learningRate: 0, seconds: 0,
        tokensPerSecond: 0)
    ]
  }

  /// Patience 1, factor 0.5: losses 1.0, 0.9 (better), 0.9 (1st miss), 0.95 (2nd miss → ×0.5),
  /// 0.5 (better), 0.6 (1st miss), 0.6 (2nd miss → ×0.5 again). The rate is read before each
  /// epoch, so the reductions show from the epoch after the one that triggered them.
  @Test func plateauReducesAfterPatienceRunsOut() {
    var schedule = PlateauSchedule(
      split: .dev, metric: "loss", goal: .min, factor: 0.5, patience: 1, threshold: 0, floor: 0)
    var rates: [Double] = []
    for (epoch, loss) in zip(1..., [1.0, 0.9, 0.9, 0.95, 0.5, 0.6, 0.6, 0.7]) {
      rates.append(schedule.learningRate(epoch: epoch, base: 1))
      schedule.epochEnded(Self.devLoss(epoch, loss))
    }
    #expect(rates == [1, 1, 1, 1, 0.5, 0.5, 0.5, 0.25])
  }

  /// A relative threshold of 10%: 0.95 after 1.0 is not an improvement, 0.85 is.
  @Test func plateauThresholdIsRelative() {
    var schedule = PlateauSchedule(
      split: .dev, metric: "loss", goal: .min, factor: 0.5, patience: 0, threshold: 0.1,
      floor: 0.3)
    var rates: [Double] = []
    for (epoch, loss) in zip(1..., [1.0, 0.95, 0.85, 0.84, 0.83]) {
      rates.append(schedule.learningRate(epoch: epoch, base: 1))
      schedule.epochEnded(Self.devLoss(epoch, loss))
    }
    // Misses at epochs 2, 4 and 5 halve the rate, but never below the floor of 0.3.
    #expect(rates == [1, 1, 0.5, 0.5, 0.3])
  }
}

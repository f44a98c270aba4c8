import Experiments
import Testing

@Suite struct SweepResultsTests {
  static let accuracy = SweepSpec.Objective(split: .dev, metric: "accuracy", goal: .max)

  static func row(
    _ trial: Int, _ configuration: Int, best: Double, status: TrialStatus = .completed
  )
    -> SweepRow
  {
    SweepRow(
      trial: trial, configuration: configuration, parameters: ["c\(configuration)"], seed: 1,
      status: status, best: best, final: best - 0.1)
  }

  @Test func configurationsAreAggregatedOverSeedsAndRanked() throws {
    let rows = [
      Self.row(1, 0, best: 0.5), Self.row(2, 0, best: 0.7), Self.row(3, 0, best: 0.9),
      Self.row(4, 1, best: 0.8), Self.row(5, 1, best: 0.9),
      Self.row(6, 1, best: 0.99, status: .failed),
      Self.row(7, 2, best: 0.1, status: .diverged),
    ]
    let summary = SweepResults.summarize(rows, objective: Self.accuracy)
    #expect(summary.map(\.configuration) == [1, 0, 2])
    // Configuration 1: the failed seed is left out; mean (0.8 + 0.9)/2 = 0.85, sample standard
    // deviation √(((−0.05)² + 0.05²)/(2 − 1)) = √0.005 ≈ 0.0707107.
    #expect(summary[0].n == 2)
    #expect(abs(summary[0].best!.mean - 0.85) < 1e-12)
    #expect(abs(summary[0].best!.standardDeviation! - 0.005.squareRoot()) < 1e-12)
    #expect(summary[0].trials == [4, 5, 6])
    // Configuration 0: mean (0.5 + 0.7 + 0.9)/3 = 0.7; √((0.04 + 0 + 0.04)/2) = 0.2.
    #expect(abs(summary[1].best!.mean - 0.7) < 1e-12)
    #expect(abs(summary[1].best!.standardDeviation! - 0.2) < 1e-12)
    #expect(abs(summary[1].final!.mean - 0.6) < 1e-12)
    #expect(summary[2].n == 0)
    #expect(summary[2].best == nil)

    let byLoss = SweepResults.summarize(
      rows, objective: .init(split: .dev, metric: "loss", goal: .min))
    #expect(byLoss.map(\.configuration) == [0, 1, 2])
  }

  @Test func oneSeedHasNoDeviation() {
    let single = MeanAndDeviation([0.25])
    #expect(single.mean == 0.25)
    #expect(single.standardDeviation == nil)
  }
}

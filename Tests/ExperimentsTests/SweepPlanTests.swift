import Experiments
import Foundation
import Testing
import YAMLSpec

@Suite struct SweepPlanTests {
  static let base = """
    name: sweep-unit
    seed: 3
    dataset:
      type: synthetic-tagging
      train_sequences: 20
      dev_sequences: 5
      test_sequences: 5
    model:
      type: rnn
      hidden: 4
    optimizer:
      type: sgd
    training:
      epochs: 1

    """

  static func plan(_ sweep: String, overrides: [String] = []) throws(SpecError) -> SweepPlan {
    let document = try SpecNode.parse(base + sweep, sourceName: "sweep.yaml")
      .applying(overrides: overrides)
    return try SweepPlan(SweepSpec(document: document))
  }

  /// The error a sweep raises; fails the test when it expands.
  static func error(_ sweep: String) -> SpecError? {
    do {
      _ = try plan(sweep)
      Issue.record("the sweep was accepted")
      return nil
    } catch {
      return error
    }
  }

  static let grid = """
    sweep:
      seeds: [1, 2]
      metric: {name: dev.accuracy}
      parameters:
        model.type: [rnn, brnn]
        model.hidden: [2, 3, 5]

    """

  @Test func gridIsTheProductInNestedLoopOrderTimesTheSeeds() throws {
    let plan = try Self.plan(Self.grid)
    #expect(plan.trials.count == 2 * 3 * 2)
    #expect(plan.configurationCount == 6)
    #expect(plan.trials.map(\.number) == Array(1...12))
    #expect(
      plan.trials.map { $0.values.map(\.flowText) }.map { $0.joined(separator: " ") } == [
        "rnn 2", "rnn 2", "rnn 3", "rnn 3", "rnn 5", "rnn 5",
        "brnn 2", "brnn 2", "brnn 3", "brnn 3", "brnn 5", "brnn 5",
      ])
    #expect(plan.trials.map(\.seed) == Array(repeating: [1, 2], count: 6).flatMap { $0 })
    #expect(plan.trials.map(\.configuration) == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5])
    let trial = plan.trials[9]
    #expect(trial.spec["model"]?["type"]?.scalar == "brnn")
    #expect(trial.spec["model"]?["hidden"]?.scalar == "3")
    #expect(trial.spec["seed"]?.scalar == "2")
    #expect(trial.folderName == "trial-010")
    #expect(Set(plan.trials.map(\.sha256)).count == 12)
    #expect(plan.spec.objective == .init(split: .dev, metric: "accuracy", goal: .max))
  }

  @Test func theSameSweepHasTheSameIdentityAndAnotherDoesNot() throws {
    let first = try Self.plan(Self.grid)
    let again = try Self.plan(Self.grid)
    #expect(first.sha256 == again.sha256)
    #expect(first.trials.map(\.sha256) == again.trials.map(\.sha256))
    let other = try Self.plan(Self.grid, overrides: ["training.epochs=2"])
    #expect(other.sha256 != first.sha256)
  }

  static let random = """
    sweep:
      method: random
      trials: 40
      sampler_seed: 9
      metric: {name: dev.loss}
      parameters:
        optimizer.learning_rate: {distribution: log_uniform, min: 0.001, max: 0.3}
        optimizer.momentum: {distribution: uniform, min: 0.2, max: 0.8}
        model.hidden: {distribution: int_uniform, min: 2, max: 4}

    """

  @Test func randomDrawsAreSeededAndInRange() throws {
    let plan = try Self.plan(Self.random)
    #expect(plan.trials.count == 40)
    #expect(plan.spec.objective.goal == .min)
    let again = try Self.plan(Self.random)
    #expect(plan.trials.map(\.sha256) == again.trials.map(\.sha256))
    let reseeded = try Self.plan(Self.random, overrides: ["sweep.sampler_seed=10"])
    #expect(reseeded.trials.map(\.sha256) != plan.trials.map(\.sha256))

    var hidden = Set<Int>()
    var rates: [Double] = []
    for trial in plan.trials {
      let rate = try #require(
        Double(trial.spec["optimizer"]?["learning_rate"]?.scalar ?? ""))
      rates.append(rate)
      #expect((0.001...0.3).contains(rate))
      let momentum = try #require(Double(trial.values[1].scalar ?? ""))
      #expect((0.2...0.8).contains(momentum))
      let size = try #require(Int(trial.spec["model"]?["hidden"]?.scalar ?? ""))
      #expect((2...4).contains(size))
      hidden.insert(size)
    }
    #expect(hidden == [2, 3, 4])
    // Log-uniform on [0.001, 0.3]: P(rate < 0.01) = ln(10)/ln(300) ≈ 0.40, while a uniform draw
    // would fall there with probability 0.03; with 40 draws, fewer than 6 such would be a
    // probability well under 1e-4 under the log-uniform law.
    #expect(rates.filter { $0 < 0.01 }.count >= 6)
  }

  @Test func aConfigurationDrawnTwiceRunsOnce() throws {
    let plan = try Self.plan(
      """
      sweep:
        method: random
        trials: 30
        metric: {name: dev.accuracy}
        parameters:
          model.type: [rnn, brnn]

      """)
    #expect(plan.trials.count == 2)
    #expect(Set(plan.trials.map { $0.values[0].flowText }) == ["rnn", "brnn"])
  }

  @Test func aBadValueInALaterTrialIsReportedAtItsNode() throws {
    let error = try #require(
      Self.error(
        """
        sweep:
          seeds: [1, 2]
          metric: {name: dev.accuracy}
          parameters:
            model.type: [rnn, brnn]
            model.hidden: [3, 0]

        """))
    // Trials: rnn 3 (seeds 1, 2), then rnn 0: trial 3 is the first that fails.
    #expect(error.message.hasPrefix("trial 3 (model.type=rnn, model.hidden=0, seed=1): "))
    #expect(error.keyPath == "model.hidden")
    #expect(error.location?.line == 20)
    #expect(error.location?.column == 23)
  }

  @Test func sweepSectionErrorsAreLocated() throws {
    let unknownPath = try #require(
      Self.error(
        """
        sweep:
          metric: {name: dev.accuracy}
          parameters:
            model.hiden: [3, 4]

        """))
    #expect(unknownPath.message == "'model.hiden' is not a key of the spec")
    #expect(unknownPath.suggestion == "model.hidden")
    #expect(unknownPath.location?.line == 18)
    #expect(unknownPath.location?.column == 5)

    let distribution = try #require(
      Self.error(
        """
        sweep:
          method: random
          trials: 2
          metric: {name: dev.accuracy}
          parameters:
            optimizer.learning_rate: {distribution: loguniform, min: 0.1, max: 1}

        """))
    #expect(distribution.message == "unknown distribution 'loguniform'")
    #expect(distribution.suggestion == "log_uniform")
    #expect(distribution.location?.line == 20)
    #expect(distribution.location?.column == 45)

    let bounds = try #require(
      Self.error(
        """
        sweep:
          method: random
          trials: 2
          metric: {name: dev.accuracy}
          parameters:
            model.hidden: {distribution: int_uniform, min: 8, max: 2}

        """))
    #expect(bounds.message == "min 8 is greater than max 2")
    #expect(bounds.keyPath == "sweep.parameters.model.hidden.min")
    #expect(bounds.location?.column == 52)

    let metric = try #require(
      Self.error(
        """
        sweep:
          metric: {name: dev.acuracy}
          parameters:
            model.hidden: [3]

        """))
    #expect(metric.message == "unknown metric 'dev.acuracy'")
    #expect(metric.suggestion == "dev.accuracy")

    let grid = try #require(
      Self.error(
        """
        sweep:
          metric: {name: dev.accuracy}
          parameters:
            model.hidden: {distribution: int_uniform, min: 2, max: 8}

        """))
    #expect(grid.message == "a grid sweep takes lists of values")
    #expect(grid.location?.column == 34)

    let trials = try #require(
      Self.error(
        """
        sweep:
          method: random
          metric: {name: dev.accuracy}
          parameters:
            model.hidden: [3]

        """))
    #expect(trials.message == "a random sweep needs 'trials'")
  }

  @Test func aSingleRunIgnoresTheSweepSection() throws {
    let experiment = try Experiment(
      spec: SpecNode.parse(Self.base + Self.grid, sourceName: "sweep.yaml"))
    #expect(experiment.spec["sweep"] == nil)
    #expect(experiment.model.shape.hiddenSize == 4)
  }
}

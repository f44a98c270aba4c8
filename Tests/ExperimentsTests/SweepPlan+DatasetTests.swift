import Foundation
import Recur
import Tensors
import Testing
import YAMLSpec

@testable import Experiments

/// How a sweep's plan builds datasets: once per distinct section for data read from files,
/// never for generated data.
@Suite struct SweepPlanDatasetTests {
  /// Counts the calls of a factory, from any thread.
  final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func increment() { lock.withLock { value += 1 } }
    var count: Int { lock.withLock { value } }
  }

  /// A registry with `read-once`, a dataset that stands for one read from files (it ignores
  /// the seed; `size` 3 is a bad file), and `drawn`, a generated one; both count their builds.
  static func registry(reads: Counter, draws: Counter) throws -> Registry {
    var registry = Registry.standard
    let configuration = SyntheticTagging.Configuration(
      trainSequences: 12, devSequences: 4, testSequences: 0, minLength: 2, maxLength: 5,
      vocabulary: 20, tags: 3, rightContextWords: 2, rightContextShare: 0.2)
    try registry.datasets.register(
      Component(
        name: "read-once", summary: "counts its reads",
        options: ReadOnceOptions(),
        make: { options, _ in
          reads.increment()
          guard options.size != 3 else { throw options.$size.error("a bad file") }
          return try SyntheticTagging(configuration, generator: SeededGenerator(seed: 9))
        }))
    try registry.datasets.register(
      Component(
        name: "drawn", summary: "counts its draws",
        make: { _, generator in
          GeneratedDataset(shape: SyntheticTagging.shape(configuration)) {
            draws.increment()
            return SyntheticTagging(checked: configuration, generator: generator)
          }
        }))
    return registry
  }

  struct ReadOnceOptions: SpecOptions {
    @SpecOption(default: 1, range: 1..., help: "stands for a file option") var size: Int
  }

  static func base(dataset: String) -> String {
    """
    name: shared
    seed: 1
    dataset:
      type: \(dataset)
    model:
      type: rnn
      hidden: 2
    optimizer:
      type: sgd
    training:
      epochs: 1

    """
  }

  static func plan(
    _ dataset: String, _ parameters: String, seeds: String = "[1, 2, 3, 4]",
    reads: Counter = Counter(), draws: Counter = Counter()
  ) throws(SpecError) -> SweepPlan {
    let text =
      base(dataset: dataset) + "sweep:\n  seeds: \(seeds)\n  metric: {name: dev.accuracy}\n"
      + "  parameters:\n" + parameters
    let registry: Registry
    do {
      registry = try Self.registry(reads: reads, draws: draws)
    } catch {
      preconditionFailure("the test registry clashes with the standard one: \(error)")
    }
    let document = try SpecNode.parse(text, sourceName: "sweep.yaml")
    return try SweepPlan(SweepSpec(document: document, registry: registry), registry: registry)
  }

  @Test func trialsThatDifferInModelOptimizerOrSeedReadTheDataOnce() throws {
    let reads = Counter()
    let plan = try Self.plan(
      "read-once",
      "    model.hidden: [2, 3]\n    optimizer.learning_rate: [0.1, 0.2]\n", reads: reads)
    #expect(plan.trials.count == 16)
    // The base spec's dataset and every trial's are the same section: one read in all.
    #expect(reads.count == 1)
  }

  @Test func eachDistinctDatasetSectionIsReadOnceAndTrialsKeepTheirOrder() throws {
    let reads = Counter()
    let plan = try Self.plan(
      "read-once", "    model.hidden: [2, 3]\n    dataset.size: [1, 2]\n", seeds: "[1, 2]",
      reads: reads)
    // size 1 is the base's (shared with its group), size 2 one more read.
    #expect(reads.count == 2)
    #expect(
      plan.trials.map { $0.values.map(\.flowText).joined(separator: " ") + " \($0.seed)" } == [
        "2 1 1", "2 1 2", "2 2 1", "2 2 2", "3 1 1", "3 1 2", "3 2 1", "3 2 2",
      ])
    #expect(plan.trials.map(\.number) == Array(1...8))
    #expect(plan.trials.map(\.configuration) == [0, 0, 1, 1, 2, 2, 3, 3])
  }

  @Test func generatedDataIsNotDrawnToPlanAndDependsOnTheSeed() throws {
    let draws = Counter()
    let plan = try Self.plan(
      "drawn", "    model.hidden: [2, 3]\n    optimizer.learning_rate: [0.1, 0.2]\n", draws: draws)
    #expect(plan.trials.count == 16)
    #expect(draws.count == 0)
    // Assembled for a run, each seed draws its own data.
    let registry = try Self.registry(reads: Counter(), draws: draws)
    let first = try Experiment(spec: plan.trials[0].spec, registry: registry)
    let second = try Experiment(spec: plan.trials[1].spec, registry: registry)
    #expect(first.seed != second.seed)
    #expect(first.dataset.examples(.train) != second.dataset.examples(.train))
    #expect(draws.count == 2)
  }

  @Test func theFirstTrialThatFailsIsNamedWhicheverGroupItIsIn() throws {
    // Candidates in order: (2, 1), (2, 3), (0, 1), (0, 3). The group of size 1 is assembled
    // first and fails at the third (hidden 0); the group of size 3 then fails at the second,
    // which is the error.
    do {
      _ = try Self.plan(
        "read-once", "    model.hidden: [2, 0]\n    dataset.size: [1, 3]\n", seeds: "[1]")
      Issue.record("the sweep was accepted")
    } catch {
      #expect(error.message == "trial 2 (model.hidden=2, dataset.size=3, seed=1): a bad file")
      #expect(error.keyPath == "dataset.size")
      // At the value 3 in the sweep file, line 17.
      #expect(error.location?.line == 17)
    }
  }
}

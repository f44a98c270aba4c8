import Experiments
import Foundation
import Testing
import YAMLSpec

/// `runner sweep SPEC key=a,b seed=1,2`: comma lists on the command line as grid parameters.
@Suite struct SweepSpecCommandLineTests {
  static let base = """
    name: sweep-cli
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

  static func load(_ text: String, _ overrides: [String]) throws(SpecError) -> SweepSpec {
    let folder = FileManager.default.temporaryDirectory
      .appendingPathComponent("recur-sweep-cli-\(UUID().uuidString)", isDirectory: true)
    let file = folder.appendingPathComponent("spec.yaml")
    do {
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
      try text.write(to: file, atomically: true, encoding: .utf8)
    } catch {
      Issue.record("cannot write the spec: \(error)")
    }
    return try SweepSpec.load(contentsOf: file.path, overrides: overrides)
  }

  /// The error loading and expanding the sweep raises.
  static func error(_ text: String, _ overrides: [String]) throws -> SpecError {
    do {
      _ = try SweepPlan(load(text, overrides))
    } catch {
      return error
    }
    throw SweepAccepted()
  }

  struct SweepAccepted: Error {}

  @Test func commaListsMakeAGridWithoutASweepSection() throws {
    let spec = try Self.load(
      Self.base, ["model.hidden=2,3,5", "training.epochs=2", "seed=7,8", "model.type=rnn,brnn"])
    #expect(spec.method == .grid)
    #expect(spec.parameters.map(\.path) == ["model.hidden", "model.type"])
    #expect(spec.seeds == [7, 8])
    #expect(spec.objective == SweepSpec.Objective(split: .dev, metric: "loss", goal: .min))
    guard case .choice(let hidden) = spec.parameters[0].domain else {
      Issue.record("model.hidden is not a list")
      return
    }
    #expect(hidden.compactMap(\.scalar) == ["2", "3", "5"])
    #expect(hidden.map(\.location.description) == [
      "<override 1>:1:14", "<override 1>:1:16", "<override 1>:1:18",
    ])
    // Plain overrides still apply to the base spec.
    #expect(spec.baseExperiment.plan.epochs == 2)
    let plan = try SweepPlan(spec)
    #expect(plan.trials.count == 3 * 2 * 2)
    #expect(plan.trials.map(\.seed).prefix(2) == [7, 8])
    #expect(plan.trials[2].values.map(\.flowText) == ["2", "brnn"])
    // The same command line is the same sweep (so running it again resumes it).
    let again = try SweepPlan(
      Self.load(
        Self.base, ["model.hidden=2,3,5", "training.epochs=2", "seed=7,8", "model.type=rnn,brnn"]))
    #expect(again.id == plan.id)
  }

  @Test func aDatasetWithoutDevIsRankedByTrainLoss() throws {
    let noDev = Self.base.replacingOccurrences(of: "dev_sequences: 5", with: "dev_sequences: 0")
    let spec = try Self.load(noDev, ["model.hidden=2,3"])
    #expect(spec.objective.name == "train.loss")
    let chosen = try Self.load(Self.base, ["model.hidden=2,3", "+sweep.metric.name=dev.accuracy"])
    #expect(chosen.objective == SweepSpec.Objective(split: .dev, metric: "accuracy", goal: .max))
  }

  /// A spec's own sweep section: a list on the command line replaces the section's list for the
  /// same key, joins the grid for a new key, and a seed list replaces the seeds.
  @Test func commaListsJoinTheSweepSection() throws {
    let text = Self.base + """
      sweep:
        seeds: [1, 2]
        metric: {name: dev.accuracy}
        parameters:
          optimizer.learning_rate: [0.1, 0.2]
          model.hidden: [4]

      """
    let spec = try Self.load(text, ["model.hidden=4,8", "model.activation=tanh,sigmoid", "seed=5"])
    #expect(spec.parameters.map(\.path) == [
      "optimizer.learning_rate", "model.hidden", "model.activation",
    ])
    #expect(spec.seeds == [1, 2])
    #expect(spec.objective.name == "dev.accuracy")
    let values = spec.parameters.map { parameter -> [String] in
      guard case .choice(let items) = parameter.domain else { return [] }
      return items.compactMap(\.scalar)
    }
    #expect(values == [["0.1", "0.2"], ["4", "8"], ["tanh", "sigmoid"]])
    #expect(try Self.load(text, ["sweep.seeds=3,4"]).seeds == [3, 4])
    #expect(try Self.load(text, ["seed=3,4"]).seeds == [3, 4])
  }

  @Test func commaListErrorsPointAtTheArgument() throws {
    let twice = try Self.error(Self.base, ["model.hidden=2,3", "seed=1,1"])
    #expect(twice.location?.description == "<override 2>:1:8")
    #expect(twice.message == "seed 1 is listed twice")

    let bad = try Self.error(Self.base, ["model.hidden=2,x"])
    #expect(bad.location?.description == "<override 1>:1:16")
    #expect(bad.keyPath == "model.hidden")

    let unknown = try Self.error(Self.base, ["model.hiden=2,3"])
    #expect(unknown.location?.description == "<override 1>:1:1")
    #expect(unknown.suggestion == "hidden")

    let exists = try Self.error(Self.base, ["+model.hidden=2,3"])
    #expect(exists.location?.description == "<override 1>:1:8")
    #expect(exists.message.hasPrefix("cannot add 'model.hidden'"))

    let option = try Self.error(Self.base, ["sweep.method=grid,random"])
    #expect(option.location?.description == "<override 1>:1:1")
    #expect(option.expected == "a list in brackets for a sweep option, e.g. sweep.seeds=[1, 2]")

    let none = try Self.error(Self.base, ["model.hidden=8"])
    #expect(none.message == "no 'sweep:' section")
    #expect(none.expected?.contains("model.hidden=32,64") == true)
  }
}

import Experiments
import Foundation
import Recur
import Tensors
import Testing
import YAMLSpec

/// A plugin's factories fail like the built-ins': an option error at the option, anything else
/// at the factory's section.
@Suite struct PluginRegistryTests {
  /// What a plugin factory throws that is not a `SpecError`.
  struct Unreachable: Error, CustomStringConvertible {
    var description: String { "the data server did not answer" }
  }

  static let spec = """
    name: plugin
    dataset:
      type: remote
      host: nowhere
    model: {type: rnn, hidden: 3}
    optimizer: {type: sgd}
    """

  /// The standard registry plus a dataset `remote` whose factory rejects `host: bad` at the
  /// option and throws `Unreachable` otherwise.
  static var registry: Registry {
    get throws {
      var registry = Registry.standard
      try registry.datasets.register(
        Component(
          name: "remote", summary: "a dataset its factory cannot build",
          options: RemoteOptions(),
          make: { options, _ in
            if options.host == "bad" {
              throw options.$host.error("no such host", expected: "a reachable host")
            }
            throw Unreachable()
          }))
      return registry
    }
  }

  struct RemoteOptions: SpecOptions {
    @SpecOption(default: "localhost", help: "where the data is") var host: String
  }

  @Test func aFactorysOwnErrorIsLocatedAtItsSection() throws {
    let registry = try Self.registry
    let spec = try SpecNode.parse(Self.spec, sourceName: "t.yaml")
    do {
      _ = try Experiment(spec: spec, registry: registry)
      Issue.record("the remote dataset was built")
    } catch {
      #expect(error.message == "cannot build dataset: the data server did not answer")
      #expect(error.keyPath == "dataset")
      #expect(error.location?.line == 3)
      #expect(error.location?.column == 3)
    }
  }

  @Test func aFactorysOptionErrorIsLocatedAtTheOption() throws {
    let registry = try Self.registry
    let bad = try SpecNode.parse(
      Self.spec.replacingOccurrences(of: "host: nowhere", with: "host: bad"), sourceName: "t.yaml")
    do {
      _ = try Experiment(spec: bad, registry: registry)
      Issue.record("the remote dataset was built")
    } catch {
      #expect(
        error.description.hasPrefix("t.yaml:4:9: error: no such host at dataset.host"),
        "\(error.description)")
      #expect(error.expected == "a reachable host")
    }
  }

  /// A factory called directly with the public contexts, as a plugin's own tests call theirs:
  /// cosine with one warm-up epoch of three runs η₀/2, then η₀ (p = 0), then
  /// ½η₀(1 + cos(π/2)) = η₀/2 (p = 1/2).
  @Test func aFactoryCanBeCalledWithThePublicContexts() throws {
    let cosine = try #require(Registry.standard.schedules["cosine"])
    let context = ScheduleContext(
      epochs: 3, monitored: MonitoredMetrics(splits: [.dev], metrics: [("loss", .min)]))
    let node = try SpecNode.parse(
      "{warmup_epochs: 1, min_learning_rate: 0}", sourceName: "t.yaml")
    var schedule = try cosine.make(ComponentOptions(node: node, path: "schedule"), context)
    let rates = (1...3).map { schedule.learningRate(epoch: $0, base: 0.1) }
    #expect(abs(rates[0] - 0.05) < 1e-15 && abs(rates[1] - 0.1) < 1e-15)
    #expect(abs(rates[2] - 0.05) < 1e-15)

    let long = try SpecNode.parse("{warmup_epochs: 3, min_learning_rate: 0}", sourceName: "t.yaml")
    #expect {
      _ = try cosine.make(ComponentOptions(node: long, path: "schedule"), context)
    } throws: { error in
      let error = try #require(error as? SpecError)
      return error.keyPath == "schedule.warmup_epochs" && error.location?.column == 17
        && error.message == "warmup_epochs (3) leaves no epoch of the 3 to anneal"
    }
  }
}

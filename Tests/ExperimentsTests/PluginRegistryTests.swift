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
          options: [.string("host", default: "localhost", help: "where the data is")],
          make: { options, _ in
            if try options.value("host", as: String.self) == "bad" {
              throw options.error(at: "host", "no such host", expected: "a reachable host")
            }
            throw Unreachable()
          }))
      return registry
    }
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
}

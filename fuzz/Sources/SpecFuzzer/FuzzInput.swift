import Experiments
import Foundation
import YAMLSpec

/// An input: the spec's bytes, then optionally a NUL byte and command-line overrides separated
/// by NUL bytes (a NUL cannot occur in a spec libyaml accepts, nor in a command-line argument).
struct FuzzInput {
  var spec: [UInt8]
  var overrides: [String]

  init(_ bytes: UnsafeBufferPointer<UInt8>) {
    let parts = bytes.split(separator: 0, omittingEmptySubsequences: false)
    spec = parts.first.map(Array.init) ?? []
    // Arguments reach the runner decoded with repair, as `CommandLine.arguments` decodes them.
    overrides = parts.dropFirst().map { String(decoding: $0, as: UTF8.self) }
  }

  /// `runner validate`: the UTF-8 check of `SpecNode.load`, parsing, overrides, assembly, and the
  /// resolved spec's text or the error's message.
  func validate() {
    guard let text = String(validating: spec, as: UTF8.self) else { return }
    do {
      let node = try SpecNode.parse(text, sourceName: "fuzz.yaml").applying(overrides: overrides)
      let experiment = try Experiment(
        spec: FuzzData.shared.redirectingFiles(of: node), registry: FuzzData.shared.registry)
      _ = experiment.spec.yamlText()
      _ = experiment.dataset.warnings
    } catch {
      _ = error.description
    }
  }
}

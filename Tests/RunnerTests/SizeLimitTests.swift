import Foundation
import Testing

/// The sizes of issue 11, each a typo: `runner validate` and `runner` report them at their
/// option with exit 2, without a crash and without leaving a run directory behind.
@Suite struct SizeLimitTests {
  static let spec = """
    name: sizes
    seed: 1
    dataset:
      type: synthetic-tagging
      train_sequences: 40
      dev_sequences: 10
      test_sequences: 10
      max_length: 6
    model:
      type: rnn
      hidden: 4
    optimizer:
      type: sgd
    training:
      epochs: 1
    output:
      dir: out

    """

  /// `runner validate` and `runner` on `text` with `overrides`: both exit 2 with an error at
  /// `path`, on `line`, that contains `words`; nothing is left under `out/`.
  static func expectRefused(
    _ text: String = spec, overrides: [String] = [], path: String, line: Int,
    words: String
  ) throws {
    let workspace = try RunnerProcess.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: workspace) }
    try text.write(
      to: workspace.appendingPathComponent("spec.yaml"), atomically: true, encoding: .utf8)
    for command in [["validate"], []] {
      let result = try RunnerProcess.run(command + ["spec.yaml"] + overrides, in: workspace)
      #expect(result.status == 2, "\(command) \(overrides): \(result.errors)")
      let source = overrides.isEmpty ? "spec.yaml" : "<override \(overrides.count)>"
      #expect(result.errors.hasPrefix("\(source):\(line):"), "\(result.errors)")
      #expect(result.errors.contains("at \(path)\n"), "\(result.errors)")
      #expect(result.errors.contains(words), "\(result.errors)")
      #expect(!result.errors.contains("Fatal error"))
      let out = workspace.appendingPathComponent("out")
      #expect(!FileManager.default.fileExists(atPath: out.path), "\(command) left a run behind")
    }
  }

  @Test(arguments: [
    ("model.hidden=5000000000", "model.hidden"),
    ("training.batch_size=9223372036854775807", "training.batch_size"),
    ("dataset.train_sequences=9223372036854775807", "dataset.train_sequences"),
  ])
  func overriddenSizesBeyondWhatCanBeRepresented(override: String, path: String) throws {
    try Self.expectRefused(
      overrides: [override], path: path, line: 1, words: "more than any size can be")
  }

  @Test func sizesInTheFileBeyondWhatCanBeRepresented() throws {
    // dev_sequences is line 6, max_length line 8.
    try Self.expectRefused(
      Self.spec.replacingOccurrences(of: "dev_sequences: 10", with: "dev_sequences: 4294967296"),
      path: "dataset.dev_sequences", line: 6, words: "4294967296, more than any size can be")
    try Self.expectRefused(
      Self.spec.replacingOccurrences(of: "max_length: 6", with: "max_length: 4294967296"),
      path: "dataset.max_length", line: 8, words: "4294967296, more than any size can be")
  }

  @Test func sizesBeyondThisMachinesMemory() throws {
    try Self.expectRefused(
      overrides: ["model.hidden=200000"], path: "model.hidden", line: 1,
      // 50·200000 + 200000² + 200000 + 200000·8 + 8 weights, 8 bytes each with the gradients.
      words: "has 40011800008 parameters: its weights and gradients need about 320.1 GB")
    try Self.expectRefused(
      overrides: ["dataset.dev_sequences=200000000"], path: "dataset.dev_sequences", line: 1,
      words: "the generated data needs about")
  }

  @Test func sweepsWithMoreTrialsThanCanBeHeld() throws {
    let workspace = try RunnerProcess.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: workspace) }
    // 20⁶ = 64,000,000 configurations.
    let values = "[" + (1...20).map(String.init).joined(separator: ", ") + "]"
    let keys = [
      "model.hidden", "training.epochs", "training.batch_size", "training.checkpoint_every",
      "dataset.train_sequences", "dataset.dev_sequences",
    ]
    let grid =
      Self.spec + "sweep:\n  metric: {name: dev.accuracy}\n  parameters:\n"
      + keys.map { "    \($0): \(values)\n" }.joined()
    try grid.write(
      to: workspace.appendingPathComponent("grid.yaml"), atomically: true, encoding: .utf8)
    let result = try RunnerProcess.run(["sweep", "grid.yaml", "--dry-run"], in: workspace)
    #expect(result.status == 2)
    // The spec is 17 lines; `sweep:` is line 18 and the first parameter line 21.
    #expect(result.errors.hasPrefix("grid.yaml:21:"), "\(result.errors)")
    #expect(result.errors.contains("the sweep has 64000000 trials"))
    #expect(result.errors.contains("at sweep.parameters\n"))

    let random = try RunnerProcess.run(
      [
        "sweep", "grid.yaml", "--dry-run", "sweep.method=random", "sweep.trials=100000000000",
      ], in: workspace)
    #expect(random.status == 2)
    #expect(random.errors.hasPrefix("<override 2>:1:14:"), "\(random.errors)")
    #expect(random.errors.contains("more than 2147483647 trials"))
    #expect(!FileManager.default.fileExists(atPath: workspace.appendingPathComponent("out").path))
  }
}

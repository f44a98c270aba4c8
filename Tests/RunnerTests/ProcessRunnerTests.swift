import Foundation
import Testing

/// `dataset.type: process` through the built runner: a run trains on what a Python script
/// writes and records the command in its manifest; a failing script is a bad spec (exit 2).
@Suite struct ProcessRunnerTests {
  static let hasPython =
    FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")
    || (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains {
      FileManager.default.isExecutableFile(atPath: "\($0)/python3")
    }

  /// Sequence classification: is the sum of the steps' values positive?
  static let script = #"""
    import json, os, random
    rng = random.Random(int(os.environ["RECUR_SEED"]))
    for split, count in (("train", 40), ("dev", 10)):
        for _ in range(count):
            xs = [[rng.uniform(-1, 1)] for _ in range(rng.randint(2, 6))]
            label = "positive" if sum(x[0] for x in xs) > 0 else "negative"
            print(json.dumps({"split": split, "inputs": xs, "label": label}))
    """#

  static let spec = """
    name: scripted
    seed: 4
    dataset:
      type: process
      command: [python3, make_data.py]
      task: sequence
    model:
      type: rnn
      hidden: 4
    optimizer:
      type: sgd
    training:
      epochs: 2
      batch_size: 8
    output:
      dir: out

    """

  static func workspace(script: String) throws -> URL {
    let directory = try RunnerProcess.scratchDirectory()
    try spec.write(
      to: directory.appendingPathComponent("spec.yaml"), atomically: true, encoding: .utf8)
    try script.write(
      to: directory.appendingPathComponent("make_data.py"), atomically: true, encoding: .utf8)
    return directory
  }

  @Test(.enabled(if: hasPython, "python3 is not available"))
  func aRunTrainsOnTheScriptsDataAndRecordsIt() throws {
    let workspace = try Self.workspace(script: Self.script)
    let validated = try RunnerProcess.run(["validate", "spec.yaml"], in: workspace)
    #expect(validated.status == 0, "\(validated.errors)")
    #expect(validated.output.contains("input: 1") && validated.output.contains("output: 2"))
    let result = try RunnerProcess.run(
      ["spec.yaml", "--quiet", "--run-directory", "run"], in: workspace)
    #expect(result.status == 0, "\(result.errors)")
    let rows = try RunnerTests.csvRows(workspace.appendingPathComponent("run"))
    #expect(rows.filter { $0.first == "2" }.map { $0[1] } == ["train", "dev"])

    let manifest = try RunnerTests.json(workspace.appendingPathComponent("run/manifest.json"))
    let provenance = try #require(manifest["provenance"] as? [String: Any])
    let process = try #require(provenance["process"] as? [String: Any])
    #expect(process["command"] as? [String] == ["python3", "make_data.py"])
    let files = try #require(process["files"] as? [[String: String]])
    #expect(files.map { $0["path"] } == ["make_data.py"])
    let script = workspace.appendingPathComponent("make_data.py")
    #expect(files.first?["sha256"] == Self.sha256(of: script))
    #expect(process["seed"] != nil)
  }

  @Test(.enabled(if: hasPython, "python3 is not available"))
  func aFailingScriptIsABadSpec() throws {
    let workspace = try Self.workspace(
      script: "import sys\nprint('loading', file=sys.stderr)\nsys.exit('no data here')\n")
    let result = try RunnerProcess.run(["spec.yaml", "--quiet"], in: workspace)
    #expect(result.status == 2)
    #expect(
      result.errors.hasPrefix(
        "spec.yaml:5:12: error: python3 make_data.py exited with status 1 at dataset.command"),
      "\(result.errors)")
    #expect(result.errors.contains("  loading\n  no data here"), "\(result.errors)")
    #expect(!FileManager.default.fileExists(atPath: workspace.appendingPathComponent("out").path))
  }

  /// SHA-256 by `sha256sum` (or `shasum -a 256`), independently of the runner.
  static func sha256(of file: URL) -> String? {
    for command in [["sha256sum"], ["shasum", "-a", "256"]] {
      let process = Process()
      process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
      process.arguments = command + [file.path]
      let output = Pipe()
      process.standardOutput = output
      process.standardError = FileHandle.nullDevice
      guard (try? process.run()) != nil else { continue }
      let data = output.fileHandleForReading.readDataToEndOfFile()
      process.waitUntilExit()
      if process.terminationStatus == 0 {
        return String(decoding: data, as: UTF8.self).split(separator: " ").first.map(String.init)
      }
    }
    return nil
  }
}

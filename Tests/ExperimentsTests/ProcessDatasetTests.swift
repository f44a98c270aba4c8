import Experiments
import Foundation
import Recur
import Tensors
import Testing
import YAMLSpec

/// `dataset.type: process` with generated Python scripts: the seed reaches the script, the
/// provenance names what ran, and every failure is an error at `dataset.command`.
@Suite struct ProcessDatasetTests {
  static let hasPython: Bool = {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", "pass"]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    do { try process.run() } catch { return false }
    process.waitUntilExit()
    return process.terminationStatus == 0
  }()

  /// Writes 12 train and 4 dev sequences of 2–5 steps drawn from RECUR_SEED: per step a uniform
  /// value in [-1, 1], labelled by its sign, and the seed modulo 997. Fails unless the `{seed}`
  /// argument carries the same seed.
  static let script = #"""
    import json, os, random, sys
    seed = int(os.environ["RECUR_SEED"])
    if sys.argv[1:] != ["--seed", str(seed)]:
        sys.exit("argv %r does not carry RECUR_SEED %d" % (sys.argv[1:], seed))
    rng = random.Random(seed)
    print("making data", file=sys.stderr)
    for split, count in (("train", 12), ("dev", 4)):
        for _ in range(count):
            xs = [[rng.uniform(-1, 1), seed % 997] for _ in range(rng.randint(2, 5))]
            labels = ["pos" if x[0] > 0 else "neg" for x in xs]
            print(json.dumps({"split": split, "inputs": xs, "labels": labels}))
    """#

  /// A folder holding `make_data.py` with `script`.
  static func folder(_ script: String = script) throws -> URL {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("recur-process-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    try script.write(
      to: url.appendingPathComponent("make_data.py"), atomically: true, encoding: .utf8)
    return url
  }

  static func spec(_ folder: URL, seed: Int = 1, extra: String = "") -> String {
    let path = folder.appendingPathComponent("make_data.py").path
    return """
      name: process
      seed: \(seed)
      dataset:
        type: process
        command: [python3, \(path), --seed, "{seed}"]
      \(extra)
      model:
        type: rnn
        hidden: 4
      optimizer:
        type: sgd

      """
  }

  static func experiment(_ text: String) throws -> Experiment {
    try Experiment(spec: SpecNode.parse(text, sourceName: "process.yaml"))
  }

  @Test(.enabled(if: hasPython, "python3 is not available"))
  func theScriptsSequencesWithItsSeed() throws {
    let folder = try Self.folder()
    let experiment = try Self.experiment(Self.spec(folder))
    let dataSeed = SeededGenerator(seed: 1).derived("data").seed
    let dataset = experiment.dataset
    #expect(dataset.info.labels == ["neg", "pos"])
    #expect(experiment.model.shape.inputSize == 2 && experiment.model.shape.outputSize == 2)
    #expect(dataset.examples(.train).count == 12 && dataset.examples(.dev).count == 4)
    #expect(dataset.examples(.test).isEmpty)
    for example in dataset.examples(.train) + dataset.examples(.dev) {
      guard case .dense(let values, let width) = example.inputs else {
        Issue.record("dense inputs expected")
        continue
      }
      #expect(width == 2 && (2...5).contains(example.length))
      for step in 0..<example.length {
        #expect(values[2 * step + 1] == Float(dataSeed % 997))
        #expect(example.targets[step] == (values[2 * step] > 0 ? 1 : 0))
      }
    }

    let record = try #require((dataset as? ProcessDataset)?.record)
    let path = folder.appendingPathComponent("make_data.py").path
    #expect(record.command == ["python3", path, "--seed", String(dataSeed)])
    #expect(record.executable.hasSuffix("/python3"))
    #expect(record.seed == dataSeed)
    let script = try Data(contentsOf: URL(fileURLWithPath: path))
    #expect(record.files.map(\.path) == [path])
    #expect(record.files.map(\.sha256) == [Fingerprint.sha256(script)])

    let again = try Self.experiment(Self.spec(folder)).dataset
    let other = try Self.experiment(Self.spec(folder, seed: 2)).dataset
    #expect(again.examples(.train) == dataset.examples(.train))
    #expect(other.examples(.train) != dataset.examples(.train))
  }

  /// Specs that differ in the seed alone (a sweep's trials) share a file dataset through the
  /// cache, but each runs the command with its own seed.
  @Test(.enabled(if: hasPython, "python3 is not available"))
  func theCacheDoesNotShareAProcessDatasetAcrossSeeds() throws {
    let folder = try Self.folder()
    let cache = DatasetCache()
    let first = try Experiment(
      spec: SpecNode.parse(Self.spec(folder, seed: 1), sourceName: "a.yaml"), datasets: cache)
    let second = try Experiment(
      spec: SpecNode.parse(Self.spec(folder, seed: 2), sourceName: "b.yaml"), datasets: cache)
    #expect(first.dataset.examples(.train) != second.dataset.examples(.train))
    let seeds = [first, second].compactMap { ($0.dataset as? ProcessDataset)?.record.seed }
    #expect(
      seeds == [1, 2].map { SeededGenerator(seed: $0).derived("data").seed })
  }

  /// Every way the command can fail: at `dataset.command` (line 5, column 12), with the output
  /// line at fault and the command's stderr.
  @Test(
    .enabled(if: hasPython, "python3 is not available"),
    arguments: [
      (
        "import sys\nprint('first', file=sys.stderr)\nprint('second problem', file=sys.stderr)\n"
          + "sys.exit(3)",
        "exited with status 3", "  second problem"
      ),
      (
        "import sys\nprint('{\"split\": \"train\", \"inputs\": [[1]], \"labels\": [\"a\"]}')\n"
          + "print('{\"split\": \"train\", \"inputs\": [[1]]')\nprint('parsing', file=sys.stderr)",
        "stdout:2: is not valid JSON",
        "the line: {\"split\": \"train\", \"inputs\": [[1]]"
      ),
      (
        "print('{\"split\": \"train\", \"inputs\": [[1, 2]], \"labels\": [\"a\"]}')\n"
          + "print('{\"split\": \"dev\", \"inputs\": [[1, 2], [3]], \"labels\": [\"a\", \"b\"]}')",
        "stdout:2: inputs[1] has 1 values, but line 1 has 2",
        "2 values on every step of every line"
      ),
      (
        "print('{\"split\": \"validation\", \"inputs\": [[1]], \"labels\": [\"a\"]}')",
        "stdout:1: split \"validation\" is not train, dev or test", "the line: {\"split\""
      ),
      (
        "print('{\"split\": \"test\", \"inputs\": [[1]], \"labels\": [\"a\"]}')",
        "stdout: holds no train sequence", "at least one line with \"split\": \"train\""
      ),
    ])
  func failuresAreLocatedAtTheCommand(
    _ script: String, _ message: String, _ detail: String
  )
    throws
  {
    let folder = try Self.folder(script)
    let error = #expect(throws: SpecError.self) {
      try Self.experiment(Self.spec(folder))
    }
    #expect(error?.keyPath == "dataset.command")
    #expect(error?.location?.line == 5 && error?.location?.column == 12)
    #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
    #expect(error?.expected?.contains(detail) == true, "\(error?.expected ?? "")")
  }

  /// A command still running at `timeout_s` is stopped (with the process it started) and
  /// reported with what it wrote to stderr so far.
  @Test(.enabled(if: hasPython, "python3 is not available"))
  func aSlowCommandIsStoppedAtItsTimeout() throws {
    let folder = try Self.folder(
      "import subprocess, sys, time\nprint('waiting', file=sys.stderr, flush=True)\n"
        + "subprocess.Popen(['sleep', '30'])\ntime.sleep(30)")
    let start = Date()
    let error = #expect(throws: SpecError.self) {
      try Self.experiment(Self.spec(folder, extra: "  timeout_s: 0.5"))
    }
    #expect(Date().timeIntervalSince(start) < 10)
    #expect(error?.keyPath == "dataset.command")
    #expect(
      error?.message.contains("did not finish within timeout_s (0.5 s) and was stopped") == true,
      "\(error?.message ?? "")")
    #expect(error?.expected?.contains("  waiting") == true, "\(error?.expected ?? "")")
  }

  @Test func aMissingProgramOrAnEmptyCommandIsLocated() throws {
    let text = """
      name: process
      dataset:
        type: process
        command: [no-such-program-recur, x]
      model:
        type: rnn
      optimizer:
        type: sgd

      """
    let missing = #expect(throws: SpecError.self) { try Self.experiment(text) }
    #expect(missing?.message == "no program 'no-such-program-recur' on the PATH")
    #expect(missing?.keyPath == "dataset.command" && missing?.location?.line == 4)
    let empty = #expect(throws: SpecError.self) {
      try Self.experiment(
        text.replacingOccurrences(of: "[no-such-program-recur, x]", with: "[]"))
    }
    #expect(empty?.message == "the command is empty")
  }
}

import Foundation
import Testing

/// The example plugin package (`examples/plugin`), built as a user would build it, and its
/// `plugin-runner` driven through every command a run goes through.
@Suite(.serialized) struct PluginTests {
  /// The repository's root: this file is `Tests/RunnerTests/PluginTests.swift`.
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
  static let package = root.appendingPathComponent("examples/plugin")
  static let demo = package.appendingPathComponent("experiments/demo.yaml").path

  /// What building the example package gave.
  enum Build {
    /// The folder holding `plugin-runner` and `clashing-runner`.
    case built(URL)
    /// The build could not start or fetch its dependencies: nothing about Recur is measured.
    case unavailable(String)
    /// The build ran and failed: its output.
    case failed(String)
  }

  /// `swift build --package-path examples/plugin`, once per test process, into the example's
  /// own `.build`. The time it took goes to standard error.
  static let build: Build = {
    let started = Date()
    let built: RunnerProcess.Result
    do {
      built = try run(
        URL(fileURLWithPath: "/usr/bin/env"),
        ["swift", "build", "--package-path", package.path], in: root)
    } catch {
      return .unavailable("swift build could not start: \(error)")
    }
    let log = built.output + built.errors
    guard built.status == 0 else {
      // 127: env found no `swift`; the others: SwiftPM could not fetch a dependency.
      let unfetched = ["Failed to clone", "Could not resolve host", "Couldn't fetch"]
      if built.status == 127 {
        return .unavailable("no swift on PATH:\n\(log)")
      } else if unfetched.contains(where: log.contains) {
        return .unavailable("the example's dependencies could not be fetched:\n\(log)")
      }
      return .failed(log)
    }
    FileHandle.standardError.write(
      Data(
        "note: examples/plugin built in \(Int(Date().timeIntervalSince(started))) s\n".utf8))
    do {
      let bin = try run(
        URL(fileURLWithPath: "/usr/bin/env"),
        ["swift", "build", "--package-path", package.path, "--show-bin-path"], in: root)
      return .built(
        URL(fileURLWithPath: bin.output.trimmingCharacters(in: .whitespacesAndNewlines)))
    } catch {
      return .failed("swift build --show-bin-path: \(error)")
    }
  }()

  static var isBuildable: Bool {
    if case .unavailable(let reason) = build {
      FileHandle.standardError.write(Data("note: plugin tests skipped: \(reason)\n".utf8))
      return false
    }
    return true
  }

  /// The built executable `name` of the example, or a recorded failure with the build's log.
  static func executable(_ name: String) throws -> URL {
    switch build {
    case .built(let folder): return folder.appendingPathComponent(name)
    case .failed(let log):
      Issue.record("examples/plugin does not build:\n\(log)")
      throw CancellationError()
    case .unavailable(let reason):
      Issue.record("examples/plugin was not built: \(reason)")
      throw CancellationError()
    }
  }

  /// Runs `executable arguments…` in `directory` and waits for it, output through files.
  static func run(
    _ executable: URL, _ arguments: [String], in directory: URL
  ) throws -> RunnerProcess.Result {
    try RunnerProcess.run(executable, arguments, in: directory)
  }

  /// `plugin-runner arguments…` in `directory`.
  static func plugin(_ arguments: [String], in directory: URL) throws -> RunnerProcess.Result {
    try run(try executable("plugin-runner"), arguments, in: directory)
  }

  /// The demo at a size a test affords (120 train sequences, 40 dev, 40 test), into `out/`.
  static let small = [
    "dataset.train_sequences=120", "dataset.dev_sequences=40", "dataset.test_sequences=40",
    "output.dir=out",
  ]

  /// run → SIGKILL mid-run → resume → evaluate → export → reproduce (identical to a run that
  /// never stopped, which checks Lion's momentum came back from the checkpoint) → report, and
  /// the manifest naming the plugin's components and runner; the stock runner refuses the run
  /// naming plugin-runner.
  @Test(.enabled(if: isBuildable)) func aPluginRunGoesThroughEveryCommand() throws {
    let runner = try Self.executable("plugin-runner")
    let workspace = try RunnerProcess.scratchDirectory()
    let process = Process()
    process.executableURL = runner
    process.arguments =
      [Self.demo, "--quiet", "--run-directory", "run", "training.epochs=12"]
      // Ten times the train split, so that the kill lands before the last epoch also on a quiet
      // machine.
      + Self.small.map {
        $0 == "dataset.train_sequences=120" ? "dataset.train_sequences=1200" : $0
      }
    process.currentDirectoryURL = workspace
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    let run = workspace.appendingPathComponent("run")
    _ = RunnerProcess.wait(seconds: 120) {
      FileManager.default.fileExists(atPath: run.appendingPathComponent("checkpoint").path)
        || !process.isRunning
    }
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    let killed = try RunnerTests.json(run.appendingPathComponent("manifest.json"))
    try #require(
      killed["status"] as? String == "running", "the run finished before it could be killed")

    let resumed = try Self.plugin(["resume", "run", "--quiet"], in: workspace)
    #expect(resumed.status == 0, "\(resumed.errors)")
    let manifest = try RunnerTests.json(run.appendingPathComponent("manifest.json"))
    #expect(manifest["status"] as? String == "completed")
    #expect((manifest["resumed"] as? [String])?.count == 1)
    // Lion's momentum is checkpointed, the leak's among it.
    let state = try Data(
      contentsOf: run.appendingPathComponent("checkpoint/optimizer.safetensors"))
    let headerSize = state.prefix(8).reversed().reduce(0) { $0 << 8 | Int($1) }
    let tensors = try #require(
      JSONSerialization.jsonObject(with: state.dropFirst(8).prefix(headerSize)) as? [String: Any])
    #expect(tensors["first/forward.L"] != nil, "\(tensors.keys.sorted())")
    let provenance = try #require(manifest["provenance"] as? [String: Any])
    let made = try #require(provenance["runner"] as? [String: Any])
    #expect(made["name"] as? String == "plugin-runner")
    let components = try #require(provenance["components"] as? [[String: String]])
    let modules = Dictionary(
      components.map { ("\($0["kind"]!) \($0["name"]!)", $0["module"]!) },
      uniquingKeysWith: { first, _ in first })
    for component in [
      "dataset sine-sign", "cell leaky", "optimizer lion", "schedule triangular",
      "metric balanced_accuracy",
    ] {
      #expect(modules[component] == "SineSignPlugin", "\(component): \(components)")
    }
    #expect(modules["model rnn"] == "Experiments")
    let header = try RunnerTests.csvRows(run)[0]
    #expect(header.contains("balanced_accuracy"), "\(header)")

    let evaluated = try Self.plugin(["evaluate", "run", "--split", "test"], in: workspace)
    #expect(evaluated.status == 0, "\(evaluated.errors)")
    #expect(evaluated.output.contains("balanced_accuracy"), "\(evaluated.output)")
    let exported = try Self.plugin(["export", "run"], in: workspace)
    #expect(exported.status == 0, "\(exported.errors)")
    let export = run.appendingPathComponent("export")
    let files = try FileManager.default.contentsOfDirectory(atPath: export.path)
    #expect(files.contains("model.safetensors"), "\(files)")
    let described = try String(
      contentsOf: export.appendingPathComponent("model.json"), encoding: .utf8)
    #expect(described.contains("leaky"), "\(described)")

    let reproduced = try Self.plugin(["reproduce", "run"], in: workspace)
    #expect(reproduced.status == 0, "\(reproduced.output)\(reproduced.errors)")
    #expect(reproduced.output.contains("identical: 36 rows compared"), "\(reproduced.output)")
    let again = try #require(try RunnerTests.runs(in: workspace, name: "sine-sign-demo").first)
    #expect(
      try Data(contentsOf: again.appendingPathComponent("model.safetensors"))
        == Data(contentsOf: run.appendingPathComponent("model.safetensors")))

    let report = try Self.plugin(["report", "run"], in: workspace)
    #expect(report.status == 0, "\(report.errors)")
    #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent("report.md").path))

    let stock = try RunnerProcess.run(["evaluate", "run"], in: workspace)
    #expect(stock.status == 2)
    #expect(stock.errors.contains("unknown dataset 'sine-sign'"), "\(stock.errors)")
    #expect(stock.errors.contains("this run was made by plugin-runner"), "\(stock.errors)")
  }

  /// A 2-trial sweep: the trials are plugin-runner processes, and the sweep's report covers
  /// both.
  @Test(.enabled(if: isBuildable)) func aPluginSweepRunsItsTrialsWithThePluginRunner() throws {
    let workspace = try RunnerProcess.scratchDirectory()
    let swept = try Self.plugin(
      [
        "sweep", Self.demo, "optimizer.learning_rate=0.002,0.004", "training.epochs=2",
        "schedule.period=2",
        "--workers", "2", "--directory", "sweep",
      ] + Self.small, in: workspace)
    #expect(swept.status == 0, "\(swept.output)\(swept.errors)")
    let sweep = workspace.appendingPathComponent("sweep")
    for trial in ["trial-001", "trial-002"] {
      let manifest = try RunnerTests.json(sweep.appendingPathComponent("\(trial)/manifest.json"))
      #expect(manifest["status"] as? String == "completed", "\(trial)")
      let provenance = try #require(manifest["provenance"] as? [String: Any])
      let runner = try #require(provenance["runner"] as? [String: Any])
      #expect(runner["name"] as? String == "plugin-runner", "\(trial)")
    }
    let report = try Self.plugin(["report", "sweep"], in: workspace)
    #expect(report.status == 0, "\(report.errors)")
    let text = try String(
      contentsOf: sweep.appendingPathComponent("report.md"), encoding: .utf8)
    #expect(text.contains("0.002") && text.contains("0.004"), "\(text)")
  }

  /// `plugin-runner gradcheck` checks the leaky cell's BPTT, its leak L included.
  @Test(.enabled(if: isBuildable)) func thePluginCellPassesGradcheck() throws {
    let checked = try Self.plugin(["gradcheck", Self.demo], in: Self.package)
    #expect(checked.status == 0, "\(checked.output)\(checked.errors)")
    let lines = checked.output.split(separator: "\n")
    let leak = try #require(lines.first { $0.contains("forward.L") }, "\(checked.output)")
    #expect(leak.hasSuffix("ok"), "\(leak)")
    #expect(!checked.output.contains("FAIL"), "\(checked.output)")
  }

  /// The plugin's errors are located like the built-ins': an option its factory rejects at
  /// that option, with file, line and column.
  @Test(.enabled(if: isBuildable)) func aPluginFactorysErrorIsLocatedAtItsOption() throws {
    let workspace = try RunnerProcess.scratchDirectory()
    let spec = try String(contentsOfFile: Self.demo, encoding: .utf8)
      .replacingOccurrences(of: "  ahead: 2\n", with: "  ahead: 2\n  max_period: 4\n")
    try spec.write(
      to: workspace.appendingPathComponent("bad.yaml"), atomically: true, encoding: .utf8)
    let line =
      try #require(
        spec.split(separator: "\n", omittingEmptySubsequences: false)
          .firstIndex { $0.hasPrefix("  max_period:") }) + 1
    let result = try Self.plugin(["validate", "bad.yaml"], in: workspace)
    #expect(result.status == 2)
    #expect(
      result.errors.contains(
        "bad.yaml:\(line):15: error: max_period (4.0) is below min_period (6.0) at "
          + "dataset.max_period"),
      "\(result.errors)")
  }

  /// A second component of a registered name stops the runner at start-up naming both modules.
  @Test(.enabled(if: isBuildable)) func aNameRegisteredTwiceFailsAtStartUp() throws {
    let clash = try Self.run(
      try Self.executable("clashing-runner"), ["list"], in: Self.package)
    #expect(clash.status == 2)
    #expect(
      clash.errors.contains(
        "two optimizers are registered as 'sgd': one from Experiments, one from clashing_runner"),
      "\(clash.errors)")
    #expect(clash.output.isEmpty)
  }
}

import Foundation
import Testing

/// The manifest records the runner and each component's module; a run directory whose spec this
/// runner cannot build, made by another runner, is refused with that runner's name.
@Suite struct ProvenanceTests {
  @Test func manifestNamesTheRunnerAndEveryComponentsModule() throws {
    let workspace = try RunnerTests.workspace()
    let result = try RunnerProcess.run(
      ["spec.yaml", "--quiet", "--run-directory", "run"], in: workspace)
    #expect(result.status == 0, "\(result.errors)")
    let manifest = try RunnerTests.json(workspace.appendingPathComponent("run/manifest.json"))
    let provenance = try #require(manifest["provenance"] as? [String: Any])
    let runner = try #require(provenance["runner"] as? [String: Any])
    #expect(runner["name"] as? String == "runner")
    #expect((runner["executable"] as? String)?.hasSuffix("/runner") == true)
    let components = try #require(provenance["components"] as? [[String: String]])
    let named = components.map { "\($0["kind"]!) \($0["name"]!) \($0["module"]!)" }
    #expect(
      named == [
        "dataset synthetic-tagging Experiments", "model brnn Experiments",
        "cell elman Experiments", "activation tanh Experiments",
        "initializer uniform Experiments", "optimizer sgd Experiments",
        "schedule constant Experiments", "metric accuracy Experiments",
      ])
  }

  @Test func aRunOfAnotherRunnerNamesIt() throws {
    let workspace = try RunnerTests.workspace()
    let made = try RunnerProcess.run(
      ["spec.yaml", "--quiet", "--run-directory", "run"], in: workspace)
    #expect(made.status == 0, "\(made.errors)")
    // What a plugin runner's run directory looks like to the stock runner: a dataset it has
    // never heard of, and a manifest naming the runner that made it.
    let run = workspace.appendingPathComponent("run")
    let spec = run.appendingPathComponent("spec.yaml")
    try String(contentsOf: spec, encoding: .utf8)
      .replacingOccurrences(of: "type: synthetic-tagging", with: "type: sine-sign")
      .write(to: spec, atomically: true, encoding: .utf8)
    let manifestURL = run.appendingPathComponent("manifest.json")
    try String(contentsOf: manifestURL, encoding: .utf8)
      .replacingOccurrences(of: "\"name\" : \"runner\"", with: "\"name\" : \"plugin-runner\"")
      .write(to: manifestURL, atomically: true, encoding: .utf8)
    for command in [["evaluate", "run"], ["export", "run"], ["reproduce", "run"]] {
      let result = try RunnerProcess.run(command, in: workspace)
      #expect(result.status == 2, "\(command)")
      #expect(result.errors.contains("unknown dataset 'sine-sign'"), "\(result.errors)")
      #expect(result.errors.contains("this run was made by plugin-runner"), "\(result.errors)")
    }
  }
}

import Foundation
import Testing

/// Provenance in the manifest, and `runner reproduce` on a small run.
@Suite struct ReproduceTests {
  static let spec = RunnerTests.spec.replacingOccurrences(of: "epochs: 3", with: "epochs: 2")

  @Test func aRunReproducesExactlyAndATamperedOneDoesNot() throws {
    let workspace = try RunnerTests.workspace(Self.spec)
    let first = try RunnerProcess.run(["spec.yaml", "--quiet"], in: workspace)
    #expect(first.status == 0, "\(first.errors)")
    let run = try #require(try RunnerTests.runs(in: workspace).first)
    let path = "out/e2e/\(run.lastPathComponent)"

    let same = try RunnerProcess.run(["reproduce", path], in: workspace)
    #expect(same.status == 0, "\(same.output)\(same.errors)")
    #expect(same.output.contains("identical: 6 rows compared (seconds, tokens_per_second ignored)"))
    #expect(try RunnerTests.runs(in: workspace).count == 2)

    // Change one stored loss: reproduce names that cell and fails.
    let metrics = run.appendingPathComponent("metrics.csv")
    var rows = try RunnerTests.csvRows(run)
    let original = rows[5][2]
    rows[5][2] = "0.125"
    try (rows.map { $0.joined(separator: ",") }.joined(separator: "\n") + "\n")
      .write(to: metrics, atomically: true, encoding: .utf8)
    let changed = try RunnerProcess.run(["reproduce", path], in: workspace)
    #expect(changed.status == 1)
    #expect(changed.output.contains("1 differences:"))
    #expect(changed.output.contains("epoch 2 dev loss: 0.125 → \(original)"))
  }

  @Test func theManifestRecordsProvenance() throws {
    let workspace = try RunnerTests.workspace(Self.spec)
    let result = try RunnerProcess.run(["spec.yaml", "--quiet"], in: workspace)
    #expect(result.status == 0, "\(result.errors)")
    let run = try #require(try RunnerTests.runs(in: workspace).first)
    let manifest = try RunnerTests.json(run.appendingPathComponent("manifest.json"))
    let provenance = try #require(manifest["provenance"] as? [String: Any])
    // The scratch folder is not in a checkout: git is recorded as null.
    #expect(provenance["git"] is NSNull)
    #expect((provenance["swift_version"] as? String)?.hasPrefix("6.") == true)
    let blas = try #require(provenance["blas"] as? [String: Any])
    #expect((blas["library"] as? String)?.contains("OpenBLAS") == true)
    #expect((blas["threads"] as? Int ?? 0) >= 1)
    #expect((provenance["data_files"] as? [Any])?.isEmpty == true)
  }

  @Test func insideACheckoutTheCommitIsRecorded() throws {
    guard FileManager.default.isExecutableFile(atPath: "/usr/bin/git") else {
      print("skipped: /usr/bin/git is missing")
      return
    }
    let workspace = try RunnerTests.workspace(Self.spec)
    try "out/\n".write(
      to: workspace.appendingPathComponent(".gitignore"), atomically: true, encoding: .utf8)
    func git(_ arguments: [String]) throws -> String {
      let process = Process()
      process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
      process.arguments =
        ["-C", workspace.path, "-c", "user.name=t", "-c", "user.email=t@t"]
        + arguments
      let pipe = Pipe()
      process.standardOutput = pipe
      process.standardError = FileHandle.nullDevice
      try process.run()
      let data = pipe.fileHandleForReading.readDataToEndOfFile()
      process.waitUntilExit()
      return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
    _ = try git(["init", "-q"])
    _ = try git(["add", "."])
    _ = try git(["commit", "-q", "-m", "spec"])
    let head = try git(["rev-parse", "HEAD"])
    let result = try RunnerProcess.run(["spec.yaml", "--quiet"], in: workspace)
    #expect(result.status == 0, "\(result.errors)")
    let run = try #require(try RunnerTests.runs(in: workspace).first)
    let manifest = try RunnerTests.json(run.appendingPathComponent("manifest.json"))
    let provenance = try #require(manifest["provenance"] as? [String: Any])
    let recorded = try #require(provenance["git"] as? [String: Any])
    #expect(recorded["commit"] as? String == head)
    #expect(recorded["dirty"] as? Bool == false)
  }
}

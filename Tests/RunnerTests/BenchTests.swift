import Foundation
import Testing

/// `runner bench` refuses a bad command line with exit 2 before measuring anything.
@Suite struct BenchTests {
  @Test(arguments: [
    (
      ["bench", "--workload", "huge"],
      "unknown workload 'huge'; expected one of: small, medium, large"
    ),
    (["bench", "--repeats", "0"], "--repeats must be at least 1"),
    (
      ["bench", "--compare-reference", "missing.py"], "--compare-reference: no file at 'missing.py'"
    ),
    (["bench", "--output", "no/such/folder/RESULTS.md"], "--output: no folder 'no/such/folder'"),
    (["bench", "--worker"], "a benchmark worker runs exactly one --workload"),
  ])
  func badArgumentsExitTwo(arguments: [String], message: String) throws {
    let workspace = try RunnerProcess.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: workspace) }
    let result = try RunnerProcess.run(arguments, in: workspace)
    #expect(result.status == 2)
    #expect(result.errors.contains(message), "\(result.errors)")
    #expect(result.output.isEmpty)
  }

  @Test func listShowsTheBenchmarkDataset() throws {
    let workspace = try RunnerProcess.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: workspace) }
    let result = try RunnerProcess.run(["list", "datasets"], in: workspace)
    #expect(result.status == 0)
    for word in ["random-dense", "steps", "input", "classes", "train_sequences"] {
      #expect(result.output.contains(word))
    }
  }
}

import Foundation
import Testing

/// `runner bench` refuses a bad command line with exit 2 before measuring anything.
@Suite struct BenchTests {
  @Test(arguments: [
    (
      ["bench", "--workload", "huge"],
      "unknown workload 'huge'; expected one of: small, medium, large, long-250, long-500, long"
    ),
    (["bench", "--repeats", "0"], "--repeats must be at least 1"),
    (["bench", "--cell", "rnn"], "unknown --cell 'rnn'; expected one of: elman, lstm, gru"),
    (
      ["bench", "--compare-torch", "--torch-peer", "missing.py"],
      "--torch-peer: no file at 'missing.py'"
    ),
    (
      ["bench", "--compare-reference", "missing.py"], "--compare-reference: no file at 'missing.py'"
    ),
    (["bench", "--output", "no/such/folder/RESULTS.md"], "--output: no folder 'no/such/folder'"),
    (["bench", "--worker"], "a benchmark worker runs exactly one --workload"),
    (
      ["bench", "--execution", "gpu"],
      "unknown --execution 'gpu'; expected one of: auto, directions, blas, serial"
    ),
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

/// The manifest records how a run used the cores.
@Suite struct ExecutionManifestTests {
  @Test func manifestRecordsTheExecutionPlan() throws {
    let workspace = try RunnerTests.workspace()
    defer { try? FileManager.default.removeItem(at: workspace) }
    let result = try RunnerProcess.run(
      ["spec.yaml", "training.epochs=1", "--quiet"], in: workspace)
    #expect(result.status == 0, "\(result.errors)")
    let run = try #require(try RunnerTests.runs(in: workspace).first)
    let manifest = try RunnerTests.json(run.appendingPathComponent("manifest.json"))
    let execution = try #require(manifest["execution"] as? [String: Any])
    let cores = ProcessInfo.processInfo.activeProcessorCount
    #expect(execution["parallel_directions"] as? Bool == (cores >= 2))
    #expect(execution["blas_threads"] as? Int == 1)
    #expect((execution["blas_core"] as? String)?.isEmpty == false)
    #expect(["blas", "avx2", "avx512"].contains(execution["recurrent_product"] as? String))
  }
}

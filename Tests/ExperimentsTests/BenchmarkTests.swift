import Experiments
import Foundation
import Recur
import Tensors
import Testing
import YAMLSpec

@Suite struct BenchmarkTests {
  static func workload(_ name: String) throws -> BenchmarkWorkload {
    try #require(BenchmarkWorkload.standard.first { $0.name == name })
  }

  /// Hand count for the small BRNN (I = H = 32, K = 8, T = 20), per direction and per sequence
  /// of 20 steps, multiply-adds counted as 2:
  ///   forward:  X U   2·20·32·32 = 40960;  B W  19·2·32·32 = 38912;  B V  2·20·32·8 = 10240
  ///   backward: Δ_k Vᵀ 10240;  Δ Wᵀ 38912;  ∂U = Xᵀ Δ 40960;  ∂W = Bᵀ Δ 38912;  ∂V = Bᵀ Δ_k 10240
  ///   sum 229376 per direction, 458752 for both, / 20 tokens = 22937.6 FLOP per token.
  @Test func flopsPerTokenMatchesAHandCount() throws {
    #expect(try Self.workload("small").flopsPerToken == 22937.6)
    // An RNN of I = 2, H = 3, K = 4, T = 2 (one direction), per sequence of 2 steps:
    // X U 2·2·2·3 = 24, B W 1·2·9 = 18, B V 2·2·3·4 = 48, Δ_k Vᵀ 48, Δ Wᵀ 18, ∂U 24, ∂W 18,
    // ∂V 48: 246 / 2 tokens = 123.
    let rnn = BenchmarkWorkload(
      name: "tiny", model: "rnn", input: 2, hidden: 3, classes: 4, steps: 2, batch: 5,
      sequences: 10, epochs: 1)
    #expect(rnn.flopsPerToken == 123)
    // The bench README quotes "about 4.2 MFLOP per token" for large, counting more than the
    // products; the products alone come to 3.91 M.
    #expect(abs(try Self.workload("large").flopsPerToken - 3_914_301.44) < 1e-6)
  }

  /// The small BRNN's products with the gated cells, per direction and sequence of 20 steps.
  /// LSTM (G·H = 128): X U and ∂U 2·20·32·128 = 163840 each; B W, Δ Wᵀ and ∂W 19·2·32·128 =
  /// 155648 each; the output layer 3·10240 = 30720; 825344 per direction, 1650688 for both, /
  /// 20 = 82534.4. GRU (G·H = 96): 2·122880 + 3·116736 + 30720 = 626688 per direction, / 10 =
  /// 62668.8.
  @Test func flopsPerTokenOfTheGatedCellsMatchAHandCount() throws {
    let small = try Self.workload("small")
    #expect(small.with(cell: "lstm").flopsPerToken == 82534.4)
    #expect(abs(small.with(cell: "gru").flopsPerToken - 62668.8) < 1e-9)
    #expect(small.with(cell: "elman").flopsPerToken == 22937.6)
  }

  /// Small: parameters 2·(32·32 + 32·32 + 32) + 2·32·8 + 8 = 4680; states and deltas
  /// 2·2·20·16·32 = 40960, logits 2·20·16·8 = 5120, inputs 20·16·32 = 10240: 61000 scalars.
  /// LSTM: parameters 2·(32·128 + 32·128 + 128) + 520 = 17160; per row of a direction gates
  /// 128, outputs, states, tanh(states) and output deltas 32 each (256), 2·320·256 = 163840,
  /// state deltas 2·16·32 = 1024, logits and inputs 15360: 197384. GRU: parameters
  /// 2·(32·96 + 32·96 + 96 + 32) + 520 = 13064; per row gates 96, recurrent products 96,
  /// outputs and output deltas 32 each (256): 163840; with logits and inputs 192264.
  @Test func parametersAndActivationsMatchAHandCount() throws {
    let small = try Self.workload("small")
    #expect(small.parametersAndActivations == 61000)
    #expect(small.with(cell: "lstm").parametersAndActivations == 197384)
    #expect(small.with(cell: "gru").parametersAndActivations == 192264)
  }

  /// The gated workloads' specs build the cell they name.
  @Test func workloadSpecNamesTheCell() throws {
    for cell in BenchmarkWorkload.cells {
      let small = try Self.workload("small").with(cell: cell)
      #expect(small.specText.contains("cell: \(cell)}"))
      let experiment = try Experiment(spec: SpecNode.parse(small.specText, sourceName: "b"))
      #expect(experiment.model.cell.name == cell)
    }
    #expect(
      try Self.workload("small").with(cell: "gru").torchArguments(threads: 2).suffix(4) == [
        "--threads", "2", "--cell", "gru",
      ])
  }

  /// Each child runs without the variables that pin OpenBLAS's kernels, unless kept; the
  /// report says which.
  @Test func childEnvironmentDropsTheBLASVariables() {
    let parent = ["OPENBLAS_CORETYPE": "Haswell", "OPENBLAS_L2_SIZE": "512", "HOME": "/root"]
    #expect(Benchmark.childEnvironment(parent, keepBLAS: false) == ["HOME": "/root"])
    #expect(Benchmark.childEnvironment(parent, keepBLAS: true) == parent)
    #expect(
      Benchmark.describeEnvironment(parent, keepBLAS: false)
        == "`OPENBLAS_CORETYPE` and `OPENBLAS_L2_SIZE` removed (were OPENBLAS_CORETYPE=Haswell, "
        + "OPENBLAS_L2_SIZE=512)")
    #expect(
      Benchmark.describeEnvironment(["HOME": "/"], keepBLAS: true)
        == "`OPENBLAS_CORETYPE` and `OPENBLAS_L2_SIZE` kept (--keep-blas-env); neither was set")
  }

  /// The threadpoolctl line the reference's wrapper writes, read into one phrase.
  @Test func blasKernelsAreReadFromTheWrapperOutput() {
    let info =
      #"[{"user_api": "blas", "internal_api": "openblas", "version": "0.3.27", "#
      + #""num_threads": 2, "architecture": "SkylakeX"}, {"user_api": "openmp"}]"#
    #expect(
      Benchmark.blasKernels(fromErrors: "warning\n" + Benchmark.blasInfoMarker + info + "\n")
        == "openblas 0.3.27, architecture SkylakeX, 2 threads")
    #expect(
      Benchmark.blasKernels(fromErrors: Benchmark.blasInfoMarker + "null\n")
        == "not reported (threadpoolctl not installed)")
    #expect(
      Benchmark.blasKernels(fromErrors: "Traceback\n")
        == "not reported (no threadpoolctl output)")
  }

  /// The wrapper runs a script as `__main__` with its arguments and reports threadpoolctl's
  /// view of that process, when Python is here.
  @Test func referenceWrapperRunsTheScriptAndReportsItsKernels() throws {
    let folder = FileManager.default.temporaryDirectory
      .appendingPathComponent("recur-wrapper-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let script = folder.appendingPathComponent("peer.py")
    try Data(
      "import sys\nif __name__ == '__main__':\n    print('{\"tokens_per_s\": %s}' % sys.argv[2])\n"
        .utf8
    ).write(to: script)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", Benchmark.referenceWrapper, script.path, "--x", "7"]
    let (output, errors) = (Pipe(), Pipe())
    process.standardOutput = output
    process.standardError = errors
    guard (try? process.run()) != nil else { return }
    let printed = String(
      decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    let errorText = String(
      decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard process.terminationStatus != 127 else { return }  // no python3
    #expect(process.terminationStatus == 0, "\(errorText)")
    #expect(printed == "{\"tokens_per_s\": 7}\n")
    #expect(errorText.contains(Benchmark.blasInfoMarker))
    #expect(Benchmark.blasKernels(fromErrors: errorText).hasPrefix("not reported") == false
      || errorText.contains(Benchmark.blasInfoMarker + "null"))
  }

  @Test func medians() {
    #expect(Benchmark.median([3, 1, 2]) == 2)
    #expect(Benchmark.median([4, 1, 3, 2]) == 2.5)
    #expect(Benchmark.median([7]) == 7)
  }

  /// The spec a workload trains assembles through the registry with its sizes and plain SGD.
  @Test func workloadSpecAssembles() throws {
    let medium = try Self.workload("medium")
    let experiment = try Experiment(spec: SpecNode.parse(medium.specText, sourceName: "b"))
    #expect(experiment.datasetType == "random-dense")
    #expect(experiment.model.shape.inputSize == 64)
    #expect(experiment.model.shape.hiddenSize == 128)
    #expect(experiment.model.shape.outputSize == 17)
    #expect(experiment.model.shape.directions == [.forward, .backward])
    #expect(experiment.plan == TrainingPlan(epochs: 3, batchSize: 32, shuffle: false))
    #expect(experiment.optimizer.learningRate == 0.1)
    #expect(experiment.dataset.examples(.train).count == 2048)
    #expect(experiment.dataset.examples(.train)[0].length == 32)
    #expect(
      medium.referenceArguments(threads: 2) == [
        "--model", "brnn", "--input", "64", "--hidden", "128", "--classes", "17", "--seq-len",
        "32", "--batch", "32", "--sequences", "2048", "--epochs", "3", "--threads", "2",
      ])
  }

  /// The long workloads train medium's network on sequences of 250, 500 and 1,000 steps, every
  /// epoch the same number of tokens, and their specs assemble with that length.
  @Test func longWorkloadsKeepMediumsSizesAndTheTokensPerEpoch() throws {
    let medium = try Self.workload("medium")
    let long = BenchmarkWorkload.long
    #expect(long.map(\.name) == ["long-250", "long-500", "long"])
    #expect(long.map(\.steps) == [250, 500, 1000])
    #expect(Set(long.map { $0.steps * $0.sequences }) == [128_000])
    for workload in long {
      #expect(workload.batch == 16)
      let sizes: [Int] = [workload.input, workload.hidden, workload.classes]
      #expect(sizes == [medium.input, medium.hidden, medium.classes])
      let experiment = try Experiment(spec: SpecNode.parse(workload.specText, sourceName: "b"))
      #expect(experiment.dataset.examples(.train).count == workload.sequences)
      #expect(experiment.dataset.examples(.train)[0].length == workload.steps)
    }
    #expect(Array(BenchmarkWorkload.all.map(\.name).suffix(3)) == long.map(\.name))
  }

  /// One positive rate per kernel the CPU runs, in `ProductKernel.available` order.
  @Test func stepProductIsMeasuredUnderEveryKernel() {
    let step = Benchmark.stepProductRates(batch: 3, hidden: 40, repeats: 1)
    #expect(step.batch == 3 && step.hidden == 40)
    #expect(step.rates.map(\.kernel) == ProductKernel.available(for: Float.self))
    #expect(step.rates.allSatisfy { $0.gigaflops > 0 && $0.gigaflops.isFinite })
  }

  /// The rendered table read back cell by cell: medians, GFLOP/s, share of peak, memory, ratio.
  @Test func reportRendersAndParsesBack() throws {
    let small = try Self.workload("small")
    let large = try Self.workload("large")
    func sample(_ rate: Double, _ bytes: Int, peak: Double = 100) -> BenchmarkSample {
      BenchmarkSample(
        tokensPerSecond: rate, seconds: 1, finalLoss: 2, peakResidentBytes: bytes,
        residentAtStartBytes: bytes / 4, residentBeforeTrainingBytes: bytes / 2,
        execution: ExecutionPlan(
          parallelDirections: true, blasThreads: 1, blasCore: "Haswell", recurrentProduct: .avx2),
        sgemmPeak: peak)
    }
    let report = BenchmarkReport(
      machine: .init(
        cpu: "Test CPU", cores: 2, blas: "OpenBLAS x", sgemmPeak: 100, sgemmThreads: 2,
        stepProduct: StepProductMeasurement(
          batch: 64, hidden: 512,
          rates: [.init(kernel: .blas, gigaflops: 120.04), .init(kernel: .avx2, gigaflops: 80)])),
      rows: [
        .init(
          workload: small,
          samples: [
            sample(1_000_000, 10_485_760), sample(900_000, 20_971_520, peak: 50),
            sample(1_100_000, 0),
          ],
          referenceTokensPerSecond: [400_000, 500_000, 600_000],
          referenceKernels: ["openblas 0.3.27, architecture SkylakeX, 2 threads"],
          torchTokensPerSecond: [250_000, 200_000, 100_000],
          torchKernels: ["torch 2.9, CPU capability AVX512", "torch 2.9, CPU capability AVX512"]),
        .init(workload: large, samples: [sample(20_000, 1_048_576)], referenceTokensPerSecond: []),
      ],
      command: "runner bench", date: "2026-01-01T00:00:00.000Z", reference: "ref.py",
      torch: "bench/torch_peer.py", blasEnvironment: "`OPENBLAS_CORETYPE` removed",
      notes: ["the NumPy reference trains Elman networks only"])
    let text = report.markdown()
    let lines = text.split(separator: "\n").map(String.init)
    let header = try #require(lines.first { $0.hasPrefix("| workload |") })
    func cells(_ line: String) -> [String] {
      line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
    }
    #expect(cells(header) == BenchmarkReport.columns)
    func row(_ name: String) throws -> [String: String] {
      let line = try #require(lines.first { $0.hasPrefix("| \(name) |") })
      return Dictionary(uniqueKeysWithValues: zip(BenchmarkReport.columns, cells(line)))
    }
    let smallRow = try row("small")
    #expect(smallRow["H"] == "32")
    #expect(smallRow["tokens/s"] == "1000000")
    // 1e6 tokens/s × 22937.6 FLOP = 22.94 GFLOP/s at the median rate, over the median peak of
    // 100, 50 and 100 GFLOP/s. Each run against its own peak: 22.9%, 41.3%, 25.2%.
    #expect(smallRow["GFLOP/s"] == "22.9")
    #expect(smallRow["sgemm peak (GFLOP/s)"] == "100.0")
    #expect(smallRow["share of sgemm peak"] == "22.9%")
    // The largest sample: 20 MiB, a quarter at the start, half before training; 61000 · 4
    // bytes = 0.23 MiB, and (20 − 5) MiB / 244000 bytes = 64.46×.
    #expect(smallRow["peak RSS (MiB)"] == "20.0")
    #expect(smallRow["runtime (MiB)"] == "5.0")
    #expect(smallRow["data (MiB)"] == "5.0")
    #expect(smallRow["training (MiB)"] == "10.0")
    #expect(smallRow["parameters + activations (MiB)"] == "0.2")
    #expect(smallRow["(data + training) / (parameters + activations)"] == "64.46×")
    #expect(smallRow["reference tokens/s"] == "500000")
    #expect(smallRow["Recur / reference"] == "2.00×")
    #expect(smallRow["cell"] == "elman")
    #expect(smallRow["PyTorch tokens/s"] == "200000")
    #expect(smallRow["Recur / PyTorch"] == "5.00×")
    #expect(
      smallRow["execution"]
        == "directions in parallel, BLAS 1 thread (Haswell), recurrent products: avx2")
    let largeRow = try row("large")
    #expect(largeRow["reference tokens/s"] == "–")
    #expect(largeRow["Recur / reference"] == "–")
    #expect(largeRow["Recur / PyTorch"] == "–")
    #expect(text.contains("- environment of every child process: `OPENBLAS_CORETYPE` removed\n"))
    #expect(text.contains("- note: the NumPy reference trains Elman networks only\n"))
    #expect(text.contains("- PyTorch: `python3 bench/torch_peer.py` with `--threads 2`"))
    #expect(
      text.contains(
        "- small: Recur OpenBLAS Haswell; reference openblas 0.3.27, architecture SkylakeX, 2 "
          + "threads; PyTorch torch 2.9, CPU capability AVX512\n"))
    #expect(text.contains("- large: Recur OpenBLAS Haswell\n"))
    #expect(text.contains("CPU: Test CPU, 2 cores"))
    #expect(
      text.contains(
        "- per-step product 64×512·512×512 on one thread (best of 5 rounds of 50, W prepared "
          + "once per round): blas 120.0 GFLOP/s, avx2 80.0 GFLOP/s\n"))
    #expect(text.contains("sgemm peak at the start: 100.0 GFLOP/s"))
    #expect(
      text.contains(
        "- small: Recur 1000000 (22.9%), 900000 (41.3%), 1100000 (25.2%); reference 400000, "
          + "500000, 600000; PyTorch 250000, 200000, 100000"))
  }
}

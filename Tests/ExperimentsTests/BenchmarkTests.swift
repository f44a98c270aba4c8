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

  /// Small: parameters 2·(32·32 + 32·32 + 32) + 2·32·8 + 8 = 4680; states and deltas
  /// 2·2·20·16·32 = 40960, logits 2·20·16·8 = 5120, inputs 20·16·32 = 10240: 61000 scalars.
  @Test func parametersAndActivationsMatchAHandCount() throws {
    #expect(try Self.workload("small").parametersAndActivations == 61000)
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
          referenceTokensPerSecond: [400_000, 500_000, 600_000]),
        .init(workload: large, samples: [sample(20_000, 1_048_576)], referenceTokensPerSecond: []),
      ],
      command: "runner bench", date: "2026-01-01T00:00:00.000Z", reference: "ref.py")
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
    #expect(
      smallRow["execution"]
        == "directions in parallel, BLAS 1 thread (Haswell), recurrent products: avx2")
    let largeRow = try row("large")
    #expect(largeRow["reference tokens/s"] == "–")
    #expect(largeRow["Recur / reference"] == "–")
    #expect(text.contains("CPU: Test CPU, 2 cores"))
    #expect(
      text.contains(
        "- per-step product 64×512·512×512 on one thread (best of 5 rounds of 50, W prepared "
          + "once per round): blas 120.0 GFLOP/s, avx2 80.0 GFLOP/s\n"))
    #expect(text.contains("sgemm peak at the start: 100.0 GFLOP/s"))
    #expect(
      text.contains(
        "- small: Recur 1000000 (22.9%), 900000 (41.3%), 1100000 (25.2%); reference 400000, "
          + "500000, 600000"))
  }
}

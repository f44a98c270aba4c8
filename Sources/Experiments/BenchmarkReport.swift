import Foundation
import Recur

/// The benchmark's results for a reader: the machine, then one table row per workload with the
/// medians, rendered as markdown (`bench/RESULTS.md`).
public struct BenchmarkReport: Sendable {
  /// Where the benchmark ran.
  public struct Machine: Sendable, Equatable {
    public var cpu: String
    public var cores: Int
    /// OpenBLAS's build line and the kernels it chose.
    public var blas: String
    /// The measured single-precision product rate, GFLOP/s.
    public var sgemmPeak: Double
    /// The BLAS threads that rate was measured on.
    public var sgemmThreads: Int
    /// The per-step product of the largest workload on one thread, per kernel.
    public var stepProduct: StepProductMeasurement?

    public init(
      cpu: String, cores: Int, blas: String, sgemmPeak: Double, sgemmThreads: Int,
      stepProduct: StepProductMeasurement? = nil
    ) {
      self.cpu = cpu
      self.cores = cores
      self.blas = blas
      self.sgemmPeak = sgemmPeak
      self.sgemmThreads = sgemmThreads
      self.stepProduct = stepProduct
    }

  }

  /// One workload: every Recur sample and every peer's rate (none when not compared).
  public struct Row: Sendable, Equatable {
    public var workload: BenchmarkWorkload
    public var samples: [BenchmarkSample]
    public var referenceTokensPerSecond: [Double]
    /// The BLAS kernels each reference run reported, in run order.
    public var referenceKernels: [String]
    public var torchTokensPerSecond: [Double]
    /// The kernels each PyTorch run reported, in run order.
    public var torchKernels: [String]

    public init(
      workload: BenchmarkWorkload, samples: [BenchmarkSample], referenceTokensPerSecond: [Double],
      referenceKernels: [String] = [], torchTokensPerSecond: [Double] = [],
      torchKernels: [String] = []
    ) {
      self.workload = workload
      self.samples = samples
      self.referenceTokensPerSecond = referenceTokensPerSecond
      self.referenceKernels = referenceKernels
      self.torchTokensPerSecond = torchTokensPerSecond
      self.torchKernels = torchKernels
    }

    /// Median Recur tokens per second.
    public var tokensPerSecond: Double { Benchmark.median(samples.map(\.tokensPerSecond)) }
    /// Achieved GFLOP/s at the median rate (`flopsPerToken` × tokens/s).
    public var gigaflops: Double { gigaflops(at: tokensPerSecond) }
    /// Each run's GFLOP/s over the sgemm peak that run measured, in run order.
    public var shares: [Double] {
      samples.map { gigaflops(at: $0.tokensPerSecond) / $0.sgemmPeak }
    }

    func gigaflops(at tokensPerSecond: Double) -> Double {
      tokensPerSecond * workload.flopsPerToken / 1e9
    }
    /// The median sgemm peak the runs measured, GFLOP/s.
    public var sgemmPeak: Double { Benchmark.median(samples.map(\.sgemmPeak)) }
    /// The share of the sgemm peak: GFLOP/s at the median rate over the median peak.
    public var share: Double { gigaflops / sgemmPeak }
    /// The sample with the largest peak resident set: the memory columns describe it.
    public var largestFootprint: BenchmarkSample? {
      samples.max { $0.peakResidentBytes < $1.peakResidentBytes }
    }
    /// Median reference tokens per second, when compared.
    public var referenceMedian: Double? {
      referenceTokensPerSecond.isEmpty ? nil : Benchmark.median(referenceTokensPerSecond)
    }
    /// Recur / reference, from the medians.
    public var ratio: Double? { referenceMedian.map { tokensPerSecond / $0 } }
    /// Median PyTorch tokens per second, when compared.
    public var torchMedian: Double? {
      torchTokensPerSecond.isEmpty ? nil : Benchmark.median(torchTokensPerSecond)
    }
    /// Recur / PyTorch, from the medians.
    public var torchRatio: Double? { torchMedian.map { tokensPerSecond / $0 } }
  }

  public var machine: Machine
  public var rows: [Row]
  /// The command that produced the report.
  public var command: String
  /// ISO 8601, UTC.
  public var date: String
  /// The reference script compared against, when there is one.
  public var reference: String?
  /// The PyTorch peer script compared against, when there is one.
  public var torch: String?
  /// What the child processes' environment did with `Benchmark.blasVariables`.
  public var blasEnvironment: String
  /// Why a requested peer did not run (the reference for a gated cell, PyTorch without torch).
  public var notes: [String]

  public init(
    machine: Machine, rows: [Row], command: String, date: String, reference: String?,
    torch: String? = nil, blasEnvironment: String = "", notes: [String] = []
  ) {
    self.machine = machine
    self.rows = rows
    self.command = command
    self.date = date
    self.reference = reference
    self.torch = torch
    self.blasEnvironment = blasEnvironment
    self.notes = notes
  }

  /// The column titles of the results table, in order.
  public static let columns = [
    "workload", "model", "cell", "I", "H", "K", "T", "batch", "sequences", "epochs", "tokens/s",
    "GFLOP/s", "sgemm peak (GFLOP/s)", "share of sgemm peak", "peak RSS (MiB)", "runtime (MiB)",
    "data (MiB)",
    "training (MiB)", "parameters + activations (MiB)",
    "(data + training) / (parameters + activations)",
    "execution", "reference tokens/s", "Recur / reference", "PyTorch tokens/s",
    "Recur / PyTorch",
  ]

  /// The report as markdown: machine, results table, every sample, the FLOP count.
  public func markdown() -> String {
    var text = "# Recur benchmark\n\n"
    text += "Produced by `\(command)` on \(date).\n\n"
    text += "## Machine\n\n"
    text += "- CPU: \(machine.cpu), \(machine.cores) cores\n"
    text += "- BLAS of the comparing process (its environment as started): \(machine.blas)\n"
    text +=
      "- sgemm peak at the start: \(Self.fixed(machine.sgemmPeak, 1)) GFLOP/s (best of 5 "
      + "products 2048×2048·2048×2048 in Float32 on \(machine.sgemmThreads) BLAS threads); "
      + "every Recur run measures it again right after its timed epochs\n"
    if let step = machine.stepProduct {
      let (b, h) = (step.batch, step.hidden)
      text +=
        "- per-step product \(b)×\(h)·\(h)×\(h) on one thread (best of 5 rounds of 50, W "
        + "prepared once per round): "
        + step.rates.map { "\($0.kernel.rawValue) \(Self.fixed($0.gigaflops, 1)) GFLOP/s" }
        .joined(separator: ", ") + "\n"
    }
    if !blasEnvironment.isEmpty {
      text += "- environment of every child process: \(blasEnvironment)\n"
    }
    if let reference {
      text += "- reference: `python3 \(reference)` with `--threads 2`, run alternately with Recur\n"
    }
    if let torch {
      text +=
        "- PyTorch: `python3 \(torch)` with `--threads 2` (torch.set_num_threads), run "
        + "alternately with Recur\n"
    }
    for note in notes { text += "- note: \(note)\n" }
    text += "\n## Results\n\n"
    text += "Medians over \(rows.first?.samples.count ?? 0) runs per implementation; "
    text += "every run is a fresh process with one untimed warm-up epoch.\n\n"
    text += "| " + Self.columns.joined(separator: " | ") + " |\n"
    text += "|" + String(repeating: "---|", count: Self.columns.count) + "\n"
    for row in rows {
      let w = row.workload
      var cells: [String] = [
        w.name, w.model, w.cell, "\(w.input)", "\(w.hidden)", "\(w.classes)", "\(w.steps)",
        "\(w.batch)", "\(w.sequences)", "\(w.epochs)", Self.fixed(row.tokensPerSecond, 0),
        Self.fixed(row.gigaflops, 1),
        Self.fixed(row.sgemmPeak, 1), Self.fixed(100 * row.share, 1) + "%",
      ]
      let memory = row.largestFootprint
      let start = memory?.residentAtStartBytes ?? 0
      let before = memory?.residentBeforeTrainingBytes ?? 0
      let peak = memory?.peakResidentBytes ?? 0
      let budget = Double(4 * w.parametersAndActivations)
      cells += [
        Self.mebibytes(peak), Self.mebibytes(start), Self.mebibytes(before - start),
        Self.mebibytes(peak - before), Self.fixed(budget / 1_048_576, 1),
        Self.fixed(Double(peak - start) / budget, 2) + "×",
        row.samples.first.map { Self.describe($0.execution) } ?? "–",
        row.referenceMedian.map { Self.fixed($0, 0) } ?? "–",
        row.ratio.map { Self.fixed($0, 2) + "×" } ?? "–",
        row.torchMedian.map { Self.fixed($0, 0) } ?? "–",
        row.torchRatio.map { Self.fixed($0, 2) + "×" } ?? "–",
      ]
      text += "| " + cells.joined(separator: " | ") + " |\n"
    }
    text += "\n## Every run (tokens/s, in the order they ran)\n\n"
    for row in rows {
      text +=
        "- \(row.workload.name): Recur "
        + zip(row.samples, row.shares).map {
          "\(Self.fixed($0.tokensPerSecond, 0)) (\(Self.fixed(100 * $1, 1))%)"
        }.joined(separator: ", ")
      if !row.referenceTokensPerSecond.isEmpty {
        text +=
          "; reference "
          + row.referenceTokensPerSecond.map { Self.fixed($0, 0) }.joined(separator: ", ")
      }
      if !row.torchTokensPerSecond.isEmpty {
        text +=
          "; PyTorch "
          + row.torchTokensPerSecond.map { Self.fixed($0, 0) }.joined(separator: ", ")
      }
      text += "\n"
    }
    text += "\n## Kernels each peer ran\n\n"
    for row in rows {
      var peers = [
        "Recur " + Self.distinct(row.samples.map { "OpenBLAS \($0.execution.blasCore)" })
      ]
      if !row.referenceKernels.isEmpty {
        peers.append("reference " + Self.distinct(row.referenceKernels))
      }
      if !row.torchKernels.isEmpty { peers.append("PyTorch " + Self.distinct(row.torchKernels)) }
      text += "- \(row.workload.name): " + peers.joined(separator: "; ") + "\n"
    }
    text += """

      ## How the numbers are counted

      - tokens/s: sequence steps trained per second of the timed epochs (batch building, \
      forward, BPTT and the SGD update; no evaluation).
      - GFLOP/s: tokens/s × FLOP per token, where FLOP per token counts the matrix products of \
      forward and backward, a multiply-add as 2: `D·(4·I·G·H + 6·H·G·H·(T−1)/T + 6·H·K)` (D = 2 \
      for a BRNN; G = 1 gate block for Elman, 4 for the LSTM, 3 for the GRU). Element-wise work \
      is left out.
      - sgemm peak and share: every Recur run measures the sgemm peak (as above) right after \
      its timed epochs; the table gives the median of those peaks, and the share is the \
      GFLOP/s at the median rate over it. Each run's own share is in parentheses in the list \
      of every run: the speed of a shared machine drifts, and they show by how much.
      - memory, of the Recur process with the largest peak: peak RSS is its `VmHWM`, \
      everything included. Runtime: the resident set when the measurement began (the \
      executable, Foundation, the Swift runtime, OpenBLAS). Data: what generating the data \
      (Float32) and building the network added. Training: the peak less the resident set \
      before the first batch (workspaces, gradients, packed weights, batches, BLAS buffers). \
      Parameters + activations: per direction U, W, c (`I·G·H + H·G·H + G·H`) and the cell's \
      own (the GRU's `c_hn`, H), then `D·H·K + K`; and per direction and step row the kept \
      buffers (Elman `2·H`: outputs and their deltas; LSTM `8·H`: gates, outputs, cell \
      states, tanh of them, output deltas; GRU `8·H`: gates, recurrent products, outputs, \
      output deltas), the LSTM's state delta `B·H`, `D·T·B·K` logits and `T·B·I` inputs, 4 \
      bytes each; the last memory column is the peak less the runtime over that.

      """
    return text
  }

  /// "directions in parallel, BLAS 1 thread" or "BLAS 2 threads", the BLAS kernels and the
  /// recurrent product kernel.
  static func describe(_ plan: ExecutionPlan) -> String {
    let threads = "BLAS \(plan.blasThreads) thread" + (plan.blasThreads == 1 ? "" : "s")
    return (plan.parallelDirections ? "directions in parallel, " : "") + threads
      + " (\(plan.blasCore)), recurrent products: \(plan.recurrentProduct.rawValue)"
  }

  /// The distinct values in first-seen order, joined: one kernel when every run agreed.
  static func distinct(_ values: [String]) -> String {
    var seen: [String] = []
    for value in values where !seen.contains(value) { seen.append(value) }
    return seen.joined(separator: " / ")
  }

  static func mebibytes(_ bytes: Int) -> String { fixed(Double(bytes) / 1_048_576, 1) }

  static func fixed(_ value: Double, _ digits: Int) -> String {
    String(format: "%.\(digits)f", value)
  }
}

import Foundation
import Recur
import Tensors
import YAMLSpec

/// One benchmark workload: a model size, its cell and a training plan on `random-dense` data,
/// the same flags the NumPy reference (`reference_brnn.py`, Elman only) takes.
public struct BenchmarkWorkload: Sendable, Equatable, Codable {
  public var name: String
  /// `rnn` or `brnn`.
  public var model: String
  /// The recurrent cell: `elman`, `lstm` or `gru`.
  public var cell: String
  public var input: Int
  public var hidden: Int
  public var classes: Int
  public var steps: Int
  public var batch: Int
  public var sequences: Int
  /// Timed epochs (one untimed warm-up epoch runs first).
  public var epochs: Int

  public init(
    name: String, model: String, cell: String = "elman", input: Int, hidden: Int, classes: Int,
    steps: Int, batch: Int, sequences: Int, epochs: Int
  ) {
    self.name = name
    self.model = model
    self.cell = cell
    self.input = input
    self.hidden = hidden
    self.classes = classes
    self.steps = steps
    self.batch = batch
    self.sequences = sequences
    self.epochs = epochs
  }

  /// The three workloads of `../shared/bench/README.md`.
  public static let standard: [BenchmarkWorkload] = [
    BenchmarkWorkload(
      name: "small", model: "brnn", input: 32, hidden: 32, classes: 8, steps: 20, batch: 16,
      sequences: 2048, epochs: 3),
    BenchmarkWorkload(
      name: "medium", model: "brnn", input: 64, hidden: 128, classes: 17, steps: 32, batch: 32,
      sequences: 2048, epochs: 3),
    BenchmarkWorkload(
      name: "large", model: "brnn", input: 128, hidden: 512, classes: 50, steps: 50, batch: 64,
      sequences: 512, epochs: 2),
  ]

  /// Long sequences: the medium workload's sizes (I = 64, H = 128, K = 17) over T = 250, 500
  /// and 1,000 steps in batches of 16, each epoch the same 128,000 tokens, so that their
  /// tokens/s compare with medium's and their memory shows how it grows with T.
  public static let long: [BenchmarkWorkload] = [
    ("long-250", 250, 512), ("long-500", 500, 256), ("long", 1000, 128),
  ].map { name, steps, sequences in
    BenchmarkWorkload(
      name: name, model: "brnn", input: 64, hidden: 128, classes: 17, steps: steps, batch: 16,
      sequences: sequences, epochs: 2)
  }

  /// Every workload `runner bench --workload` knows: the standard three, then the long ones.
  public static let all = standard + long

  /// The same workload with another cell.
  public func with(cell: String) -> BenchmarkWorkload {
    var workload = self
    workload.cell = cell
    return workload
  }

  /// The cells a workload can train.
  public static let cells = ["elman", "lstm", "gru"]

  /// D: 2 for a BRNN, 1 for an RNN.
  public var directions: Int { model == "brnn" ? 2 : 1 }

  /// The cell as the network builds it with the spec's defaults (tanh, no peepholes).
  var recurrentCell: any RecurrentCell {
    switch cell {
    case "lstm": return LSTMCell()
    case "gru": return GRUCell()
    default: return ElmanCell(activation: Tanh())
    }
  }

  /// G, the cell's gate blocks: 1 (Elman), 4 (LSTM), 3 (GRU).
  public var gateCount: Int { recurrentCell.gates.count }

  /// Floating-point operations of one training token (forward and backward), counting the
  /// matrix products only, a multiply-add as 2:
  ///
  ///     D · (4·I·G·H + 6·H·G·H·(T−1)/T + 6·H·K)
  ///
  /// Per direction and token: the input projection X U and its gradient Xᵀ Δ (2·I·G·H each);
  /// the recurrent product B W, its BPTT product Δ Wᵀ and the gradient Bᵀ Δ (2·H·G·H each, on
  /// the T−1 steps that have a previous step); the output layer B V, the error Δ_k Vᵀ and the
  /// gradient Bᵀ Δ_k (2·H·K each). Element-wise work (the gates, biases, softmax, the SGD
  /// update) is O(G·H + K) per token and left out, so the figure is a slight undercount.
  public var flopsPerToken: Double {
    let (i, h, k, t) = (Double(input), Double(hidden), Double(classes), Double(steps))
    let g = Double(gateCount)
    return Double(directions) * (4 * i * g * h + 6 * h * g * h * (t - 1) / t + 6 * h * k)
  }

  /// Scalars the training keeps: the parameters (per direction U, W, c and the cell's own, then
  /// the output layer `D·H·K + K`) plus the activations of one batch: per direction the
  /// buffers of every step (the gates unless they are the output, the outputs and their
  /// deltas, the cell state and scratch when the cell has them, the recurrent products when the
  /// cell takes them apart) and the state delta of one step, `D·T·B·K` logits and the second
  /// direction's share of them, `T·B·I` inputs. Elman: `D·(I·H + H² + H) + D·H·K + K` and
  /// `D·2·T·B·H + D·T·B·K + T·B·I`.
  public var parametersAndActivations: Int {
    let (d, h, cell) = (directions, hidden, recurrentCell)
    let width = cell.gates.count * h
    let own = cell.parameters.map { $0.width * h }.reduce(0, +)
    let parameters = d * (input * width + h * width + width + own) + d * h * classes + classes
    let rows = steps * batch
    var perRow = 2 * h + cell.scratchWidth * h
    if !cell.gatesAreOutput { perRow += width }
    if cell.carriesState { perRow += h }
    if !cell.addsRecurrentProduct { perRow += width }
    let stateDeltas = cell.carriesState ? batch * h : 0
    return parameters + d * (rows * perRow + stateDeltas) + d * rows * classes + rows * input
  }

  /// The PyTorch peer's (`bench/torch_peer.py`) flags: the reference's and the cell.
  public func torchArguments(threads: Int) -> [String] {
    referenceArguments(threads: threads) + ["--cell", cell]
  }

  /// The reference script's command-line flags for this workload.
  public func referenceArguments(threads: Int) -> [String] {
    [
      "--model", model, "--input", "\(input)", "--hidden", "\(hidden)", "--classes",
      "\(classes)", "--seq-len", "\(steps)", "--batch", "\(batch)", "--sequences",
      "\(sequences)", "--epochs", "\(epochs)", "--threads", "\(threads)",
    ]
  }

  /// The experiment spec the benchmark trains: the cell with its defaults, plain SGD (η = 0.1,
  /// no momentum) on `random-dense`, batches in order, no metrics.
  public var specText: String {
    """
    name: bench-\(name)
    seed: 0
    dataset: {type: random-dense, train_sequences: \(sequences), steps: \(steps), \
    input: \(input), classes: \(classes)}
    model: {type: \(model), hidden: \(hidden), cell: \(cell)}
    optimizer: {type: sgd, learning_rate: 0.1}
    training: {epochs: \(epochs), batch_size: \(batch), shuffle: false, metrics: []}

    """
  }
}

/// What one benchmark process measured for one workload.
public struct BenchmarkSample: Sendable, Equatable, Codable {
  public var tokensPerSecond: Double
  public var seconds: Double
  /// Mean training loss of the last timed epoch (over its batches, before each update).
  public var finalLoss: Double
  /// Peak resident memory of the process, bytes.
  public var peakResidentBytes: Int
  /// Resident memory when the measurement began, before the spec was read: the executable, its
  /// libraries and the Swift runtime, bytes.
  public var residentAtStartBytes: Int
  /// Resident memory once the data was generated and the network built, before the first
  /// batch, bytes: the peak less this is what training itself added.
  public var residentBeforeTrainingBytes: Int
  /// How the training used the cores.
  public var execution: ExecutionPlan
  /// The sgemm peak (`Benchmark.sgemmPeak`, BLAS on all cores) measured by the same process
  /// right after its timed epochs, GFLOP/s: the run's share of the peak is taken against it, so
  /// a machine whose speed drifts (busy neighbours) is compared with itself at that moment.
  public var sgemmPeak: Double

  public init(
    tokensPerSecond: Double, seconds: Double, finalLoss: Double, peakResidentBytes: Int,
    residentAtStartBytes: Int, residentBeforeTrainingBytes: Int, execution: ExecutionPlan,
    sgemmPeak: Double
  ) {
    self.sgemmPeak = sgemmPeak
    self.residentAtStartBytes = residentAtStartBytes
    self.residentBeforeTrainingBytes = residentBeforeTrainingBytes
    self.tokensPerSecond = tokensPerSecond
    self.seconds = seconds
    self.finalLoss = finalLoss
    self.peakResidentBytes = peakResidentBytes
    self.execution = execution
  }

  enum CodingKeys: String, CodingKey {
    case tokensPerSecond = "tokens_per_s"
    case seconds
    case finalLoss = "final_loss"
    case peakResidentBytes = "peak_resident_bytes"
    case residentAtStartBytes = "resident_at_start_bytes"
    case residentBeforeTrainingBytes = "resident_before_training_bytes"
    case execution
    case sgemmPeak = "sgemm_peak_gflops"
  }
}

/// One kernel's rate on the per-step recurrent product.
public struct StepProductRate: Sendable, Equatable {
  public var kernel: ProductKernel
  public var gigaflops: Double

  public init(kernel: ProductKernel, gigaflops: Double) {
    self.kernel = kernel
    self.gigaflops = gigaflops
  }
}

/// The per-step product `batch×hidden · hidden×hidden` measured under each kernel.
public struct StepProductMeasurement: Sendable, Equatable {
  public var batch: Int
  public var hidden: Int
  public var rates: [StepProductRate]

  public init(batch: Int, hidden: Int, rates: [StepProductRate]) {
    self.batch = batch
    self.hidden = hidden
    self.rates = rates
  }
}

/// The benchmark's measurements and arithmetic.
public enum Benchmark {
  /// Trains `workload` in this process through the normal spec → registry → `Trainer` path:
  /// one untimed warm-up epoch, then `workload.epochs` timed ones, under `execution` (by
  /// default the plan `runner run` would choose); then reads the memory peak and measures the
  /// sgemm peak on all cores.
  public static func measure(
    _ workload: BenchmarkWorkload, execution: ExecutionPlan? = nil,
    registry: Registry = .standard
  ) throws -> BenchmarkSample {
    let atStart = residentBytes(field: "VmRSS:") ?? 0
    let experiment = try Experiment(
      spec: SpecNode.parse(workload.specText, sourceName: "bench-\(workload.name)"),
      registry: registry)
    let network = experiment.network()
    let plan =
      execution
      ?? ExecutionPlan.choose(
        for: experiment.model.shape, cores: ProcessInfo.processInfo.activeProcessorCount)
    plan.apply(to: network)
    var trainer = experiment.trainer(for: network)
    let before = residentBytes(field: "VmRSS:") ?? 0
    _ = try trainer.trainEpoch(0)
    var seconds = 0.0
    var tokens = 0
    var loss = 0.0
    for epoch in 1...workload.epochs {
      let pass = try trainer.trainEpoch(epoch)
      seconds += pass.seconds
      tokens += pass.tokens
      loss = pass.loss
    }
    // Read the memory peak first: the sgemm operands would raise it.
    let peak = peakResidentBytes()
    BLAS.setThreads(ProcessInfo.processInfo.activeProcessorCount)
    return BenchmarkSample(
      tokensPerSecond: Double(tokens) / seconds, seconds: seconds, finalLoss: loss,
      peakResidentBytes: peak, residentAtStartBytes: atStart,
      residentBeforeTrainingBytes: before, execution: plan, sgemmPeak: sgemmPeak())
  }

  /// The best rate of `repeats` single-precision products `n×n · n×n` (after one untimed),
  /// in GFLOP/s (2·n³ per product), on BLAS's current threads.
  public static func sgemmPeak(size n: Int = 2048, repeats: Int = 5) -> Double {
    var a = [Float](repeating: 0, count: n * n)
    var generator = SeededGenerator(seed: 1)
    for index in a.indices { a[index] = Float(generator.uniform(in: -1...1)) }
    let b = a
    var c = [Float](repeating: 0, count: n * n)
    return bestRate(repeats: repeats, flops: 2 * pow(Double(n), 3)) {
      a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
          c.withUnsafeMutableBufferPointer { c in
            gemm(
              .none, .none, m: n, n: n, k: n, alpha: 1, a.baseAddress!, lda: n, b.baseAddress!,
              ldb: n, beta: 0, c.baseAddress!, ldc: n)
          }
        }
      }
    }
  }

  /// The best rate of `repeats` timed runs of `body` (after one untimed), in GFLOP/s, where one
  /// run does `flops` floating-point operations.
  static func bestRate(repeats: Int, flops: Double, _ body: () -> Void) -> Double {
    var best = 0.0
    for attempt in 0...repeats {
      let start = DispatchTime.now().uptimeNanoseconds
      body()
      let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
      if attempt > 0 { best = max(best, flops / seconds / 1e9) }
    }
    return best
  }

  /// The rate of the per-step recurrent product `B×H · H×H` (accumulating into C, as in the
  /// forward pass) on the calling thread under each kernel this CPU runs, in GFLOP/s: the best
  /// of `repeats` rounds of T = 50 products, W prepared once per round (as once per batch in
  /// training). BLAS runs on one thread meanwhile; its thread count is restored after.
  public static func stepProductRates(
    batch: Int, hidden h: Int, repeats: Int = 5
  ) -> StepProductMeasurement {
    var generator = SeededGenerator(seed: 2)
    let w = (0..<(h * h)).map { _ in Float(generator.uniform(in: -0.05...0.05)) }
    let states = (0..<(batch * h)).map { _ in Float(generator.uniform(in: -1...1)) }
    var c = [Float](repeating: 0, count: batch * h)
    let threads = BLAS.threads
    BLAS.setThreads(1)
    defer { BLAS.setThreads(threads) }
    let steps = 50
    let rates = ProductKernel.available(for: Float.self).map { kernel in
      let operand = PackedOperand<Float>(kernel: kernel)
      let best = bestRate(repeats: repeats, flops: 2 * Double(batch * h * h * steps)) {
        w.withUnsafeBufferPointer { w in
          states.withUnsafeBufferPointer { a in
            c.withUnsafeMutableBufferPointer { c in
              operand.prepare(w.baseAddress!, ldb: h, transposed: false, k: h, n: h)
              for _ in 0..<steps {
                operand.multiply(
                  m: batch, a.baseAddress!, lda: h, accumulate: true, into: c.baseAddress!,
                  ldc: h)
              }
            }
          }
        }
      }
      return StepProductRate(kernel: kernel, gigaflops: best)
    }
    return StepProductMeasurement(batch: batch, hidden: h, rates: rates)
  }

  /// The variables that pin OpenBLAS's kernels: a peer run with them set to an older core
  /// type runs slower kernels than its own library would choose.
  public static let blasVariables = ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"]

  /// The environment of a benchmark child process (Recur worker, reference, PyTorch): `parent`
  /// without `blasVariables` unless `keepBLAS`, so each peer runs its own library's kernel
  /// choice.
  public static func childEnvironment(
    _ parent: [String: String], keepBLAS: Bool
  ) -> [String: String] {
    keepBLAS ? parent : parent.filter { !blasVariables.contains($0.key) }
  }

  /// What `childEnvironment` does to `parent`, for the report.
  public static func describeEnvironment(_ parent: [String: String], keepBLAS: Bool) -> String {
    let set = blasVariables.compactMap { name in parent[name].map { "\(name)=\($0)" } }
    let names = blasVariables.map { "`\($0)`" }.joined(separator: " and ")
    if keepBLAS {
      return "\(names) kept (--keep-blas-env)"
        + (set.isEmpty ? "; neither was set" : ": " + set.joined(separator: ", "))
    }
    return "\(names) removed"
      + (set.isEmpty ? " (neither was set)" : " (were " + set.joined(separator: ", ") + ")")
  }

  /// The marker before the JSON of `threadpoolctl.threadpool_info()` that `referenceWrapper`
  /// writes to standard error.
  public static let blasInfoMarker = "recur-blas-info "

  /// Python code for `python3 -c` that runs the script in its first argument as `__main__`
  /// with the rest as its arguments, then writes `blasInfoMarker` and the JSON of
  /// `threadpoolctl.threadpool_info()` (null without threadpoolctl) to standard error: the
  /// kernels the script's own process ran, without changing the script.
  public static let referenceWrapper = """
    import json, runpy, sys
    script = sys.argv[1]
    sys.argv = sys.argv[1:]
    try:
        runpy.run_path(script, run_name="__main__")
    finally:
        try:
            import threadpoolctl
            info = threadpoolctl.threadpool_info()
        except ImportError:
            info = None
        sys.stderr.write("\(blasInfoMarker)" + json.dumps(info) + "\\n")
    """

  /// The BLAS libraries in `referenceWrapper`'s standard error, one phrase:
  /// `openblas 0.3.21, architecture SkylakeX, 2 threads`; a note when threadpoolctl was
  /// missing or the marker absent.
  public static func blasKernels(fromErrors errors: String) -> String {
    guard
      let line = errors.split(separator: "\n").last(where: { $0.hasPrefix(blasInfoMarker) })
    else { return "not reported (no threadpoolctl output)" }
    let json = Data(line.dropFirst(blasInfoMarker.count).utf8)
    guard let decoded = try? JSONSerialization.jsonObject(with: json, options: .fragmentsAllowed)
    else { return "not reported (unreadable threadpoolctl output)" }
    guard let libraries = decoded as? [[String: Any]] else {
      return "not reported (threadpoolctl not installed)"
    }
    let phrases = libraries.filter { $0["user_api"] as? String == "blas" }.map { library in
      var phrase = "\(library["internal_api"] ?? "blas") \(library["version"] ?? "")"
      if let architecture = library["architecture"] { phrase += ", architecture \(architecture)" }
      if let threads = library["num_threads"] { phrase += ", \(threads) threads" }
      return phrase
    }
    return phrases.isEmpty ? "no BLAS loaded" : phrases.joined(separator: " + ")
  }

  /// The median (the mean of the middle two for an even count). Precondition: not empty.
  public static func median(_ values: [Double]) -> Double {
    precondition(!values.isEmpty, "the median of nothing")
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
  }

  /// The process's peak resident set: `VmHWM` in /proc/self/status, else `ru_maxrss`.
  public static func peakResidentBytes() -> Int {
    if let bytes = residentBytes(field: "VmHWM:") { return bytes }
    var usage = rusage()
    #if os(Linux)
      getrusage(RUSAGE_SELF.rawValue, &usage)
      return Int(usage.ru_maxrss) * 1024  // kilobytes on Linux
    #else
      getrusage(RUSAGE_SELF, &usage)
      return Int(usage.ru_maxrss)  // bytes on macOS
    #endif
  }

  /// A memory field of /proc/self/status (`VmRSS:`, `VmHWM:`) in bytes, where there is one.
  static func residentBytes(field: String) -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else {
      return nil
    }
    for line in status.split(separator: "\n") where line.hasPrefix(field) {
      return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }.map { $0 * 1024 }
    }
    return nil
  }
}

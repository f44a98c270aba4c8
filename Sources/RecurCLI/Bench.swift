import ArgumentParser
import Experiments
import Foundation
import Recur
import Tensors

/// `runner bench`: training throughput on the benchmark workloads, optionally side by side with
/// the NumPy reference.
struct Bench: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Measure training speed on the benchmark workloads (small, medium, large, long).",
    discussion: """
      Each run is a fresh process: it generates the workload's random-dense data, trains one \
      untimed warm-up epoch with plain SGD and then the timed epochs, and measures the sgemm \
      peak right after them. The report gives per workload the median tokens/s over the \
      repeats, the achieved GFLOP/s, its share of the runs' median sgemm peak, and the peak \
      resident memory split into runtime, data and training. The long workloads (long-250, \
      long-500, long: T = 250, 500, 1000 at the medium sizes, the same tokens per epoch) show \
      how speed and memory go with the sequence length. --cell picks the cell (elman, \
      lstm, gru) of every workload. With --compare-reference, the NumPy reference (Elman \
      only) runs on the same workload alternately with Recur, and with --compare-torch the \
      PyTorch peer does; the ratios of the medians are reported. Every child process runs \
      without OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE (unless --keep-blas-env), so each peer \
      runs its own library's kernel choice, and the report names the kernels each ran.
      """)

  @Option(help: "The recurrent cell of every workload: elman, lstm or gru.")
  var cell = "elman"

  @Option(
    name: .customLong("workload"),
    help: ArgumentHelp(
      "A workload to run (repeatable): small, medium, large, or long-250, long-500 and long "
        + "(T = 250, 500, 1000 at medium's sizes). Default: small, medium and large."))
  var workloads: [String] = []

  @Option(help: "Runs per workload and implementation; the report gives medians.")
  var repeats = 5

  @Option(
    name: .customLong("compare-reference"),
    help: ArgumentHelp("Also run the NumPy reference script at PATH.", valueName: "PATH"))
  var reference: String?

  @Flag(
    name: .customLong("compare-torch"),
    help: "Also run PyTorch's nn.RNN/nn.LSTM/nn.GRU + nn.Linear (--torch-peer) alternately.")
  var compareTorch = false

  @Option(
    name: .customLong("torch-peer"),
    help: ArgumentHelp("The PyTorch peer script for --compare-torch.", valueName: "PATH"))
  var torchPeer = "bench/torch_peer.py"

  @Flag(
    name: .customLong("keep-blas-env"),
    help: "Pass OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE on to the child processes.")
  var keepBLASEnvironment = false

  @Option(help: "The Python interpreter that runs the reference and the PyTorch peer.")
  var python = "python3"

  @Option(help: ArgumentHelp("Write the markdown report to FILE.", valueName: "FILE"))
  var output: String?

  @Option(
    help: ArgumentHelp(
      "How Recur uses the cores: auto (what runner run chooses), directions (BRNN directions "
        + "in parallel, BLAS on 1 thread), blas (directions in turn, BLAS on all cores) or "
        + "serial (directions in turn, BLAS on 1 thread).",
      valueName: "auto|directions|blas|serial"))
  var execution = "auto"

  @Flag(help: .hidden)
  var worker = false

  /// The forced plan, or nil for the automatic choice.
  var forcedPlan: ExecutionPlan? {
    let cores = ProcessInfo.processInfo.activeProcessorCount
    switch execution {
    case "directions": return ExecutionPlan(parallelDirections: true, blasThreads: 1)
    case "blas": return ExecutionPlan(parallelDirections: false, blasThreads: cores)
    case "serial": return ExecutionPlan(parallelDirections: false, blasThreads: 1)
    default: return nil
    }
  }

  var selected: [BenchmarkWorkload] {
    let chosen =
      workloads.isEmpty
      ? BenchmarkWorkload.standard
      : workloads.compactMap { name in BenchmarkWorkload.all.first { $0.name == name } }
    return chosen.map { $0.with(cell: cell) }
  }

  /// The environment of every child process.
  var childEnvironment: [String: String] {
    Benchmark.childEnvironment(
      ProcessInfo.processInfo.environment, keepBLAS: keepBLASEnvironment)
  }

  func validate() throws {
    let known = BenchmarkWorkload.all.map(\.name)
    for name in workloads where !known.contains(name) {
      throw ValidationError(
        "unknown workload '\(name)'; expected one of: \(known.joined(separator: ", "))")
    }
    guard BenchmarkWorkload.cells.contains(cell) else {
      throw ValidationError(
        "unknown --cell '\(cell)'; expected one of: "
          + BenchmarkWorkload.cells.joined(separator: ", "))
    }
    guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
    guard ["auto", "directions", "blas", "serial"].contains(execution) else {
      throw ValidationError(
        "unknown --execution '\(execution)'; expected one of: auto, directions, blas, serial")
    }
    if worker && workloads.count != 1 {
      throw ValidationError("a benchmark worker runs exactly one --workload")
    }
    if let reference {
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: reference, isDirectory: &isDirectory),
        !isDirectory.boolValue
      else {
        throw ValidationError("--compare-reference: no file at '\(reference)'")
      }
    }
    if compareTorch {
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: torchPeer, isDirectory: &isDirectory),
        !isDirectory.boolValue
      else {
        throw ValidationError("--torch-peer: no file at '\(torchPeer)'")
      }
    }
    if let output {
      let parent = (output as NSString).deletingLastPathComponent
      let folder = parent.isEmpty ? "." : parent
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory),
        isDirectory.boolValue
      else {
        throw ValidationError("--output: no folder '\(folder)' to write '\(output)' in")
      }
    }
  }

  func run() throws {
    if worker {
      let sample = try Benchmark.measure(
        selected[0], execution: forcedPlan, registry: RunnerContext.registry)
      let encoder = JSONEncoder()
      encoder.outputFormatting = .sortedKeys
      Console.line(String(decoding: try encoder.encode(sample), as: UTF8.self))
      return
    }
    let cores = ProcessInfo.processInfo.activeProcessorCount
    BLAS.setThreads(cores)
    Console.error("measuring the sgemm peak on \(cores) BLAS threads…\n")
    let sgemmPeak = Benchmark.sgemmPeak()
    let largest = selected.max { $0.hidden < $1.hidden }!
    Console.error("measuring the per-step product on one thread…\n")
    let machine = BenchmarkReport.Machine(
      cpu: Manifest.Host.current.cpu, cores: cores,
      blas: "\(BLAS.configuration) (\(BLAS.coreName) kernels)",
      sgemmPeak: sgemmPeak, sgemmThreads: cores,
      stepProduct: Benchmark.stepProductRates(batch: largest.batch, hidden: largest.hidden))
    var notes: [String] = []
    var reference = self.reference
    if reference != nil && cell != "elman" {
      notes.append(
        "the NumPy reference trains Elman networks only: not run for the \(cell) cell")
      reference = nil
    }
    var torch = compareTorch ? torchPeer : nil
    if torch != nil, let failure = torchUnavailable() {
      notes.append("PyTorch not measured: `import torch` failed in \(python) (\(failure))")
      torch = nil
    }
    var rows: [BenchmarkReport.Row] = []
    for workload in selected {
      var row = BenchmarkReport.Row(workload: workload, samples: [], referenceTokensPerSecond: [])
      for run in 1...repeats {
        let sample = try runWorker(workload)
        row.samples.append(sample)
        var line =
          "\(workload.name) \(cell) run \(run)/\(repeats): Recur "
          + "\(Format.rate(sample.tokensPerSecond)) tok/s"
        if let reference {
          let (rate, kernels) = try runReference(reference, workload: workload)
          row.referenceTokensPerSecond.append(rate)
          row.referenceKernels.append(kernels)
          line += ", reference \(Format.rate(rate)) tok/s"
        }
        if let torch {
          let (rate, kernels) = try runTorch(torch, workload: workload)
          row.torchTokensPerSecond.append(rate)
          row.torchKernels.append(kernels)
          line += ", PyTorch \(Format.rate(rate)) tok/s"
        }
        Console.error(line + "\n")
      }
      rows.append(row)
    }
    let report = BenchmarkReport(
      machine: machine, rows: rows,
      command: (["runner"] + CommandLine.arguments.dropFirst()).joined(separator: " "),
      date: Manifest.timestamp(Date()), reference: reference, torch: torch,
      blasEnvironment: Benchmark.describeEnvironment(
        ProcessInfo.processInfo.environment, keepBLAS: keepBLASEnvironment),
      notes: notes)
    let text = report.markdown()
    Console.line(text)
    if let output {
      do {
        try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
      } catch {
        Console.error("error: cannot write \(output): \(error.localizedDescription)\n")
        throw Exit.failure
      }
    }
  }

  /// One Recur measurement in a child process of this executable, so each has its own peak
  /// resident memory.
  func runWorker(_ workload: BenchmarkWorkload) throws -> BenchmarkSample {
    let executable = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
    let output = try Self.capture(
      executable,
      [
        "bench", "--worker", "--workload", workload.name, "--cell", workload.cell,
        "--execution", execution,
      ],
      environment: childEnvironment, what: "Recur worker"
    ).output
    guard let line = output.split(separator: "\n").last,
      let sample = try? JSONDecoder().decode(BenchmarkSample.self, from: Data(line.utf8))
    else {
      Console.error("error: the Recur worker printed no measurement:\n\(output)\n")
      throw Exit.failure
    }
    return sample
  }

  /// One run of the reference script through `Benchmark.referenceWrapper`: its tokens per
  /// second and the BLAS kernels its process ran.
  func runReference(
    _ path: String, workload: BenchmarkWorkload
  ) throws -> (rate: Double, kernels: String) {
    let (output, errors) = try Self.capture(
      URL(fileURLWithPath: "/usr/bin/env"),
      [python, "-c", Benchmark.referenceWrapper, path]
        + workload.referenceArguments(threads: 2),
      environment: childEnvironment, what: "the reference")
    let line = try Self.peerLine(output, what: "the reference")
    return (line.tokensPerS, Benchmark.blasKernels(fromErrors: errors))
  }

  /// One run of the PyTorch peer: its tokens per second and the kernels it reported.
  func runTorch(
    _ path: String, workload: BenchmarkWorkload
  ) throws -> (rate: Double, kernels: String) {
    let (output, _) = try Self.capture(
      URL(fileURLWithPath: "/usr/bin/env"), [python, path] + workload.torchArguments(threads: 2),
      environment: childEnvironment, what: "the PyTorch peer")
    let line = try Self.peerLine(output, what: "the PyTorch peer")
    return (line.tokensPerS, line.kernel ?? "not reported")
  }

  /// Nil when `python -c "import torch"` works, else the last line of its error.
  func torchUnavailable() -> String? {
    do {
      _ = try Self.capture(
        URL(fileURLWithPath: "/usr/bin/env"), [python, "-c", "import torch"],
        environment: childEnvironment, what: "python", quiet: true)
      return nil
    } catch let failure as PeerFailure {
      return failure.message
    } catch {
      return "\(error)"
    }
  }

  /// The last line of a peer's standard output: `{"tokens_per_s": …}`.
  struct PeerLine: Decodable {
    var tokensPerS: Double
    var kernel: String?
    enum CodingKeys: String, CodingKey {
      case tokensPerS = "tokens_per_s"
      case kernel
    }
  }

  static func peerLine(_ output: String, what: String) throws -> PeerLine {
    guard let line = output.split(separator: "\n").last,
      let decoded = try? JSONDecoder().decode(PeerLine.self, from: Data(line.utf8))
    else {
      Console.error("error: \(what) printed no tokens_per_s:\n\(output)\n")
      throw Exit.failure
    }
    return decoded
  }

  /// A child that could not start or exited non-zero, when `capture` was asked to be quiet.
  struct PeerFailure: Error {
    var message: String
  }

  /// Runs a process to the end in `environment` and returns its standard output and error; a
  /// failure to start or a non-zero exit is reported with its standard error and exits 1 (or,
  /// when `quiet`, throws a `PeerFailure` with the error's last line).
  static func capture(
    _ executable: URL, _ arguments: [String], environment: [String: String], what: String,
    quiet: Bool = false
  ) throws -> (output: String, errors: String) {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.environment = environment
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    do {
      try process.run()
    } catch {
      if quiet { throw PeerFailure(message: "cannot start: \(error)") }
      Console.error("error: cannot start \(what) (\(executable.path)): \(error)\n")
      throw Exit.failure
    }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    let errorText = String(
      decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      if quiet {
        let last = errorText.split(separator: "\n").last.map(String.init)
        throw PeerFailure(message: last ?? "exit status \(process.terminationStatus)")
      }
      Console.error(
        "error: \(what) exited with status \(process.terminationStatus):\n" + errorText + "\n")
      throw Exit.failure
    }
    return (String(decoding: data, as: UTF8.self), errorText)
  }
}

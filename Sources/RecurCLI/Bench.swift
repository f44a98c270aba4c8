import ArgumentParser
import Experiments
import Foundation
import Recur
import Tensors

/// `runner bench`: training throughput on the benchmark workloads, optionally side by side with
/// the NumPy reference.
struct Bench: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Measure training speed on the benchmark workloads (small, medium, large).",
    discussion: """
      Each run is a fresh process: it generates the workload's random-dense data, trains one \
      untimed warm-up epoch with plain SGD and then the timed epochs, and measures the sgemm \
      peak right after them. The report gives per workload the median tokens/s over the \
      repeats, the achieved GFLOP/s, its share of the runs' median sgemm peak, and the peak \
      resident memory split into runtime, data and training. With \
      --compare-reference, the NumPy reference runs on the same workload alternately with \
      Recur and the ratio of the medians is reported.
      """)

  @Option(
    name: .customLong("workload"),
    help: "A workload to run (repeatable): small, medium or large. Default: all three.")
  var workloads: [String] = []

  @Option(help: "Runs per workload and implementation; the report gives medians.")
  var repeats = 5

  @Option(
    name: .customLong("compare-reference"),
    help: ArgumentHelp("Also run the NumPy reference script at PATH.", valueName: "PATH"))
  var reference: String?

  @Option(help: "The Python interpreter that runs the reference.")
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
    workloads.isEmpty
      ? BenchmarkWorkload.standard
      : workloads.compactMap { name in BenchmarkWorkload.standard.first { $0.name == name } }
  }

  func validate() throws {
    let known = BenchmarkWorkload.standard.map(\.name)
    for name in workloads where !known.contains(name) {
      throw ValidationError(
        "unknown workload '\(name)'; expected one of: \(known.joined(separator: ", "))")
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
    var rows: [BenchmarkReport.Row] = []
    for workload in selected {
      var row = BenchmarkReport.Row(workload: workload, samples: [], referenceTokensPerSecond: [])
      for run in 1...repeats {
        let sample = try runWorker(workload)
        row.samples.append(sample)
        var line =
          "\(workload.name) run \(run)/\(repeats): Recur \(Format.rate(sample.tokensPerSecond)) tok/s"
        if let reference {
          let rate = try runReference(reference, workload: workload)
          row.referenceTokensPerSecond.append(rate)
          line += ", reference \(Format.rate(rate)) tok/s"
        }
        Console.error(line + "\n")
      }
      rows.append(row)
    }
    let report = BenchmarkReport(
      machine: machine, rows: rows,
      command: (["runner"] + CommandLine.arguments.dropFirst()).joined(separator: " "),
      date: Manifest.timestamp(Date()), reference: reference)
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
      ["bench", "--worker", "--workload", workload.name, "--execution", execution],
      what: "Recur worker")
    guard let line = output.split(separator: "\n").last,
      let sample = try? JSONDecoder().decode(BenchmarkSample.self, from: Data(line.utf8))
    else {
      Console.error("error: the Recur worker printed no measurement:\n\(output)\n")
      throw Exit.failure
    }
    return sample
  }

  /// One run of the reference script; its tokens per second.
  func runReference(_ path: String, workload: BenchmarkWorkload) throws -> Double {
    let output = try Self.capture(
      URL(fileURLWithPath: "/usr/bin/env"),
      [python, path] + workload.referenceArguments(threads: 2), what: "the reference")
    struct Line: Decodable {
      var tokensPerS: Double
      enum CodingKeys: String, CodingKey { case tokensPerS = "tokens_per_s" }
    }
    guard let line = output.split(separator: "\n").last,
      let decoded = try? JSONDecoder().decode(Line.self, from: Data(line.utf8))
    else {
      Console.error("error: the reference printed no tokens_per_s:\n\(output)\n")
      throw Exit.failure
    }
    return decoded.tokensPerS
  }

  /// Runs a process to the end and returns its standard output; a failure to start or a
  /// non-zero exit is reported with its standard error and exits 1.
  static func capture(_ executable: URL, _ arguments: [String], what: String) throws -> String {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    do {
      try process.run()
    } catch {
      Console.error("error: cannot start \(what) (\(executable.path)): \(error)\n")
      throw Exit.failure
    }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      Console.error(
        "error: \(what) exited with status \(process.terminationStatus):\n"
          + String(decoding: errorData, as: UTF8.self) + "\n")
      throw Exit.failure
    }
    return String(decoding: data, as: UTF8.self)
  }
}

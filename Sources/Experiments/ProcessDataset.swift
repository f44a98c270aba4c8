import Foundation
import Recur
import YAMLSpec

/// `dataset.type: process`: the sequences an external command — a script in any language —
/// writes to its standard output as JSON Lines (`JSONLinesSequences` has the schema).
///
/// The command is an argument vector run without a shell, in the runner's working directory,
/// with standard input empty and the runner's environment plus `RECUR_SEED`, the run's data
/// seed (derived from `seed`, like the `data` stream of the generated datasets), which also
/// replaces `{seed}` in any argument. A command that does not exit with status 0 within
/// `timeout_s`, or whose output does not parse, is an error at `dataset.command` with the line
/// at fault and the last lines of its standard error.
public struct ProcessDataset: Dataset {
  /// What ran, for the manifest's provenance.
  public let record: Provenance.DataProcess
  private let data: JSONLinesSequences

  public var info: DatasetInfo { data.info }
  public var warnings: [String] { data.warnings }

  public func examples(_ split: Split) -> [SequenceExample] {
    data.examples(split)
  }

  /// How many lines of the command's standard error an error quotes.
  static let stderrLines = 10

  struct Options: SpecOptions {
    @SpecOption(
      help: "program and arguments (argv, no shell), run in the working directory; {seed} in "
        + "an argument becomes the data seed, also in RECUR_SEED")
    var command: [String]
    @SpecOption(
      default: 60, minimum: 0, minimumInclusive: false,
      help: "seconds the command may run before it is stopped (an error)")
    var timeoutS: Double
    @SpecOption(
      default: .framewise,
      help: "framewise (labels per step) or sequence (a label per sequence) classes, or the "
        + "-regression variants (numeric labels)")
    var task: TaskKind
    @SpecOption(
      range: 1...,
      help: "I: the dense width or the token vocabulary size; null = inferred (the width, or "
        + "the largest token id + 1)")
    var inputSize: Int?
  }

  /// Runs the command of the resolved `options` with `seed` and parses what it wrote.
  init(options: Options, seed: UInt64) throws(SpecError) {
    let argv = options.command.map { $0.replacingOccurrences(of: "{seed}", with: String(seed)) }
    guard let program = argv.first, !program.isEmpty else {
      throw options.$command.error(
        "the command is empty",
        expected: "the program and its arguments, e.g. [python3, make_data.py]")
    }
    let shown = argv.joined(separator: " ")
    let environment = ProcessInfo.processInfo.environment
    guard let executable = Self.executable(program, path: environment["PATH"]) else {
      throw options.$command.error(
        program.contains("/")
          ? "'\(program)' is not an executable file" : "no program '\(program)' on the PATH",
        expected: "a program on the PATH (e.g. python3) or the path of an executable file")
    }
    let named = (program.contains("/") ? [program] : []) + argv.dropFirst()
    var isDirectory: ObjCBool = false
    record = Provenance.DataProcess(
      command: argv, executable: executable, seed: seed,
      files: named.filter {
        FileManager.default.fileExists(atPath: $0, isDirectory: &isDirectory)
          && !isDirectory.boolValue
      }.map { Provenance.DataFile(path: $0, sha256: Fingerprint.sha256(file: $0)) })

    let outcome: ExternalCommand.Outcome
    do {
      outcome = try ExternalCommand.run(
        executable: executable, arguments: Array(argv.dropFirst()),
        environment: environment.merging(["RECUR_SEED": String(seed)]) { $1 },
        timeout: options.timeoutS)
    } catch {
      throw options.$command.error("cannot start \(shown): \(error.localizedDescription)")
    }
    let stderrTail = Self.tail(of: outcome.stderr)
    func failure(_ message: String, expected: String, line: String? = nil) -> SpecError {
      options.$command.error(
        message,
        expected: ([expected] + (line.map { ["the line: \($0)"] } ?? []) + stderrTail)
          .joined(separator: "\n"))
    }
    switch outcome.status {
    case .exited(0): break
    case .exited(let status):
      throw failure("\(shown) exited with status \(status)", expected: "exit status 0")
    case .signalled(let signal):
      throw failure("\(shown) was killed by signal \(signal)", expected: "exit status 0")
    case .timedOut:
      throw failure(
        "\(shown) did not finish within timeout_s (\(options.timeoutS) s) and was stopped",
        expected: "a command that finishes in time, or a larger timeout_s")
    }
    do {
      data = try JSONLinesSequences(
        outcome.stdout, source: "stdout", task: options.task, inputSize: options.inputSize)
    } catch {
      throw failure(
        "\(error.description) (output of \(shown))", expected: error.expected ?? "",
        line: error.line.map { Self.line($0, of: outcome.stdout) })
    }
  }

  /// The file `program` names: itself when it holds a slash, else the first executable of that
  /// name in the `path` folders.
  static func executable(_ program: String, path: String?) -> String? {
    let manager = FileManager.default
    if program.contains("/") {
      return manager.isExecutableFile(atPath: program) ? program : nil
    }
    for folder in (path ?? "/usr/bin:/bin").split(separator: ":") {
      let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent(program).path
      var isDirectory: ObjCBool = false
      if manager.isExecutableFile(atPath: candidate),
        manager.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue
      {
        return candidate
      }
    }
    return nil
  }

  /// Line `number` (from 1) of `data`, shortened to 200 characters.
  static func line(_ number: Int, of data: Data) -> String {
    let lines = data.split(separator: 0x0A, omittingEmptySubsequences: false)
    guard number >= 1, number <= lines.count else { return "" }
    let text = String(decoding: lines[number - 1], as: UTF8.self)
      .trimmingCharacters(in: .newlines)
    return text.count > 200 ? text.prefix(200) + "…" : text
  }

  /// The last `stderrLines` non-blank lines of `data` as an error quotes them: a heading and
  /// the lines indented; empty when there are none.
  static func tail(of data: Data) -> [String] {
    let lines = String(decoding: data, as: UTF8.self)
      .split(whereSeparator: \.isNewline)
      .filter { !$0.allSatisfy(\.isWhitespace) }
      .suffix(stderrLines)
      .map { $0.count > 200 ? $0.prefix(200) + "…" : String($0) }
    guard !lines.isEmpty else { return [] }
    return ["the last lines of its stderr:"] + lines.map { "  " + $0 }
  }
}

/// An external command run to its end or stopped at a deadline, its standard output and error
/// read as they come (so that a full pipe never blocks it).
enum ExternalCommand {
  enum Status: Equatable {
    case exited(Int32)
    case signalled(Int32)
    /// Still running, or its output still open, at the deadline.
    case timedOut
  }

  struct Outcome {
    var status: Status
    var stdout: Data
    var stderr: Data
  }

  /// Everything read from one pipe until it closes, by a thread of its own.
  final class Reader: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    private let closed = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
      let descriptor = handle.fileDescriptor
      Thread.detachNewThread { [self] in
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
          let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
          if count < 0 && errno == EINTR { continue }
          if count <= 0 { break }
          lock.withLock { data.append(contentsOf: buffer[..<count]) }
        }
        closed.signal()
      }
    }

    /// Whether the pipe closed by `deadline`.
    func wait(until deadline: DispatchTime) -> Bool {
      guard closed.wait(timeout: deadline) == .success else { return false }
      closed.signal()
      return true
    }

    /// What was read so far.
    var contents: Data { lock.withLock { data } }
  }

  /// Runs `executable` with `arguments`. At the deadline (`timeout` seconds) a command that is
  /// still running or whose output is still open (a process it started holds it) gets SIGTERM,
  /// with its process group, and SIGKILL 2 s later. Throws only when it cannot start.
  static func run(
    executable: String, arguments: [String], environment: [String: String], timeout: Double
  ) throws -> Outcome {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.environment = environment
    process.standardInput = FileHandle.nullDevice
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    let exited = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in exited.signal() }
    try process.run()
    let stdout = Reader(output.fileHandleForReading)
    let stderr = Reader(errors.fileHandleForReading)

    let deadline = DispatchTime.now() + timeout
    var hasExited = exited.wait(timeout: deadline) == .success
    let finished = hasExited && stdout.wait(until: deadline) && stderr.wait(until: deadline)
    if !finished {
      stop(process, SIGTERM)
      let grace = DispatchTime.now() + 2
      if !hasExited { hasExited = exited.wait(timeout: grace) == .success }
      if !hasExited || !stdout.wait(until: grace) || !stderr.wait(until: grace) {
        stop(process, SIGKILL)
        if !hasExited { exited.wait() }
        _ = stdout.wait(until: .now() + 1)
        _ = stderr.wait(until: .now() + 1)
      }
    }
    let status: Status =
      !finished
      ? .timedOut
      : process.terminationReason == .exit
        ? .exited(process.terminationStatus) : .signalled(process.terminationStatus)
    return Outcome(status: status, stdout: stdout.contents, stderr: stderr.contents)
  }

  /// Sends `signal` to the process group `process` leads (Foundation starts a child in a group
  /// of its own on Linux), or to the process alone where it leads none.
  private static func stop(_ process: Process, _ signal: Int32) {
    let pid = process.processIdentifier
    if kill(-pid, signal) != 0 { kill(pid, signal) }
  }
}

extension Registry {
  /// The `process` dataset (`ProcessDataset`).
  static let process = Component<DatasetFactory>(
    name: "process",
    summary: "sequences an external command (a script in any language) writes to its stdout as "
      + "JSON Lines",
    options: ProcessDataset.Options(),
    make: { options, generator in try ProcessDataset(options: options, seed: generator.seed) })
}

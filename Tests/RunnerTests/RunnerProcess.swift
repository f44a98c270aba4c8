import Foundation
import Testing

/// Runs the built `runner` executable and captures what it printed.
struct RunnerProcess {
  struct Result {
    var status: Int32
    var output: String
    var errors: String
  }

  /// The `runner` built beside this test bundle.
  static let executable: URL? = {
    let candidates = [
      URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
      Bundle.main.bundleURL,
      Bundle.main.bundleURL.deletingLastPathComponent(),
    ]
    return candidates.map { $0.appendingPathComponent("runner") }
      .first { FileManager.default.isExecutableFile(atPath: $0.path) }
  }()

  /// Runs `runner arguments…` in `directory` and waits for it. Output goes through files, so a
  /// long output never blocks the child on a full pipe.
  static func run(_ arguments: [String], in directory: URL) throws -> Result {
    let executable = try #require(
      executable, "the runner executable was not built beside the tests")
    return try run(executable, arguments, in: directory)
  }

  /// Runs `executable arguments…` in `directory` and waits for it, output through files.
  static func run(_ executable: URL, _ arguments: [String], in directory: URL) throws -> Result {
    let captures = try scratchDirectory()
    defer { try? FileManager.default.removeItem(at: captures) }
    let outputURL = captures.appendingPathComponent("stdout")
    let errorsURL = captures.appendingPathComponent("stderr")
    try Data().write(to: outputURL)
    try Data().write(to: errorsURL)
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.currentDirectoryURL = directory
    process.standardOutput = try FileHandle(forWritingTo: outputURL)
    process.standardError = try FileHandle(forWritingTo: errorsURL)
    try process.run()
    process.waitUntilExit()
    return Result(
      status: process.terminationStatus,
      output: try String(contentsOf: outputURL, encoding: .utf8),
      errors: try String(contentsOf: errorsURL, encoding: .utf8))
  }

  /// Starts `runner arguments…` in `directory` without waiting; its output is discarded.
  static func start(_ arguments: [String], in directory: URL) throws -> Process {
    let process = Process()
    process.executableURL = try #require(
      executable, "the runner executable was not built beside the tests")
    process.arguments = arguments
    process.currentDirectoryURL = directory
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    return process
  }

  /// Whether process `pid` still runs: it exists and is not a zombie (an orphan's zombie can
  /// linger when nothing reaps it).
  static func isAlive(_ pid: Int32) -> Bool {
    guard kill(pid, 0) == 0 else { return false }
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
      let end = stat.lastIndex(of: ")")
    else { return true }
    let state = stat[stat.index(after: end)...].trimmingCharacters(in: .whitespaces).first
    return state != "Z" && state != "X"
  }

  /// The process id written in `folder/.lock` by the runner that owns (or last owned) it.
  static func lockHolder(_ folder: URL) -> Int32? {
    (try? String(contentsOf: folder.appendingPathComponent(".lock"), encoding: .utf8))
      .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
  }

  /// Polls `condition` every 2 ms until it holds or `seconds` pass; whether it held.
  static func wait(seconds: Double, until condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
      if try condition() { return true }
      usleep(2_000)
    }
    return try condition()
  }

  /// A new empty folder for one test.
  static func scratchDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("recur-runner-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }
}

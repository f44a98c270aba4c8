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

  /// A new empty folder for one test.
  static func scratchDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("recur-runner-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }
}

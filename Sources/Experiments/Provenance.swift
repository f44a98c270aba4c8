import Foundation
import Tensors
import YAMLSpec

/// Where a run's numbers came from, beyond the spec: the code's commit, the toolchain, the BLAS,
/// the data files read (or the command that made the data), the runner executable and the module
/// of every component. The host (OS and CPU) is in `Manifest.Host`.
public struct Provenance: Sendable, Codable, Equatable {
  /// The checkout the runner was started in.
  public struct Git: Sendable, Codable, Equatable {
    /// `git rev-parse HEAD`.
    public var commit: String
    /// Whether `git status --porcelain` lists anything: tracked changes or untracked files
    /// (ignored files do not count).
    public var dirty: Bool
  }

  public struct BLAS: Sendable, Codable, Equatable {
    /// `openblas_get_config()`.
    public var library: String
    /// `openblas_get_num_threads()`.
    public var threads: Int
  }

  /// A file the dataset read and its SHA-256 (nil when it could not be read).
  public struct DataFile: Sendable, Codable, Equatable {
    public var path: String
    public var sha256: String?

    public func encode(to encoder: any Encoder) throws {
      var container = encoder.container(keyedBy: CodingKeys.self)
      try container.encode(path, forKey: .path)
      try container.encode(sha256, forKey: .sha256)
    }

    enum CodingKeys: String, CodingKey {
      case path, sha256
    }
  }

  /// The command a `process` dataset ran to make its data.
  public struct DataProcess: Sendable, Codable, Equatable {
    /// The argument vector as it ran (`{seed}` replaced).
    public var command: [String]
    /// The program's file: the first argument, found on the PATH when it holds no slash.
    public var executable: String
    /// The seed it was given (`RECUR_SEED`).
    public var seed: UInt64
    /// The files the arguments name (a script, its input) with their SHA-256, taken before it
    /// ran; the program too when the command names it by path.
    public var files: [DataFile]
  }

  /// The executable that ran: `runner` or a plugin's own runner.
  public struct Runner: Sendable, Codable, Equatable {
    /// Its file name, e.g. `plugin-runner`.
    public var name: String
    /// Its absolute path.
    public var executable: String

    /// This process's executable: /proc/self/exe where there is one, else argv[0].
    public static var current: Runner {
      let path =
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        ?? URL(fileURLWithPath: CommandLine.arguments.first ?? "runner").standardized.path
      return Runner(name: URL(fileURLWithPath: path).lastPathComponent, executable: path)
    }
  }

  /// Nil outside a git checkout or without git.
  public var git: Git?
  /// The Swift compiler the runner was built with.
  public var swiftVersion: String
  public var blas: BLAS
  public var dataFiles: [DataFile]
  /// The runner that made the run; nil in manifests written before it was recorded.
  public var runner: Runner?
  /// Each component the spec names and the module that registered it; nil in manifests
  /// written before it was recorded.
  public var components: [ComponentRecord]?
  /// The command a `process` dataset ran; nil for every other dataset.
  public var process: DataProcess?

  enum CodingKeys: String, CodingKey {
    case git
    case swiftVersion = "swift_version"
    case blas
    case dataFiles = "data_files"
    case runner, components, process
  }

  /// Writes every key, `git` as null when there is no checkout.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(git, forKey: .git)
    try container.encode(swiftVersion, forKey: .swiftVersion)
    try container.encode(blas, forKey: .blas)
    try container.encode(dataFiles, forKey: .dataFiles)
    try container.encodeIfPresent(runner, forKey: .runner)
    try container.encodeIfPresent(components, forKey: .components)
    try container.encodeIfPresent(process, forKey: .process)
  }

  /// The provenance of a run started now in `workingDirectory`, reading `dataFiles` (or the
  /// data `process` made).
  public static func current(
    workingDirectory: String, dataFiles: [String], components: [ComponentRecord] = [],
    process: DataProcess? = nil
  ) -> Provenance {
    Provenance(
      git: git(in: workingDirectory), swiftVersion: swiftVersion,
      blas: BLAS(library: BLASInfo.configuration, threads: BLASInfo.threads),
      dataFiles: dataFiles.map { DataFile(path: $0, sha256: Fingerprint.sha256(file: $0)) },
      runner: .current, components: components, process: process)
  }

  /// The compiler version, from compile-time checks.
  static var swiftVersion: String {
    #if compiler(>=6.4)
      "6.4 or later"
    #elseif compiler(>=6.3)
      "6.3"
    #elseif compiler(>=6.2)
      "6.2"
    #elseif compiler(>=6.1)
      "6.1"
    #else
      "6.0"
    #endif
  }

  /// The commit and dirty flag of the checkout holding `directory`; nil when git is missing or
  /// the folder is not in a checkout.
  static func git(in directory: String) -> Git? {
    guard let commit = runGit(["rev-parse", "HEAD"], in: directory),
      let status = runGit(["status", "--porcelain"], in: directory)
    else { return nil }
    return Git(
      commit: commit.trimmingCharacters(in: .whitespacesAndNewlines),
      dirty: !status.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
  }

  /// `git -C directory arguments…` through `/usr/bin/env`; its output, or nil when it fails.
  static func runGit(_ arguments: [String], in directory: String) -> String? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["git", "-C", directory] + arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    process.standardInput = FileHandle.nullDevice
    do {
      try process.run()
    } catch {
      return nil
    }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationReason == .exit, process.terminationStatus == 0 else { return nil }
    return String(decoding: data, as: UTF8.self)
  }
}

/// A component a run used, and the module that registered it.
public struct ComponentRecord: Sendable, Codable, Equatable {
  public var kind: ComponentKind
  public var name: String
  public var module: String
}

extension Experiment {
  /// The experiment of the run directory at `url` (its `spec.yaml`), built from `registry`. When
  /// the spec does not assemble and the run's manifest says another runner made it — a plugin's
  /// runner, whose components this registry lacks — the error names that runner.
  public static func stored(in url: URL, registry: Registry) throws(SpecError) -> Experiment {
    let spec = url.appendingPathComponent("spec.yaml").path
    do {
      return try Experiment(loading: spec, registry: registry)
    } catch {
      let manifest = FileManager.default.contents(
        atPath: url.appendingPathComponent("manifest.json").path)
      guard let manifest, let made = try? JSONDecoder().decode(Manifest.self, from: manifest),
        let runner = made.provenance?.runner, runner.name != Provenance.Runner.current.name
      else { throw error }
      var located = error
      located.message +=
        " (this run was made by \(runner.name), \(runner.executable): open it with that runner)"
      throw located
    }
  }
}

import Foundation
import Tensors

/// Where a run's numbers came from, beyond the spec: the code's commit, the toolchain, the BLAS
/// and the data files read. The host (OS and CPU) is in `Manifest.Host`.
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

  /// Nil outside a git checkout or without git.
  public var git: Git?
  /// The Swift compiler the runner was built with.
  public var swiftVersion: String
  public var blas: BLAS
  public var dataFiles: [DataFile]

  enum CodingKeys: String, CodingKey {
    case git
    case swiftVersion = "swift_version"
    case blas
    case dataFiles = "data_files"
  }

  /// Writes every key, `git` as null when there is no checkout.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(git, forKey: .git)
    try container.encode(swiftVersion, forKey: .swiftVersion)
    try container.encode(blas, forKey: .blas)
    try container.encode(dataFiles, forKey: .dataFiles)
  }

  /// The provenance of a run started now in `workingDirectory`, reading `dataFiles`.
  public static func current(workingDirectory: String, dataFiles: [String]) -> Provenance {
    Provenance(
      git: git(in: workingDirectory), swiftVersion: swiftVersion,
      blas: BLAS(library: BLASInfo.configuration, threads: BLASInfo.threads),
      dataFiles: dataFiles.map { DataFile(path: $0, sha256: Fingerprint.sha256(file: $0)) })
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

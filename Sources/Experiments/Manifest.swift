import Foundation
import Recur

/// The version of the runner that wrote a run directory.
public let runnerVersion = "0.1.0"

/// `manifest.json`: what ran, from what, where, when, and how it ended.
public struct Manifest: Sendable, Codable, Equatable {
  public enum Status: String, Sendable, Codable {
    case running, completed, failed, diverged
    /// Stopped by SIGTERM or SIGINT after a batch, with a checkpoint there; `runner resume`
    /// (or `runner trial`) continues it.
    case interrupted
  }

  /// The Slurm job a run ran in, from the `SLURM_*` variables of its environment.
  public struct SlurmTask: Sendable, Codable, Equatable {
    public var jobID: String
    public var arrayJobID: String?
    public var arrayTaskID: Int?
    public var node: String?
    /// How many times Slurm has requeued the job (`SLURM_RESTART_COUNT`).
    public var restartCount: Int?

    enum CodingKeys: String, CodingKey {
      case jobID = "job_id"
      case arrayJobID = "array_job_id"
      case arrayTaskID = "array_task_id"
      case node
      case restartCount = "restart_count"
    }

    public init(
      jobID: String, arrayJobID: String?, arrayTaskID: Int?, node: String?, restartCount: Int?
    ) {
      self.jobID = jobID
      self.arrayJobID = arrayJobID
      self.arrayTaskID = arrayTaskID
      self.node = node
      self.restartCount = restartCount
    }

    /// The task of `environment`, or nil outside a Slurm job.
    public static func current(
      _ environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> SlurmTask? {
      guard let job = environment["SLURM_JOB_ID"], !job.isEmpty else { return nil }
      return SlurmTask(
        jobID: job, arrayJobID: environment["SLURM_ARRAY_JOB_ID"],
        arrayTaskID: environment["SLURM_ARRAY_TASK_ID"].flatMap { Int($0) },
        node: environment["SLURMD_NODENAME"],
        restartCount: environment["SLURM_RESTART_COUNT"].flatMap { Int($0) })
    }
  }

  public struct Host: Sendable, Codable, Equatable {
    public var name: String
    public var operatingSystem: String
    public var cpu: String
    public var cores: Int

    enum CodingKeys: String, CodingKey {
      case name
      case operatingSystem = "operating_system"
      case cpu
      case cores
    }

    /// This machine.
    public static var current: Host {
      let info = ProcessInfo.processInfo
      return Host(
        name: info.hostName, operatingSystem: info.operatingSystemVersionString,
        cpu: cpuModel() ?? "unknown", cores: info.activeProcessorCount)
    }

    /// The `model name` line of /proc/cpuinfo, where there is one.
    static func cpuModel() -> String? {
      guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else {
        return nil
      }
      for line in text.split(separator: "\n") where line.hasPrefix("model name") {
        if let colon = line.firstIndex(of: ":") {
          return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
      }
      return nil
    }
  }

  public var runnerVersion: String
  public var name: String
  public var runID: String
  public var seed: UInt64
  /// SHA-256 of `spec.yaml`, the resolved spec.
  public var specSHA256: String
  public var status: Status
  /// ISO 8601, UTC.
  public var started: String
  public var finished: String?
  public var commandLine: [String]
  public var workingDirectory: String
  public var host: Host
  /// Why a run failed or diverged, or where it stopped early.
  public var message: String?
  /// When the run was resumed, once per `runner resume`.
  public var resumed: [String]?
  /// Commit, toolchain, BLAS and data fingerprints; nil in manifests written before it existed.
  public var provenance: Provenance?
  /// How training used the cores: BRNN directions in parallel, BLAS threads and kernels.
  public var execution: ExecutionPlan?
  /// Every output file of a completed run, relative to its folder and sorted, forced to disk
  /// before the status said `completed`; a sweep counts the run only while they all exist. Nil
  /// until the run completes, and in manifests written before it existed.
  public var files: [String]?
  /// The Slurm job of the run's latest start or resume; nil outside Slurm.
  public var slurm: SlurmTask?

  enum CodingKeys: String, CodingKey {
    case runnerVersion = "runner_version"
    case name
    case runID = "run_id"
    case seed
    case specSHA256 = "spec_sha256"
    case status
    case started
    case finished
    case commandLine = "command_line"
    case workingDirectory = "working_directory"
    case host
    case message
    case resumed
    case provenance
    case execution
    case files
    case slurm
  }

  /// Pretty-printed JSON with sorted keys.
  public func jsonData() throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return try encoder.encode(self) + Data("\n".utf8)
  }

  /// ISO 8601 in UTC with milliseconds.
  public static func timestamp(_ date: Date) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return formatter.string(from: date)
  }

  /// Reads a `timestamp(_:)` back.
  public static func date(from timestamp: String) -> Date? {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return formatter.date(from: timestamp)
  }
}

import Foundation
import Testing

/// The one-node Slurm cluster `scripts/slurm-local up` starts: its configuration (`SLURM_CONF`,
/// else the repository's `.slurm-local/slurm.conf`) and whether its node answers.
enum SlurmCluster {
  static let configuration: String? = {
    if let given = ProcessInfo.processInfo.environment["SLURM_CONF"] { return given }
    let local = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent(".slurm-local/slurm.conf").path
    return FileManager.default.fileExists(atPath: local) ? local : nil
  }()

  /// Whether `sinfo` reports a usable node; sets `SLURM_CONF` for the runner processes.
  static let available: Bool = {
    guard let configuration else { return false }
    setenv("SLURM_CONF", configuration, 1)
    guard let result = run("sinfo", ["-h", "-o", "%t"]), result.status == 0 else { return false }
    return result.output.split(separator: "\n").contains {
      ["idle", "mix", "alloc", "comp"].contains(String($0).trimmingCharacters(in: .whitespaces))
    }
  }()

  static let note: Comment =
    "no Slurm cluster answers (apt-get install slurm-wlm munge; scripts/slurm-local up)"

  static func run(_ name: String, _ arguments: [String]) -> (status: Int32, output: String)? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [name] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return nil }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
  }

  /// The array job ids `runner sweep --executor slurm` recorded in a sweep folder.
  static func jobs(_ sweep: URL) throws -> [String] {
    try String(contentsOf: sweep.appendingPathComponent("slurm/jobs.tsv"), encoding: .utf8)
      .split(separator: "\n").map { String($0.split(separator: "\t")[0]) }
  }
}

/// `runner sweep --executor slurm` on the real daemons: the same results as a local sweep,
/// requeue mid-training, failed tasks, and a killed follower.
@Suite(.serialized, .enabled(if: SlurmCluster.available, SlurmCluster.note))
struct SlurmTests {
  /// `sweep.csv` without its seconds column.
  static func timeless(_ sweep: URL) throws -> [[String]] {
    let rows = try SweepTests.csv(sweep.appendingPathComponent("sweep.csv"))
    let seconds = try #require(rows.first?.firstIndex(of: "seconds"))
    return rows.map { row in row.enumerated().filter { $0.offset != seconds }.map(\.element) }
  }

  @Test func aSlurmSweepMatchesALocalOneAndAKilledFollowerLosesNothing() throws {
    let workspace = try RunnerTests.workspace(SweepTests.spec)
    let local = try RunnerProcess.run(
      ["sweep", "spec.yaml", "--directory", "local", "--workers", "2"], in: workspace)
    #expect(local.status == 0, "\(local.errors)")
    let submitted = try RunnerProcess.run(
      ["sweep", "spec.yaml", "--directory", "cluster", "--executor", "slurm"], in: workspace)
    #expect(submitted.status == 0, "\(submitted.errors)")
    #expect(submitted.output.contains("submitted Slurm job"), "\(submitted.output)")
    #expect(submitted.output.contains("array 1-4 (4 trials)"), "\(submitted.output)")
    let cluster = workspace.appendingPathComponent("cluster")
    // Queued, running or done, nothing is submitted twice.
    let again = try RunnerProcess.run(["sweep", "cluster", "--executor", "slurm"], in: workspace)
    #expect(again.status == 0, "\(again.errors)")
    #expect(again.output.contains("nothing to submit"), "\(again.output)")
    let jobs = try SlurmCluster.jobs(cluster)
    #expect(jobs.count == 1)

    // A follower killed while it waits leaves the sweep as it was.
    let follower = try RunnerProcess.start(
      ["sweep", "cluster", "--wait", "--poll", "0.2"], in: workspace)
    usleep(500_000)
    kill(follower.processIdentifier, SIGKILL)
    follower.waitUntilExit()
    let waited = try RunnerProcess.run(
      ["sweep", "cluster", "--wait", "--collect", "--poll", "0.5"], in: workspace)
    #expect(waited.status == 0, "\(waited.output)\(waited.errors)")
    #expect(
      try String(contentsOf: cluster.appendingPathComponent("summary.csv"), encoding: .utf8)
        == String(
          contentsOf: workspace.appendingPathComponent("local/summary.csv"), encoding: .utf8))
    #expect(try Self.timeless(cluster) == Self.timeless(workspace.appendingPathComponent("local")))
    #expect(
      try Data(contentsOf: cluster.appendingPathComponent("best.yaml"))
        == Data(contentsOf: workspace.appendingPathComponent("local/best.yaml")))
    for trial in 1...4 {
      let manifest = try SweepTests.manifest(cluster, "trial-00\(trial)")
      let slurm = try #require(manifest["slurm"] as? [String: Any], "trial \(trial)")
      #expect(slurm["array_job_id"] as? String == jobs[0])
      #expect(slurm["array_task_id"] as? Int == trial)
      #expect(slurm["node"] as? String != nil)
    }
    let status = try RunnerProcess.run(["sweep", "cluster", "--status"], in: workspace)
    #expect(status.status == 0)
    #expect(
      status.output.contains(
        "4 trials: 0 pending, 0 queued, 0 running, 4 completed, 0 failed, 0 interrupted"),
      "\(status.output)")
    #expect(status.output.contains("\(jobs[0])_3"), "\(status.output)")
  }

  @Test func aRequeuedTrialResumesToTheSameBits() throws {
    let spec =
      InterruptTests.spec
        + """
        sweep:
          seeds: [11]
          metric: {name: dev.accuracy}
          parameters:
            optimizer.learning_rate: [0.01]

        """
    let workspace = try RunnerTests.workspace(spec)
    let submitted = try RunnerProcess.run(
      ["sweep", "spec.yaml", "--directory", "cluster", "--executor", "slurm"], in: workspace)
    #expect(submitted.status == 0, "\(submitted.errors)")
    let cluster = workspace.appendingPathComponent("cluster")
    let trial = cluster.appendingPathComponent("trial-001")
    let job = try #require(try SlurmCluster.jobs(cluster).first)
    let started = RunnerProcess.wait(seconds: 120) {
      FileManager.default.fileExists(atPath: trial.appendingPathComponent("metrics.csv").path)
    }
    try #require(started, "the trial did not finish its first epoch")
    let requeue = SlurmCluster.run("scontrol", ["requeue", "\(job)_1"])
    #expect(requeue?.status == 0)
    let stopped = RunnerProcess.wait(seconds: 60) {
      (try? SweepTests.manifest(cluster, "trial-001"))?["status"] as? String == "interrupted"
    }
    try #require(stopped, "the requeued task did not mark its trial interrupted")
    // Slurm lists the task as running until its step is cleaned up, then as pending again.
    var status = ""
    let queued = try RunnerProcess.wait(seconds: 60) {
      status = try RunnerProcess.run(["sweep", "cluster", "--status"], in: workspace).output
      return status.contains("trial-001  queued")
    }
    #expect(queued, "\(status)")
    // Slurm holds a requeued task back for two minutes; start it in two seconds. Not now:
    // slurmd refuses a launch in the same second as the kill that revoked the job's credential
    // ("Job N already killed, do not launch batch job", exit 1), and the trial stays interrupted.
    _ = SlurmCluster.run("scontrol", ["update", "jobid=\(job)_1", "StartTime=now+2"])
    let waited = try RunnerProcess.run(
      ["sweep", "cluster", "--wait", "--collect", "--poll", "0.5"], in: workspace)
    #expect(waited.status == 0, "\(waited.output)\(waited.errors)")

    let local = try RunnerProcess.run(
      ["sweep", "spec.yaml", "--directory", "local"], in: workspace)
    #expect(local.status == 0, "\(local.errors)")
    try InterruptTests.expectSameResults(
      trial, as: workspace.appendingPathComponent("local/trial-001"))
    let manifest = try SweepTests.manifest(cluster, "trial-001")
    #expect(manifest["status"] as? String == "completed")
    #expect((manifest["resumed"] as? [String])?.count == 1)
    #expect((manifest["slurm"] as? [String: Any])?["restart_count"] as? Int == 1)
    #expect(
      try String(contentsOf: cluster.appendingPathComponent("summary.csv"), encoding: .utf8)
        == String(
          contentsOf: workspace.appendingPathComponent("local/summary.csv"), encoding: .utf8))
  }

  @Test func failedTasksAreFailedEverywhereAndRunAgain() throws {
    let workspace = try RunnerTests.workspace(SweepTests.spec)
    let submitted = try RunnerProcess.run(
      [
        "sweep", "spec.yaml", "--directory", "cluster", "--executor", "slurm",
        "sweep.slurm.extra_args=[--hold]",
      ], in: workspace)
    #expect(submitted.status == 0, "\(submitted.errors)")
    let cluster = workspace.appendingPathComponent("cluster")
    let job = try #require(try SlurmCluster.jobs(cluster).first)
    let script = try String(
      contentsOf: cluster.appendingPathComponent("slurm/array.sh"), encoding: .utf8)
    #expect(script.contains("#SBATCH --hold\n"))
    // Held: trial 2 gets a spec that does not load (it dies without a manifest), trial 3 one
    // that is not the sweep's (its manifest belongs to another spec).
    try Data("name: [".utf8).write(to: cluster.appendingPathComponent("trial-002/spec.yaml"))
    let third = cluster.appendingPathComponent("trial-003/spec.yaml")
    try String(contentsOf: third, encoding: .utf8)
      .replacingOccurrences(of: "hidden: 4", with: "hidden: 5")
      .write(to: third, atomically: true, encoding: .utf8)
    #expect(SlurmCluster.run("scontrol", ["release", job])?.status == 0)
    let waited = try RunnerProcess.run(
      ["sweep", "cluster", "--wait", "--collect", "--poll", "0.5"], in: workspace)
    #expect(waited.status == 1, "\(waited.output)\(waited.errors)")
    let status = try RunnerProcess.run(["sweep", "cluster", "--status"], in: workspace)
    let lines = status.output.split(separator: "\n").map(String.init)
    let second = try #require(lines.first { $0.hasPrefix("trial-002") })
    #expect(second.contains("failed"), "\(second)")
    #expect(second.contains("ended without a manifest"), "\(second)")
    #expect(lines.first { $0.hasPrefix("trial-003") }?.contains("failed") == true)
    #expect(status.output.contains("2 completed, 2 failed"), "\(status.output)")
    let rows = try SweepTests.csv(cluster.appendingPathComponent("sweep.csv"))
    #expect(rows.dropFirst().map { $0[3] } == ["completed", "failed", "failed", "completed"])
    let summary = try SweepTests.csv(cluster.appendingPathComponent("summary.csv"))
    #expect(summary.dropFirst().map { $0[2] } == ["1", "1"])

    // Submitting again runs the failed two only, from the sweep's own specs.
    let again = try RunnerProcess.run(["sweep", "cluster", "--executor", "slurm"], in: workspace)
    #expect(again.status == 0, "\(again.errors)")
    #expect(again.output.contains("array 2-3 (2 trials)"), "\(again.output)")
    _ = SlurmCluster.run("scontrol", ["release", try SlurmCluster.jobs(cluster)[1]])
    let done = try RunnerProcess.run(
      ["sweep", "cluster", "--wait", "--collect", "--poll", "0.5"], in: workspace)
    #expect(done.status == 0, "\(done.output)\(done.errors)")
    let after = try SweepTests.csv(cluster.appendingPathComponent("sweep.csv"))
    #expect(after.dropFirst().map { $0[3] } == Array(repeating: "completed", count: 4))
  }
}

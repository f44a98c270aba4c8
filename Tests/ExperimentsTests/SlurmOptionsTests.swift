import Experiments
import Foundation
import Testing
import YAMLSpec

/// The `sweep.slurm:` section, the job script and the sbatch command line it gives.
@Suite struct SlurmOptionsTests {
  static func spec(_ slurm: String, overrides: [String] = []) throws(SpecError) -> SweepSpec {
    let text =
      SweepSpecCommandLineTests.base + """
        sweep:
          seeds: [1]
          metric: {name: dev.loss}
          parameters:
            model.hidden: [2, 3]
          slurm: \(slurm)

        """
    return try SweepSpecCommandLineTests.load(text, overrides)
  }

  /// The error the section raises.
  static func error(_ slurm: String, overrides: [String] = []) -> SpecError? {
    do {
      _ = try spec(slurm, overrides: overrides)
      return nil
    } catch {
      return error
    }
  }

  /// The line of `slurm:` in `spec(_:)`'s text (the base has 15 lines, then `sweep:`, `seeds`,
  /// `metric`, `parameters`, a value).
  static let slurmLine = 20

  @Test func everyOptionReachesTheScriptInOrder() throws {
    let spec = try Self.spec(
      """
      {partition: gpu, time: "1-02:30:00", cpus_per_task: 4, memory: 8G, account: lab,
          qos: high, max_parallel: 3, extra_args: ["--constraint=avx512", "--exclude=node7"]}
      """)
    let slurm = spec.slurm
    #expect(slurm.maxParallel == 3)
    #expect(
      slurm.sbatchOptions == [
        "--partition=gpu", "--time=1-02:30:00", "--cpus-per-task=4", "--mem=8G",
        "--account=lab", "--qos=high", "--constraint=avx512", "--exclude=node7",
      ])
    // The section is not part of the sweep's identity: the same sweep without it.
    let bare = try SweepSpecCommandLineTests.load(
      SweepSpecCommandLineTests.base + "sweep:\n  seeds: [1]\n  metric: {name: dev.loss}\n"
        + "  parameters:\n"
        + "    model.hidden: [2, 3]\n", [])
    #expect(try SweepPlan(spec).sha256 == SweepPlan(bare).sha256)
    #expect(bare.slurm == SlurmOptions())
    #expect(bare.slurm.sbatchOptions == ["--cpus-per-task=1"])
  }

  @Test func commandLineOverridesReachTheSection() throws {
    let spec = try Self.spec(
      "{partition: batch}",
      overrides: [
        "sweep.slurm.partition=debug", "sweep.slurm.time=45", "sweep.slurm.max_parallel=2",
      ])
    #expect(spec.slurm.partition == "debug")
    #expect(spec.slurm.time == "45")
    #expect(spec.slurm.maxParallel == 2)
  }

  @Test func badOptionsAreLocated() throws {
    let time = try #require(Self.error("{time: 1h}"))
    #expect(time.keyPath == "sweep.slurm.time")
    #expect(time.message == "invalid time '1h'")
    #expect(time.location?.line == Self.slurmLine)
    #expect(time.location?.column == 17)

    let memory = try #require(Self.error("{memory: 4GB}"))
    #expect(memory.keyPath == "sweep.slurm.memory")
    #expect(memory.expected?.contains("e.g. 4G") == true)

    let unknown = try #require(Self.error("{partitions: gpu}"))
    #expect(unknown.keyPath == "sweep.slurm.partitions")
    #expect(unknown.suggestion == "partition")

    let cpus = try #require(Self.error("{cpus_per_task: 0}"))
    #expect(cpus.keyPath == "sweep.slurm.cpus_per_task")

    let parallel = try #require(Self.error("{max_parallel: -1}"))
    #expect(parallel.keyPath == "sweep.slurm.max_parallel")

    let managed = try #require(Self.error("{extra_args: [--constraint=x, --array=1-3]}"))
    #expect(managed.keyPath == "sweep.slurm.extra_args.1")
    #expect(managed.message == "--array is set by runner sweep itself")
    #expect(managed.location?.column == 40)

    let word = try #require(Self.error("{extra_args: [constraint]}"))
    #expect(word.keyPath == "sweep.slurm.extra_args.0")
    #expect(word.message.hasPrefix("expected an sbatch option"))

    let partition = try #require(Self.error("{partition: \"a b\"}"))
    #expect(partition.keyPath == "sweep.slurm.partition")

    for time in ["30", "30:15", "2:30:00", "1-12", "1-12:30", "1-12:30:15"] {
      #expect(Self.error("{time: \"\(time)\"}") == nil, "\(time)")
    }
  }

  @Test func arraySpecsCompressRunsAndReadBack() {
    #expect(SlurmJobArray.arraySpec([1, 2, 3, 5, 7, 8], maxParallel: 2) == "1-3,5,7-8%2")
    #expect(SlurmJobArray.arraySpec([4], maxParallel: nil) == "4")
    #expect(SlurmJobArray.arraySpec([9, 2, 1], maxParallel: nil) == "1-2,9")
    // Random sets read back to themselves.
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<50 {
      let numbers = (1...40).filter { _ in Bool.random(using: &generator) }
      guard !numbers.isEmpty else { continue }
      let text = SlurmJobArray.arraySpec(numbers, maxParallel: 4)
      #expect(SlurmJobArray.numbers(inArraySpec: text) == numbers, "\(text)")
    }
    #expect(SlurmJobArray.numbers(inArraySpec: "3-1") == nil)
    #expect(SlurmJobArray.numbers(inArraySpec: "x") == nil)
  }

  @Test func theJobScriptAndTheSbatchCommandLine() throws {
    let spec = try Self.spec("{partition: debug, time: \"10\", extra_args: [--hold]}")
    let folder = URL(fileURLWithPath: "/scratch/out/sweep-abc", isDirectory: true)
    let text = SlurmJobArray.script(
      sweepID: "abc", folder: folder, options: spec.slurm,
      runner: URL(fileURLWithPath: "/opt/recur/bin/runner"), workingDirectory: "/home/me/work")
    let lines = text.split(separator: "\n").map(String.init)
    #expect(lines.first == "#!/bin/bash")
    #expect(
      lines.filter { $0.hasPrefix("#SBATCH ") } == [
        "#SBATCH --job-name=recur-abc", "#SBATCH --requeue", "#SBATCH --open-mode=append",
        "#SBATCH --output=/scratch/out/sweep-abc/slurm/%A_%a.out",
        "#SBATCH --chdir=/home/me/work", "#SBATCH --partition=debug", "#SBATCH --time=10",
        "#SBATCH --cpus-per-task=1", "#SBATCH --hold",
      ])
    #expect(
      lines.last
        == "exec /opt/recur/bin/runner trial --quiet /scratch/out/sweep-abc/\"$trial\"")
    #expect(lines.contains("trial=\"$(printf 'trial-%03d' \"$SLURM_ARRAY_TASK_ID\")\""))
    // Every #SBATCH line comes before the first command, or sbatch ignores it.
    let firstCommand = try #require(lines.firstIndex { !$0.hasPrefix("#") })
    #expect(lines[firstCommand...].allSatisfy { !$0.hasPrefix("#SBATCH") })

    let quoted = SlurmJobArray.script(
      sweepID: "abc", folder: URL(fileURLWithPath: "/tmp/it's here", isDirectory: true),
      options: SlurmOptions(), runner: URL(fileURLWithPath: "/opt/runner"),
      workingDirectory: "/tmp")
    #expect(quoted.hasSuffix("exec /opt/runner trial --quiet '/tmp/it'\\''s here/'\"$trial\"\n"))

    #expect(
      SlurmJobArray.sbatchArguments(
        trials: [1, 2, 4], maxParallel: 2, script: folder.appendingPathComponent("slurm/array.sh"))
        == ["--parsable", "--array=1-2,4%2", "/scratch/out/sweep-abc/slurm/array.sh"])
  }

  @Test func theTaskOfASlurmEnvironment() {
    #expect(Manifest.SlurmTask.current([:]) == nil)
    let task = Manifest.SlurmTask.current([
      "SLURM_JOB_ID": "41", "SLURM_ARRAY_JOB_ID": "38", "SLURM_ARRAY_TASK_ID": "3",
      "SLURMD_NODENAME": "node7", "SLURM_RESTART_COUNT": "1",
    ])
    #expect(
      task
        == Manifest.SlurmTask(
          jobID: "41", arrayJobID: "38", arrayTaskID: 3, node: "node7", restartCount: 1))
  }
}

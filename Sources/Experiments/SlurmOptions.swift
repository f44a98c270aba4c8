import Foundation
import YAMLSpec

/// The `sweep.slurm:` section: how `runner sweep --executor slurm` submits the sweep's job array.
///
///     sweep:
///       slurm:
///         partition: gpu
///         time: "2:00:00"          # per trial: minutes, [D-]HH:MM[:SS] or MM:SS
///         cpus_per_task: 4         # also each trial's BLAS threads
///         memory: 8G               # --mem
///         account: my-lab
///         qos: normal
///         max_parallel: 8          # tasks at once (--array=…%8)
///         extra_args: ["--constraint=avx512", "--exclude=node7"]
public struct SlurmOptions: Sendable, Equatable {
  public var partition: String?
  public var time: String?
  public var cpusPerTask: Int
  public var memory: String?
  public var account: String?
  public var qos: String?
  public var maxParallel: Int?
  /// Further `sbatch` options, each one argument, written into the job script as they are.
  public var extraArguments: [String]

  public init(
    partition: String? = nil, time: String? = nil, cpusPerTask: Int = 1, memory: String? = nil,
    account: String? = nil, qos: String? = nil, maxParallel: Int? = nil,
    extraArguments: [String] = []
  ) {
    self.partition = partition
    self.time = time
    self.cpusPerTask = cpusPerTask
    self.memory = memory
    self.account = account
    self.qos = qos
    self.maxParallel = maxParallel
    self.extraArguments = extraArguments
  }

  /// The section's options as a spec declares them.
  struct Section: SpecOptions {
    @SpecOption(help: "sbatch --partition (default: the cluster's)") var partition: String?
    @SpecOption(
      help: "sbatch --time per trial: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS")
    var time: String?
    @SpecOption(
      default: 1, range: 1...4096, help: "sbatch --cpus-per-task, also each trial's BLAS threads")
    var cpusPerTask: Int
    @SpecOption(help: "sbatch --mem, e.g. 4G or 500M") var memory: String?
    @SpecOption(help: "sbatch --account") var account: String?
    @SpecOption(help: "sbatch --qos") var qos: String?
    @SpecOption(
      range: 1...Int(Int32.max),
      help: "array tasks running at once (--array=…%n; default: no limit)")
    var maxParallel: Int?
    @SpecOption(
      default: [], help: "further sbatch options, one argument each, e.g. [\"--constraint=avx512\"]"
    )
    var extraArgs: [String]

    static let descriptions = Section().optionDescriptions
  }

  /// The options of the sbatch command line that the job script and the submission set
  /// themselves, refused in `extra_args`.
  static let managed = [
    "--array", "-a", "--requeue", "--no-requeue", "--output", "-o", "--error", "-e",
    "--open-mode", "--job-name", "-J", "--chdir", "-D", "--parsable",
  ]

  /// Reads and checks the section at `node` (nil: every default).
  public init(section node: SpecNode?, path: String = "sweep.slurm") throws(SpecError) {
    self.init()
    guard let node else { return }
    let resolved = try node.resolved(against: Section.descriptions, path: path)
    let section = try SpecDecoder().decode(Section.self, from: resolved, path: path)
    func checked(
      _ value: String?, at source: OptionSource, _ pattern: String, expected: String
    ) throws(SpecError) -> String? {
      guard let value else { return nil }
      guard value.range(of: pattern, options: .regularExpression) != nil else {
        throw source.error("invalid \(source.key) '\(value)'", expected: expected)
      }
      return value
    }
    let word = "^[A-Za-z0-9_.,:+=-]+$"
    partition = try checked(
      section.partition, at: section.$partition, word, expected: "a partition name, e.g. debug")
    let clock = "[0-9]+(:[0-9]{1,2}){0,2}"
    let days = "[0-9]+-[0-9]{1,2}(:[0-9]{1,2}){0,2}"
    time = try checked(
      section.time, at: section.$time, "^(\(clock)|\(days))$",
      expected: "minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS, e.g. \"1:30:00\"")
    memory = try checked(
      section.memory, at: section.$memory, "^[0-9]+[KMGT]?$",
      expected: "a size in megabytes or with K, M, G or T, e.g. 4G")
    account = try checked(section.account, at: section.$account, word, expected: "an account name")
    qos = try checked(section.qos, at: section.$qos, word, expected: "a QOS name")
    cpusPerTask = section.cpusPerTask
    maxParallel = section.maxParallel
    for (index, item) in (section.$extraArgs.node.items ?? []).enumerated() {
      let keyPath = "\(path).extra_args.\(index)"
      guard let argument = item.scalar, argument.hasPrefix("-"), !item.isNull else {
        throw SpecError(
          "expected an sbatch option, found \(item.kindDescription)", at: item.location,
          keyPath: keyPath, expected: "an option such as --constraint=avx512")
      }
      let name = String(argument.prefix { $0 != "=" })
      if Self.managed.contains(name) {
        throw SpecError(
          "\(name) is set by runner sweep itself", at: item.location, keyPath: keyPath,
          expected: "another sbatch option (the job script sets \(name))")
      }
      extraArguments.append(argument)
    }
  }

  /// The `#SBATCH` options these settings give, in the order of the section's keys.
  public var sbatchOptions: [String] {
    var options: [String] = []
    if let partition { options.append("--partition=\(partition)") }
    if let time { options.append("--time=\(time)") }
    options.append("--cpus-per-task=\(cpusPerTask)")
    if let memory { options.append("--mem=\(memory)") }
    if let account { options.append("--account=\(account)") }
    if let qos { options.append("--qos=\(qos)") }
    return options + extraArguments
  }
}

/// The text a sweep's Slurm job array is made of: the job script `slurm/array.sh` and the
/// `sbatch` command line that submits it. Task N of the array runs `runner trial` on the sweep's
/// `trial-NNN`.
public enum SlurmJobArray {
  /// The job script's path in the sweep folder.
  public static let scriptName = "slurm/array.sh"

  /// `1-3,5,7%2`: the numbers as ranges, then the limit of tasks at once.
  public static func arraySpec(_ numbers: [Int], maxParallel: Int?) -> String {
    var parts: [String] = []
    var index = 0
    let sorted = numbers.sorted()
    while index < sorted.count {
      var end = index
      while end + 1 < sorted.count, sorted[end + 1] == sorted[end] + 1 { end += 1 }
      parts.append(end == index ? "\(sorted[index])" : "\(sorted[index])-\(sorted[end])")
      index = end + 1
    }
    return parts.joined(separator: ",") + (maxParallel.map { "%\($0)" } ?? "")
  }

  /// The numbers of an `arraySpec`; nil when it is not one.
  public static func numbers(inArraySpec text: String) -> [Int]? {
    let list = text.split(separator: "%", maxSplits: 1).first.map(String.init) ?? ""
    var numbers: [Int] = []
    for part in list.split(separator: ",") {
      let bounds = part.split(separator: "-", maxSplits: 1).map { Int($0) }
      guard let first = bounds.first ?? nil, let last = bounds.last ?? nil, first <= last else {
        return nil
      }
      numbers += Array(first...last)
    }
    return numbers.isEmpty ? nil : numbers
  }

  /// A word for a shell: itself when it is plain, else in single quotes.
  public static func shellQuoted(_ word: String) -> String {
    let plain = word.allSatisfy { $0.isLetter || $0.isNumber || "/._-+=:,@%".contains($0) }
    return plain && !word.isEmpty
      ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }

  /// The job script: the sweep's sbatch options, then `runner trial` on the task's folder.
  public static func script(
    sweepID: String, folder: URL, options: SlurmOptions, runner: URL, workingDirectory: String
  ) -> String {
    let sweep = folder.standardizedFileURL.path
    var lines = [
      "#!/bin/bash",
      "# Recur sweep \(sweepID): array task N runs trial N (trial-NNN) of",
      "# \(sweep).",
      "# Written by runner sweep --executor slurm, which submits it with",
      "#   sbatch --parsable --array=<trials>[%<max parallel>] \(sweep)/\(scriptName)",
      "# and may be resubmitted so by hand: completed trials are left alone, interrupted ones",
      "# resume from their checkpoint.",
      "#SBATCH --job-name=recur-\(sweepID)",
      "#SBATCH --requeue",
      "#SBATCH --open-mode=append",
      "#SBATCH --output=\(sweep)/slurm/%A_%a.out",
      "#SBATCH --chdir=\(workingDirectory)",
    ]
    lines += options.sbatchOptions.map { "#SBATCH \($0)" }
    lines += [
      "set -euo pipefail",
      "trial=\"$(printf 'trial-%03d' \"$SLURM_ARRAY_TASK_ID\")\"",
      "export OPENBLAS_NUM_THREADS=\"${SLURM_CPUS_PER_TASK:-1}\"",
      "# SIGTERM (preemption, requeue, time limit) stops the trial after its batch with a",
      "# checkpoint; the requeued task resumes it.",
      "exec \(shellQuoted(runner.path)) trial --quiet \(shellQuoted(sweep + "/"))\"$trial\"",
    ]
    return lines.joined(separator: "\n") + "\n"
  }

  /// The arguments of `sbatch` that submit `trials` with the script at `script`.
  public static func sbatchArguments(trials: [Int], maxParallel: Int?, script: URL) -> [String] {
    ["--parsable", "--array=\(arraySpec(trials, maxParallel: maxParallel))", script.path]
  }

}

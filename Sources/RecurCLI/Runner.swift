import ArgumentParser
import Experiments
import Foundation
import Recur
import YAMLSpec

/// The `runner` command line: `run` (the default), `resume`, `evaluate`, `predict`, `export`,
/// `validate`, `list`, `gradcheck`, `sweep`, `reproduce`, `report`, `bench`.
struct Runner: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "runner",
    abstract: "Train recurrent networks from YAML experiment specs.",
    discussion: """
      Exit codes: 0 success, 1 a run that failed or diverged (or a gradient check above \
      tolerance), 2 a bad command line or spec, 128 + n a run stopped by signal n (SIGTERM: \
      143, SIGINT: 130) after writing a checkpoint.
      """,
    version: runnerVersion,
    subcommands: [
      Run.self, Resume.self, Evaluate.self, Predict.self, Export.self, Validate.self, List.self,
      Gradcheck.self, Sweep.self, Trial.self, Reproduce.self, Report.self, Bench.self,
      Sample.self,
    ],
    defaultSubcommand: Run.self
  )
}

/// A spec path and the `key.path=value` overrides applied to it.
struct SpecArguments: ParsableArguments {
  @Argument(help: "The experiment spec (YAML).")
  var spec: String

  @Argument(
    help: ArgumentHelp(
      "Overrides applied before validation, e.g. model.hidden=64 training.epochs=3; "
        + "+key=value adds a key, ++key=value sets it either way, ~key removes it.",
      valueName: "key.path=value"))
  var overrides: [String] = []

  /// The assembled experiment; the dataset's warnings go to standard error.
  func experiment() throws(SpecError) -> Experiment {
    let experiment = try Experiment(
      loading: spec, overrides: overrides, registry: RunnerContext.registry)
    for warning in experiment.dataset.warnings {
      Console.error("warning: \(warning)\n")
    }
    return experiment
  }
}

/// Exit codes beyond success.
enum Exit {
  /// A run that failed or diverged, a gradient check above tolerance.
  static let failure = ExitCode(1)
  /// A bad command line or spec.
  static let usage = ExitCode(2)
}

/// The registry every command builds from, set once by `RecurCLI.main(registry:)` before the
/// command line is parsed and only read after.
enum RunnerContext {
  nonisolated(unsafe) static var registry = Registry.standard
}

/// The `runner` command line as a library: a plugin's runner is a `main.swift` that adds its
/// components to `Registry.standard` and calls `RecurCLI.main(registry:)`. Every command — run,
/// resume, evaluate, predict, export, reproduce, validate, list, gradcheck, sweep and the trial
/// processes it starts (this same executable), report, bench — then builds from that registry.
public enum RecurCLI {
  /// `Registry.standard` with a plugin's components added by `register`, then `main(registry:)`.
  /// A name registered twice fails at start-up naming both modules (exit 2):
  ///
  ///     RecurCLI.main { registry in
  ///       try registry.datasets.register(SineSign.component)
  ///       try registry.cells.register(MinimalCell.component)
  ///     }
  public static func main(adding register: (inout Registry) throws -> Void) -> Never {
    var registry = Registry.standard
    do {
      try register(&registry)
    } catch {
      Console.error("error: \(error)\n")
      Foundation.exit(Exit.usage.rawValue)
    }
    main(registry: registry)
  }

  /// Parses the process's arguments, runs the command and exits with its code: 0 success, 1 a
  /// run that failed or diverged, 2 a bad command line or spec.
  public static func main(registry: Registry = .standard) -> Never {
    RunnerContext.registry = registry
    TrialScheduler.bindToSweep()
    BLASKernels.ensureFitting()
    do {
      var command = try Runner.parseAsRoot()
      try command.run()
      Foundation.exit(0)
    } catch let error as SpecError {
      Console.error(error.description + "\n")
      Foundation.exit(Exit.usage.rawValue)
    } catch let error as ExitCode {
      Foundation.exit(error.rawValue)
    } catch let error as FolderInUse {
      Console.error("error: \(error)\n")
      Foundation.exit(Exit.usage.rawValue)
    } catch let error as SlurmError {
      Console.error("error: \(error)\n")
      Foundation.exit(Exit.failure.rawValue)
    } catch let error as RunFileError {
      Console.error("error: \(error)\n")
      Foundation.exit(Exit.failure.rawValue)
    } catch let error as ResumeError {
      Console.error("error: \(error)\n")
      Foundation.exit(Exit.usage.rawValue)
    } catch let error as Prediction.Unsupported {
      Console.error("error: \(error)\n")
      Foundation.exit(Exit.usage.rawValue)
    } catch let error as DataFileError {
      Console.error("error: \(error)\n")
      Foundation.exit(Exit.usage.rawValue)
    } catch let error as TrainedRun.LoadError {
      Console.error("error: \(error)\n")
      Foundation.exit(Exit.usage.rawValue)
    } catch let error as Checkpoint.LoadError {
      Console.error("error: cannot resume: \(error)\n")
      Foundation.exit(Exit.usage.rawValue)
    } catch {
      let code = Runner.exitCode(for: error)
      let message = Runner.fullMessage(for: error)
      if code == .success {
        print(message)
        Foundation.exit(0)
      }
      Console.error(message + "\n")
      Foundation.exit(Exit.usage.rawValue)
    }
  }
}

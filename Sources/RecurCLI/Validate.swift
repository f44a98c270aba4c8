import ArgumentParser
import Experiments

/// `runner validate <spec> [overrides…]`: check a spec and print it resolved.
struct Validate: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Check a spec and print it resolved: overrides applied, defaults and sizes filled.")

  @OptionGroup var arguments: SpecArguments

  func run() throws {
    let experiment = try arguments.experiment()
    print(experiment.spec.yamlText(), terminator: "")
  }
}

import ArgumentParser
import Experiments
import Recur
import Tensors

/// `runner gradcheck <spec> [overrides…]`: finite differences against BPTT in Float64.
struct Gradcheck: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Check the spec's model's BPTT gradients against finite differences in Float64.",
    discussion: """
      Builds the spec's model (its cell, layers and initializers) at a small hidden size, in \
      Float64, on the first train sequences of its dataset, and compares BPTT's gradient of \
      the loss summed over the scored positions with fourth-order central differences \
      (f(-2e) - 8f(-e) + 8f(e) - f(2e)) / 12e. An entry's error is |numerical - BPTT| divided \
      by the larger of its own gradient's magnitude and a thousandth of the model's largest \
      gradient entry (at least 1e-8), so entries whose gradient is nearly zero are not \
      measured against the differences' rounding alone. For a ReLU network the weights are \
      drawn again (up to 20 times) until every pre-activation lies at least 1e-3 from the \
      kink, and the step is kept below a third of that distance. Prints the largest error \
      per parameter; exits 1 when one is above the tolerance.
      """)

  @OptionGroup var arguments: SpecArguments

  @Option(help: "Hidden size to check at (the spec's own if smaller).")
  var hidden = 6

  @Option(help: "Train sequences in the batch checked.")
  var sequences = 4

  @Option(help: "Entries checked per parameter, spread over it.")
  var entries = 60

  @Option(help: "Largest relative error accepted.")
  var tolerance = 1e-6

  @Option(help: "Step ε of the fourth-order central differences.")
  var epsilon = 5e-3

  func validate() throws {
    guard hidden >= 1, sequences >= 1, entries >= 1 else {
      throw ValidationError("--hidden, --sequences and --entries must be at least 1")
    }
    guard tolerance > 0, epsilon > 0 else {
      throw ValidationError("--tolerance and --epsilon must be positive")
    }
  }

  /// How far from ReLU's kink every pre-activation should lie, and how many draws of the
  /// weights may try for it.
  static let kinkClearance = 1e-3
  static let kinkDraws = 20

  func run() throws {
    let experiment = try arguments.experiment()
    var blueprint = experiment.model
    blueprint.shape.hiddenSize = min(blueprint.shape.hiddenSize, hidden)
    let shape = blueprint.shape
    var generator = SeededGenerator(seed: experiment.seed).derived("gradcheck")
    let examples = Array(experiment.dataset.examples(.train).prefix(sequences))
    let batch = SequenceBatch<Double>(
      examples: examples, task: shape.task, inputSize: shape.inputSize)
    var network = blueprint.network(
      parameters: blueprint.initialParameters(Double.self, generator: &generator))
    // Differences across ReLU's kink measure a slope BPTT never sees: draw the weights again
    // until every real pre-activation lies well clear of it, and keep the stencil (±2ε) inside
    // the clearance.
    var step = epsilon
    if (blueprint.cell as? ElmanCell)?.activation.name == "relu" {
      var draws = 1
      var clearance = network.smallestPreActivationMagnitude(for: batch)
      while clearance < Self.kinkClearance && draws < Self.kinkDraws {
        network = blueprint.network(
          parameters: blueprint.initialParameters(Double.self, generator: &generator))
        clearance = network.smallestPreActivationMagnitude(for: batch)
        draws += 1
      }
      step = min(epsilon, clearance / 3)
      if draws > 1 || step < epsilon {
        print(
          "note: ReLU: weights drawn \(draws) times; the nearest pre-activation lies "
            + "\(String(format: "%.1e", clearance)) from the kink; ε = "
            + "\(String(format: "%.1e", step))")
      }
    }
    let results = GradientCheck.run(
      model: network, batch: batch, epsilon: step, maxEntriesPerKey: entries)

    print(
      "\(experiment.modelType) I=\(shape.inputSize) H=\(shape.hiddenSize) K=\(shape.outputSize) "
        + "\(blueprint.describedCell), \(examples.count) sequences of lengths "
        + examples.map { String($0.length) }.joined(separator: ","))
    let width = results.map(\.key.count).max() ?? 0
    var worst = 0.0
    for result in results {
      worst = max(worst, result.maxRelativeError)
      let verdict = result.maxRelativeError <= tolerance ? "ok" : "FAIL"
      print(
        "  " + Format.left(result.key, width + 2)
          + Format.right("\(result.entriesChecked) entries", 12) + "  max relative error "
          + Format.left(String(format: "%.3e", result.maxRelativeError), 11) + verdict)
    }
    print("worst \(String(format: "%.3e", worst)), tolerance \(tolerance)")
    if worst > tolerance { throw Exit.failure }
  }
}

import Experiments
import Recur
import RecurCLI
import SineSignPlugin

// A second optimizer called `sgd`: the runner stops at start-up naming both modules.
RecurCLI.main { registry in
  try registry.registerSineSign()
  try registry.optimizers.register(
    Component(
      name: "sgd", summary: "a second sgd",
      make: { _ in ConfiguredOptimizer(optimizer: SGD(momentum: 0), learningRate: 0.1) }))
}

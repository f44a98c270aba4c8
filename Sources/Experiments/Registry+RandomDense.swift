import Recur
import YAMLSpec

extension Registry {
  static let randomDense = Component<DatasetFactory>(
    name: "random-dense",
    summary: "seeded standard-normal dense inputs with uniformly random tags (the speed "
      + "benchmark's workload; nothing to learn)",
    options: RandomDenseOptions(),
    make: { options, generator in
      let configuration = RandomDense.Configuration(
        trainSequences: options.sizes.trainSequences, devSequences: options.sizes.devSequences,
        testSequences: options.sizes.testSequences, steps: options.steps, input: options.input,
        classes: options.classes)
      return GeneratedDataset(shape: RandomDense.shape(configuration)) {
        RandomDense(configuration, generator: generator)
      }
    })

  struct RandomDenseOptions: SpecOptions {
    @Include(SplitSizes(train: 2048, dev: 0, test: 0)) var sizes: SplitSizes
    @SpecOption(default: 32, range: 1..., help: "steps T of every sequence") var steps: Int
    @SpecOption(default: 64, range: 1..., help: "standard-normal features per step (I)") var input:
      Int
    @SpecOption(default: 17, range: 2..., help: "tags drawn uniformly (the output size K)")
    var classes: Int
  }
}

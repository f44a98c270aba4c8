import Recur
import YAMLSpec

extension Registry {
  static let randomDense = Component<DatasetFactory>(
    name: "random-dense",
    summary: "seeded standard-normal dense inputs with uniformly random tags (the speed "
      + "benchmark's workload; nothing to learn)",
    options: splitOptions(train: 2048, dev: 0, test: 0) + [
      .integer("steps", default: 32, range: 1..., help: "steps T of every sequence"),
      .integer("input", default: 64, range: 1..., help: "standard-normal features per step (I)"),
      .integer(
        "classes", default: 17, range: 2..., help: "tags drawn uniformly (the output size K)"),
    ],
    make: { options, generator in
      let configuration = try options.decode(RandomDense.Configuration.self)
      return GeneratedDataset(shape: RandomDense.shape(configuration)) {
        RandomDense(configuration, generator: generator)
      }
    })
}

import Experiments
import Recur
import Tensors
import Testing
import YAMLSpec

@Suite struct ExperimentTests {
  static let spec = """
    name: unit
    seed: 3
    dataset:
      type: synthetic-tagging
      train_sequences: 20
      dev_sequences: 5
      test_sequences: 5
      vocabulary: 30
      tags: 4
    model:
      type: brnn
      hidden: 6
    optimizer:
      type: sgd
      learning_rate: 0.05
    """

  static func assemble(_ text: String, overrides: [String] = []) throws(SpecError) -> Experiment {
    try Experiment(
      spec: SpecNode.parse(text, sourceName: "unit.yaml").applying(overrides: overrides))
  }

  /// The error a spec (or an override) raises; fails the test when it assembles.
  static func error(_ text: String, overrides: [String] = []) -> SpecError? {
    do {
      _ = try assemble(text, overrides: overrides)
      Issue.record("the spec was accepted")
      return nil
    } catch {
      return error
    }
  }

  @Test func assemblesWithDefaultsAndInferredSizes() throws {
    let experiment = try Self.assemble(Self.spec)
    #expect(experiment.name == "unit")
    #expect(experiment.seed == 3)
    #expect(experiment.modelType == "brnn")
    #expect(experiment.model.shape.inputSize == 30)
    #expect(experiment.model.shape.outputSize == 4)
    #expect(experiment.model.shape.directions == [.forward, .backward])
    #expect(experiment.model.describedCell == "tanh")
    #expect(experiment.optimizer.learningRate == 0.05)
    #expect(experiment.plan == TrainingPlan(epochs: 10, batchSize: 16, shuffle: true))
    #expect(experiment.metrics.map(\.name) == ["accuracy"])
    #expect(experiment.output.formats == [.csv, .json, .tensorboard])

    let resolved = experiment.spec
    #expect(resolved["model"]?["input"]?.scalar == "30")
    #expect(resolved["model"]?["output"]?.scalar == "4")
    #expect(resolved["dataset"]?["min_length"]?.scalar == "4")
    #expect(resolved["optimizer"]?["momentum"] != nil)
    #expect(resolved["training"]?["epochs"]?.scalar == "10")
    #expect(
      resolved.entries?.map(\.key) == [
        "name", "seed", "dataset", "model", "optimizer", "schedule", "training", "output",
      ])
    #expect(resolved["schedule"]?["type"]?.scalar == "constant")
    #expect(resolved["training"]?["clip_norm"]?.isNull == true)
  }

  /// The resolved spec is a fixed point: assembling its text gives the same resolved spec.
  @Test func resolvedSpecReplaysToItself() throws {
    let first = try Self.assemble(Self.spec, overrides: ["model.hidden=9", "seed=4"])
    let text = first.spec.yamlText()
    let second = try Self.assemble(text)
    #expect(second.spec == first.spec)
    #expect(second.spec.yamlText() == text)
    #expect(second.model.shape.hiddenSize == 9)
    #expect(second.seed == 4)
  }

  @Test func sameSeedSameDataset() throws {
    let a = try Self.assemble(Self.spec)
    let b = try Self.assemble(Self.spec)
    let c = try Self.assemble(Self.spec, overrides: ["seed=4"])
    #expect(a.dataset.examples(.train) == b.dataset.examples(.train))
    #expect(a.dataset.examples(.train) != c.dataset.examples(.train))
  }

  @Test func unknownComponentNamesTheClosest() throws {
    let text = Self.spec.replacingOccurrences(of: "type: brnn", with: "type: bnn")
    let error = try #require(Self.error(text))
    #expect(error.location?.line == 11)
    #expect(error.location?.column == 9)
    #expect(error.keyPath == "model.type")
    #expect(error.message == "unknown model 'bnn'")
    #expect(error.suggestion == "brnn" || error.suggestion == "rnn")
    #expect(error.expected?.contains("brnn, rnn") == true)
  }

  @Test func unknownTopLevelKeyNamesTheClosest() throws {
    let error = try #require(Self.error(Self.spec + "\ntrainig:\n  epochs: 2\n"))
    #expect(error.location?.line == 16)
    #expect(error.location?.column == 1)
    #expect(error.suggestion == "training")
  }

  @Test func statedSizeThatDisagreesWithTheDataset() throws {
    let text = Self.spec.replacingOccurrences(of: "hidden: 6", with: "hidden: 6\n  input: 31")
    let error = try #require(Self.error(text))
    #expect(error.location?.line == 13)
    #expect(error.location?.column == 10)
    #expect(error.keyPath == "model.input")
    #expect(error.message.contains("30"))
    // Stating the size the dataset implies is fine.
    let agreeing = Self.spec.replacingOccurrences(of: "hidden: 6", with: "hidden: 6\n  output: 4")
    #expect(try Self.assemble(agreeing).model.shape.outputSize == 4)
  }

  @Test func outOfRangeValuesAreLocated() throws {
    let negative = try #require(
      Self.error(Self.spec.replacingOccurrences(of: "hidden: 6", with: "hidden: -6")))
    #expect(negative.location?.line == 12)
    #expect(negative.location?.column == 11)
    #expect(negative.keyPath == "model.hidden")

    let zeroRate = try #require(
      Self.error(
        Self.spec.replacingOccurrences(of: "learning_rate: 0.05", with: "learning_rate: 0")))
    #expect(zeroRate.location?.line == 15)
    #expect(zeroRate.location?.column == 18)
    #expect(zeroRate.keyPath == "optimizer.learning_rate")

    let zeroEpochs = try #require(Self.error(Self.spec + "\ntraining:\n  epochs: 0\n"))
    #expect(zeroEpochs.location?.line == 17)
    #expect(zeroEpochs.location?.column == 11)
    #expect(zeroEpochs.keyPath == "training.epochs")
  }

  @Test func crossOptionDatasetFaultsPointAtTheOption() throws {
    let error = try #require(Self.error(Self.spec, overrides: ["dataset.max_length=2"]))
    #expect(error.keyPath == "dataset.max_length")
    #expect(error.message.contains("min_length"))
    #expect(error.location?.source.name == "<override 1>")
  }

  @Test func unknownActivationAndMetric() throws {
    let activation = try #require(Self.error(Self.spec, overrides: ["model.activation=tahn"]))
    #expect(activation.keyPath == "model.activation")
    #expect(activation.suggestion == "tanh")
    let metric = try #require(Self.error(Self.spec, overrides: ["training.metrics=[acuracy]"]))
    #expect(metric.keyPath == "training.metrics.0")
    #expect(metric.suggestion == "accuracy")
  }

  @Test func missingSectionsAndBadNames() throws {
    let noModel =
      Self.spec.components(separatedBy: "model:")[0]
      + "optimizer:\n  type: sgd\n"
    let missing = try #require(Self.error(noModel))
    #expect(missing.message == "missing section 'model'")

    let slash = try #require(Self.error(Self.spec, overrides: ["name=a/b"]))
    #expect(slash.keyPath == "name")
    #expect(slash.message.contains("a/b"))
  }

  @Test func everyOptimizerAssemblesWithItsDefaults() throws {
    let defaults = [
      "sgd": 0.1, "adam": 0.001, "adamw": 0.001, "rmsprop": 0.01, "adagrad": 0.01, "rprop": 0.01,
    ]
    for (name, learningRate) in defaults {
      let text = Self.spec.replacingOccurrences(
        of: "type: sgd\n  learning_rate: 0.05", with: "type: \(name)")
      let experiment = try Self.assemble(text)
      #expect(experiment.optimizerType == name)
      #expect(experiment.optimizer.learningRate == learningRate)
    }
  }

  @Test func optimizerOptionsThatContradictEachOther() throws {
    let nesterov = try #require(Self.error(Self.spec, overrides: ["optimizer.nesterov=true"]))
    #expect(nesterov.keyPath == "optimizer.nesterov")
    #expect(nesterov.message.contains("momentum"))
    let beta = try #require(Self.error(Self.spec, overrides: ["optimizer={type: adam, beta1: 1}"]))
    #expect(beta.keyPath == "optimizer.beta1")
  }

  @Test func schedulesAreCheckedAgainstThePlan() throws {
    let plateau = try Self.assemble(
      Self.spec, overrides: ["schedule={type: plateau, metric: dev.accuracy, patience: 2}"])
    #expect(plateau.scheduleType == "plateau")
    #expect(plateau.spec["schedule"]?["factor"]?.scalar == "0.1")

    let typo = try #require(
      Self.error(Self.spec, overrides: ["schedule={type: plateau, metric: dev.acuracy}"]))
    #expect(typo.keyPath == "schedule.metric")
    #expect(typo.suggestion == "dev.accuracy")
    #expect(typo.location?.source.name == "<override 1>")

    let warmup = try #require(
      Self.error(
        Self.spec, overrides: ["schedule={type: cosine, warmup_epochs: 10}", "training.epochs=10"]))
    #expect(warmup.keyPath == "schedule.warmup_epochs")

    let clip = try #require(Self.error(Self.spec, overrides: ["training.clip_norm=0"]))
    #expect(clip.keyPath == "training.clip_norm")
    let clipped = try Self.assemble(Self.spec, overrides: ["training.clip_norm=5"])
    #expect(clipped.training.clipping == GradientClipping(norm: 5))
  }

  @Test func initializersAreCheckedAgainstTheShapes() throws {
    let irnn = try Self.assemble(
      Self.spec, overrides: ["model.activation=relu", "model.recurrent_init=identity"])
    #expect(irnn.model.recurrentInitializer.name == "identity")
    #expect(irnn.model.weightInitializer.name == "uniform")
    let error = try #require(Self.error(Self.spec, overrides: ["model.weight_init=identity"]))
    #expect(error.keyPath == "model.weight_init")
    #expect(error.message.contains("forward.U"))
    let typo = try #require(Self.error(Self.spec, overrides: ["model.recurrent_init=orthogonl"]))
    #expect(typo.suggestion == "orthogonal")
  }

  @Test func regularisationOptions() throws {
    let plain = try Self.assemble(Self.spec)
    #expect(plain.training.noise(generator: SeededGenerator(seed: 1)) == nil)
    let noisy = try Self.assemble(
      Self.spec, overrides: ["training={output_dropout: 0.3, weight_noise: 0.01}"])
    let noise = try #require(noisy.training.noise(generator: SeededGenerator(seed: 1)))
    #expect(noise.outputDropout == 0.3)
    #expect(noise.weight == 0.01)
    let bad = try #require(Self.error(Self.spec, overrides: ["training.input_dropout=1"]))
    #expect(bad.keyPath == "training.input_dropout")
  }
}

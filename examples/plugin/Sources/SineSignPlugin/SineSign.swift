import Experiments
import Foundation
import Recur
import Tensors
import YAMLSpec

/// Noisy sine waves, one value per step; the class of a step is the sign of the clean wave
/// `ahead` steps later (framewise, K = 2). Each sequence has its own period, drawn uniformly
/// from `min_period … max_period` steps, and its own phase, so a model has to read the wave
/// before it can tell where it goes.
public struct SineSign: Dataset {
  /// The generator's settings: the split sizes and lengths, and the wave's.
  public struct Configuration: Sendable, Equatable {
    public var splits: GeneratedSplits
    /// Standard deviation of the Gaussian noise added to every observed value.
    public var noise: Double
    /// Steps between the observed value and the sign to tell.
    public var ahead: Int
    public var minPeriod: Double
    public var maxPeriod: Double

    public init(
      splits: GeneratedSplits, noise: Double, ahead: Int, minPeriod: Double, maxPeriod: Double
    ) {
      self.splits = splits
      self.noise = noise
      self.ahead = ahead
      self.minPeriod = minPeriod
      self.maxPeriod = maxPeriod
    }
  }

  public let info = DatasetInfo(
    inputSize: 1, outputSize: 2, task: .framewise, labels: ["negative", "positive"])
  private let splits: [Split: [SequenceExample]]

  /// Draws train, dev and test, in that order, from `generator`.
  public init(_ configuration: Configuration, generator: SeededGenerator) {
    var random = generator
    var splits: [Split: [SequenceExample]] = [:]
    for (split, count) in configuration.splits.counts {
      splits[split] = (0..<count).map { _ in
        let length = configuration.splits.drawLength(&random)
        let period = random.uniform(in: configuration.minPeriod...configuration.maxPeriod)
        let phase = random.uniform(in: 0...(2 * Double.pi))
        let wave = { (t: Int) in sin(2 * Double.pi * Double(t) / period + phase) }
        let values = (0..<length).map { t in
          Float(wave(t) + configuration.noise * random.normal())
        }
        let targets = (0..<length).map { t in Int32(wave(t + configuration.ahead) >= 0 ? 1 : 0) }
        return SequenceExample(inputs: .dense(values: values, width: 1), targets: targets)
      }
    }
    self.splits = splits
  }

  public func examples(_ split: Split) -> [SequenceExample] {
    splits[split] ?? []
  }

  /// The dataset's options, each declared once: the spec key is the property's name in snake
  /// case (`minPeriod` is `min_period`), the kind comes from its type and bounds.
  public struct Options: SpecOptions {
    @Include(SplitSizes(train: 400, dev: 100, test: 100)) public var sizes: SplitSizes
    @SpecOption(default: 8, range: 1..., help: "shortest sequence") public var minLength: Int
    @SpecOption(default: 24, range: 1..., help: "longest sequence") public var maxLength: Int
    @SpecOption(default: 0.1, minimum: 0, help: "standard deviation of the added noise")
    public var noise: Double
    @SpecOption(default: 2, range: 0..., help: "steps between a value and its sign")
    public var ahead: Int
    @SpecOption(default: 6, minimum: 2, minimumInclusive: false, help: "shortest period in steps")
    public var minPeriod: Double
    @SpecOption(default: 16, minimum: 2, minimumInclusive: false, help: "longest period in steps")
    public var maxPeriod: Double

    public init() {}
  }

  /// The dataset as the registry knows it: `dataset.type: sine-sign` and its options.
  public static let component = Component<DatasetFactory>(
    name: "sine-sign",
    summary: "seeded noisy sine waves; the sign of the wave `ahead` steps on (framewise, K = 2)",
    options: Options(),
    make: { options, generator in
      // Lengths out of order are an error at max_length, located in the spec.
      let splits = try options.sizes.splits(
        minLength: options.minLength, maxLength: options.maxLength, at: options.$maxLength)
      if options.maxPeriod < options.minPeriod {
        throw options.$maxPeriod.error(
          "max_period (\(options.maxPeriod)) is below min_period (\(options.minPeriod))",
          expected: "a number ≥ \(options.minPeriod)")
      }
      let configuration = Configuration(
        splits: splits, noise: options.noise, ahead: options.ahead,
        minPeriod: options.minPeriod, maxPeriod: options.maxPeriod)
      let shape = DatasetShape(
        generated: splits, inputSize: 1, outputSize: 2, task: .framewise, denseInputs: true)
      return GeneratedDataset(shape: shape) { SineSign(configuration, generator: generator) }
    })
}

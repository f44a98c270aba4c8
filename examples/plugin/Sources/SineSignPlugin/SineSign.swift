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
  public struct Configuration: Sendable, Equatable, Decodable {
    public var splits: GeneratedSplits
    /// Standard deviation of the Gaussian noise added to every observed value.
    public var noise: Double
    /// Steps between the observed value and the sign to tell.
    public var ahead: Int
    public var minPeriod: Double
    public var maxPeriod: Double

    enum CodingKeys: String, CodingKey {
      case noise, ahead
      case minPeriod = "min_period"
      case maxPeriod = "max_period"
    }

    /// The split sizes and the wave's settings, side by side in one mapping.
    public init(from decoder: any Decoder) throws {
      splits = try GeneratedSplits(from: decoder)
      let container = try decoder.container(keyedBy: CodingKeys.self)
      noise = try container.decode(Double.self, forKey: .noise)
      ahead = try container.decode(Int.self, forKey: .ahead)
      minPeriod = try container.decode(Double.self, forKey: .minPeriod)
      maxPeriod = try container.decode(Double.self, forKey: .maxPeriod)
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

  /// The dataset as the registry knows it: `dataset.type: sine-sign` and its options.
  public static let component = Component<DatasetFactory>(
    name: "sine-sign",
    summary: "seeded noisy sine waves; the sign of the wave `ahead` steps on (framewise, K = 2)",
    options: Registry.splitOptions(train: 400, dev: 100, test: 100) + [
      .integer("min_length", default: 8, range: 1..., help: "shortest sequence"),
      .integer("max_length", default: 24, range: 1..., help: "longest sequence"),
      .number("noise", default: 0.1, minimum: 0, help: "standard deviation of the added noise"),
      .integer("ahead", default: 2, range: 0..., help: "steps between a value and its sign"),
      .number(
        "min_period", default: 6, minimum: 2, minimumInclusive: false,
        help: "shortest period in steps"),
      .number(
        "max_period", default: 16, minimum: 2, minimumInclusive: false,
        help: "longest period in steps"),
    ],
    make: { options, generator in
      let configuration = try options.decode(Configuration.self)
      if configuration.splits.maxLength < configuration.splits.minLength {
        throw options.error(
          at: "max_length",
          "max_length (\(configuration.splits.maxLength)) is below min_length "
            + "(\(configuration.splits.minLength))",
          expected: "an integer ≥ \(configuration.splits.minLength)")
      }
      if configuration.maxPeriod < configuration.minPeriod {
        throw options.error(
          at: "max_period",
          "max_period (\(configuration.maxPeriod)) is below min_period "
            + "(\(configuration.minPeriod))",
          expected: "a number ≥ \(configuration.minPeriod)")
      }
      let shape = DatasetShape(
        generated: configuration.splits, inputSize: 1, outputSize: 2, task: .framewise,
        denseInputs: true)
      return GeneratedDataset(shape: shape) { SineSign(configuration, generator: generator) }
    })
}

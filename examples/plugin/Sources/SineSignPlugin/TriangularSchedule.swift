import Experiments
import Recur
import YAMLSpec

/// The triangular cyclical learning rate (Smith 2017), per epoch: over every `period` epochs the
/// rate climbs linearly from `floor` to the base rate and back,
///
///     p = ((epoch − 1) mod period) / period   η = floor + (base − floor)·(1 − |2p − 1|)
///
/// so the first epoch of every cycle runs at the floor and the middle one at the base rate.
public struct TriangularSchedule: Schedule, Codable {
  public let period: Int
  public let floor: Double

  public init(period: Int, floor: Double) {
    self.period = period
    self.floor = floor
  }

  public mutating func learningRate(epoch: Int, base: Double) -> Double {
    let progress = Double((epoch - 1) % period) / Double(period)
    return floor + (base - floor) * (1 - abs(2 * progress - 1))
  }

  /// The schedule as the registry knows it: `schedule.type: triangular`.
  public static let component = Component<ScheduleFactory>(
    name: "triangular",
    summary: "cyclical rate: up from min_learning_rate to η₀ and back every period epochs",
    options: Options(),
    make: { options, context in
      if options.period > context.epochs {
        throw options.$period.error(
          "a period of \(options.period) epochs is longer than the run's \(context.epochs)",
          expected: "at most training.epochs")
      }
      return TriangularSchedule(period: options.period, floor: options.minLearningRate)
    })

  /// The schedule's options: `period` and `min_learning_rate`.
  public struct Options: SpecOptions {
    @SpecOption(default: 4, range: 2..., help: "epochs per cycle") public var period: Int
    @SpecOption(default: 0, minimum: 0, help: "the rate at a cycle's start")
    public var minLearningRate: Double

    public init() {}
  }
}

import Tensors

/// Gaussian noise added during training only, as the classic RNN toolkits offer it: to the
/// inputs of every batch (dense inputs; word indices have nothing to perturb), and to the weights
/// for each batch's forward and backward pass, the update then being applied to the clean
/// weights. Zero standard deviations turn either off.
public struct TrainingNoise: Sendable, Codable, Equatable {
  /// Standard deviation of the noise added to each dense input value.
  public var input: Double
  /// Standard deviation of the noise added to each weight (biases included).
  public var weight: Double
  /// Draws the noise; part of a checkpoint.
  public var generator: SeededGenerator

  public init(input: Double = 0, weight: Double = 0, generator: SeededGenerator) {
    self.input = input
    self.weight = weight
    self.generator = generator
  }

  /// Adds input noise to a batch's dense inputs.
  mutating func perturb(_ batch: inout SequenceBatch<Float>) {
    guard input > 0, case .dense(var matrix) = batch.inputs else { return }
    // Padded rows stay zero: they must change nothing.
    for t in 0..<batch.steps {
      for b in 0..<batch.batchSize where t < batch.lengths[b] {
        let row = (t * batch.batchSize + b) * matrix.columns
        for j in 0..<matrix.columns {
          matrix.elements[row + j] += Float(input * generator.normal())
        }
      }
    }
    batch.inputs = .dense(matrix)
  }

  /// The weights with noise added, or nil when weight noise is off.
  mutating func perturbed(_ parameters: ParameterSet<Float>) -> ParameterSet<Float>? {
    guard weight > 0 else { return nil }
    var noisy = parameters
    for index in noisy.values.indices {
      for i in noisy.values[index].elements.indices {
        noisy.values[index].elements[i] += Float(weight * generator.normal())
      }
    }
    return noisy
  }
}

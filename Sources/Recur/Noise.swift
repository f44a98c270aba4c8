import Tensors

/// Random perturbations of training only, none of which evaluation sees: dropout on the inputs
/// and on the hidden outputs the output layer reads (not on the recurrence), and Gaussian noise,
/// as the classic RNN toolkits offer it, on the dense inputs of every batch and on the weights
/// for each batch's forward and backward pass (the update then applies to the clean weights).
/// Zero rates and standard deviations turn each off.
public struct TrainingNoise: Sendable, Codable, Equatable {
  /// Probability of dropping an input: a dense value is zeroed and the others scaled by
  /// 1/(1 − p); an active sparse feature (a word, a spelling feature) is left out.
  public var inputDropout: Double
  /// Probability of zeroing a hidden output before the output layer, the others scaled by
  /// 1/(1 − p).
  public var outputDropout: Double
  /// Standard deviation of the noise added to each dense input value.
  public var input: Double
  /// Standard deviation of the noise added to each weight (biases included).
  public var weight: Double
  /// Draws the noise; part of a checkpoint.
  public var generator: SeededGenerator

  public init(
    inputDropout: Double = 0, outputDropout: Double = 0, input: Double = 0, weight: Double = 0,
    generator: SeededGenerator
  ) {
    self.inputDropout = inputDropout
    self.outputDropout = outputDropout
    self.input = input
    self.weight = weight
    self.generator = generator
  }

  /// Applies input dropout and input noise to a batch.
  public mutating func perturb(_ batch: inout SequenceBatch<Float>) {
    if inputDropout > 0 {
      switch batch.inputs {
      case .dense(var matrix):
        let scale = Float(1 / (1 - inputDropout))
        for i in matrix.elements.indices {
          matrix.elements[i] = generator.uniform() < inputDropout ? 0 : matrix.elements[i] * scale
        }
        batch.inputs = .dense(matrix)
      case .sparse(let rows):
        var offsets = [0]
        var indices: [Int32] = []
        for r in 0..<rows.rows {
          for index in rows.indices[rows.offsets[r]..<rows.offsets[r + 1]]
          where generator.uniform() >= inputDropout {
            indices.append(index)
          }
          offsets.append(indices.count)
        }
        batch.inputs = .sparse(SparseRows(offsets: offsets, indices: indices))
      }
    }
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

  /// Output dropout masks for a batch with `rows` output rows: per direction, `rows × hidden`
  /// values of 0 (probability p) or 1/(1 − p); nil when output dropout is off.
  public mutating func outputMasks(rows: Int, hidden: Int, directions: Int) -> [[Float]]? {
    guard outputDropout > 0 else { return nil }
    let scale = Float(1 / (1 - outputDropout))
    return (0..<directions).map { _ in
      (0..<(rows * hidden)).map { _ in generator.uniform() < outputDropout ? 0 : scale }
    }
  }

  /// The weights with noise added, or nil when weight noise is off.
  public mutating func perturbed(_ parameters: ParameterSet<Float>) -> ParameterSet<Float>? {
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

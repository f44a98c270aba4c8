import Tensors

/// Random perturbations of training only, none of which evaluation sees: dropout on the inputs,
/// on the hidden outputs the output layer reads and on those each stacked layer passes to the
/// next (never on the recurrence), and Gaussian noise,
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
  /// Probability of zeroing a hidden output passed to the next layer of a stack, the others
  /// scaled by 1/(1 − p).
  public var layerDropout: Double
  /// Standard deviation of the noise added to each dense input value.
  public var input: Double
  /// Standard deviation of the noise added to each weight (biases included).
  public var weight: Double
  /// Draws the noise; part of a checkpoint.
  public var generator: SeededGenerator

  public init(
    inputDropout: Double = 0, outputDropout: Double = 0, layerDropout: Double = 0,
    input: Double = 0, weight: Double = 0, generator: SeededGenerator
  ) {
    self.inputDropout = inputDropout
    self.outputDropout = outputDropout
    self.layerDropout = layerDropout
    self.input = input
    self.weight = weight
    self.generator = generator
  }

  enum CodingKeys: String, CodingKey {
    case inputDropout, outputDropout, layerDropout, input, weight, generator
  }

  /// Reads a saved state; one checkpointed before stacked layers existed has no layer dropout.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    inputDropout = try container.decode(Double.self, forKey: .inputDropout)
    outputDropout = try container.decode(Double.self, forKey: .outputDropout)
    layerDropout = try container.decodeIfPresent(Double.self, forKey: .layerDropout) ?? 0
    input = try container.decode(Double.self, forKey: .input)
    weight = try container.decode(Double.self, forKey: .weight)
    generator = try container.decode(SeededGenerator.self, forKey: .generator)
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

  /// The dropout masks of a batch with `rows` output rows and `steps · batchSize` hidden rows for
  /// a model of `layout`: output masks (per direction, `rows × H`), then layer masks (per layer
  /// boundary, per direction, `T·B × H`), each value 0 (probability p) or 1/(1 − p); nil when
  /// neither dropout is on.
  public mutating func masks(
    for layout: DropoutLayout, rows: Int, hiddenRows: Int
  ) -> DropoutMasks<Float>? {
    let output = outputDropout > 0 ? draw(outputDropout, layout.directions, rows * layout.width) : nil
    let layers =
      layerDropout > 0 && layout.layerBoundaries > 0
      ? (0..<layout.layerBoundaries).map { _ in
        draw(layerDropout, layout.directions, hiddenRows * layout.width)
      } : nil
    guard output != nil || layers != nil else { return nil }
    return DropoutMasks(output: output, layers: layers)
  }

  private mutating func draw(_ rate: Double, _ masks: Int, _ count: Int) -> [[Float]] {
    let scale = Float(1 / (1 - rate))
    return (0..<masks).map { _ in
      (0..<count).map { _ in generator.uniform() < rate ? 0 : scale }
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

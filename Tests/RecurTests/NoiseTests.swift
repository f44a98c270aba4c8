import Recur
import Tensors
import Testing

@Suite struct NoiseTests {
  /// Two dense sequences of lengths 3 and 1 (two padded rows), I = 2, every value 1.
  static func denseBatch() -> SequenceBatch<Float> {
    SequenceBatch<Float>(
      examples: [
        SequenceExample(
          inputs: .dense(values: Array(repeating: 1, count: 6), width: 2), targets: [0, 0, 0]),
        SequenceExample(inputs: .dense(values: [1, 1], width: 2), targets: [0]),
      ], task: .framewise, inputSize: 2)
  }

  static func dense(_ batch: SequenceBatch<Float>) -> [Float] {
    guard case .dense(let matrix) = batch.inputs else { return [] }
    return matrix.elements
  }

  /// Padded rows are t·B + b for b = 1, t = 1, 2: rows 3 and 5, elements 6, 7, 10, 11.
  static let padded: Set<Int> = [6, 7, 10, 11]

  @Test func inputDropoutZeroesOrScalesDenseValues() {
    var noise = TrainingNoise(inputDropout: 0.5, generator: SeededGenerator(seed: 1))
    var dropped = 0
    var kept = 0
    for _ in 0..<200 {
      var batch = Self.denseBatch()
      noise.perturb(&batch)
      for (index, value) in Self.dense(batch).enumerated() where !Self.padded.contains(index) {
        #expect(value == 0 || value == 2)
        if value == 0 { dropped += 1 } else { kept += 1 }
      }
    }
    // 1,600 draws at p = 0.5: the share dropped is 0.5 ± 0.05 with overwhelming probability.
    #expect(abs(Double(dropped) / Double(dropped + kept) - 0.5) < 0.05)
  }

  @Test func inputDropoutLeavesOutSparseFeatures() {
    var noise = TrainingNoise(inputDropout: 0.5, generator: SeededGenerator(seed: 2))
    let example = SequenceExample(
      inputs: .sparse((0..<40).map { [Int32($0 % 7), Int32(7 + $0 % 5)] }),
      targets: Array(repeating: 0, count: 40))
    var batch = SequenceBatch<Float>(examples: [example], task: .framewise, inputSize: 12)
    noise.perturb(&batch)
    guard case .sparse(let rows) = batch.inputs else {
      Issue.record("sparse inputs stay sparse")
      return
    }
    #expect(rows.rows == 40)
    #expect(rows.offsets.first == 0 && rows.offsets.last == rows.indices.count)
    for r in 0..<40 {
      let kept = Array(rows.indices[rows.offsets[r]..<rows.offsets[r + 1]])
      #expect(Set(kept).isSubset(of: [Int32(r % 7), Int32(7 + r % 5)]))
    }
    #expect((20..<60).contains(rows.indices.count))
  }

  @Test func inputNoiseSparesPadding() {
    var noise = TrainingNoise(input: 0.1, generator: SeededGenerator(seed: 3))
    var batch = Self.denseBatch()
    noise.perturb(&batch)
    for (index, value) in Self.dense(batch).enumerated() {
      if Self.padded.contains(index) { #expect(value == 0) } else { #expect(value != 1) }
    }
  }

  @Test func outputMasksHoldZeroOrTheInverseKeepRate() throws {
    var noise = TrainingNoise(outputDropout: 0.25, generator: SeededGenerator(seed: 4))
    let layout = DropoutLayout(width: 6, directions: 2, layerBoundaries: 0)
    let drawn = noise.masks(for: layout, rows: 10, hiddenRows: 10)
    let masks = try #require(drawn?.output)
    #expect(drawn?.layers == nil)
    #expect(masks.count == 2 && masks.allSatisfy { $0.count == 60 })
    #expect(masks.joined().allSatisfy { $0 == 0 || $0 == Float(1 / 0.75) })
    #expect(masks.joined().contains(0))
    var off = TrainingNoise(input: 0.1, generator: SeededGenerator(seed: 4))
    #expect(off.masks(for: layout, rows: 10, hiddenRows: 10) == nil)
  }

  /// Layer masks come after the output masks from the same stream: one per direction and layer
  /// boundary, over every hidden row.
  @Test func layerMasksCoverEveryBoundaryAndDirection() throws {
    var noise = TrainingNoise(layerDropout: 0.5, generator: SeededGenerator(seed: 5))
    let layout = DropoutLayout(width: 3, directions: 2, layerBoundaries: 2)
    let masks = noise.masks(for: layout, rows: 4, hiddenRows: 8)
    let drawn = try #require(masks)
    #expect(drawn.output == nil)
    let layers = try #require(drawn.layers)
    #expect(layers.count == 2 && layers.allSatisfy { $0.count == 2 })
    #expect(layers.joined().allSatisfy { $0.count == 24 })
    #expect(layers.joined().joined().allSatisfy { $0 == 0 || $0 == 2 })
    var reference = SeededGenerator(seed: 5)
    let first = (0..<24).map { _ in reference.uniform() < 0.5 ? Float(0) : 2 }
    #expect(layers[0][0] == first)
  }
}

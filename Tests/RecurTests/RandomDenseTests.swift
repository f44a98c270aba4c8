import Recur
import Tensors
import Testing

@Suite struct RandomDenseTests {
  static let configuration = RandomDense.Configuration(
    trainSequences: 40, devSequences: 3, testSequences: 0, steps: 5, input: 7, classes: 4)

  @Test func shapesAndInfo() {
    let data = RandomDense(Self.configuration, generator: SeededGenerator(seed: 1))
    #expect(data.examples(.train).count == 40)
    #expect(data.examples(.dev).count == 3)
    #expect(data.availableSplits == [.train, .dev])
    #expect(data.info.inputSize == 7)
    #expect(data.info.outputSize == 4)
    #expect(data.info.task == .framewise)
    #expect(data.info.labels.count == 4)
    for example in data.examples(.train) + data.examples(.dev) {
      guard case .dense(let values, let width) = example.inputs else {
        Issue.record("expected dense inputs")
        return
      }
      #expect(width == 7)
      #expect(values.count == 5 * 7)
      #expect(example.length == 5)
      #expect(example.targets.count == 5)
      #expect(example.targets.allSatisfy { (0..<4).contains($0) })
    }
  }

  @Test func sameSeedSameDataOtherSeedOtherData() {
    let a = RandomDense(Self.configuration, generator: SeededGenerator(seed: 9))
    let b = RandomDense(Self.configuration, generator: SeededGenerator(seed: 9))
    let c = RandomDense(Self.configuration, generator: SeededGenerator(seed: 10))
    #expect(a.examples(.train) == b.examples(.train))
    #expect(a.examples(.dev) == b.examples(.dev))
    #expect(a.examples(.train) != c.examples(.train))
  }

  /// The documented draw order, replayed on a generator of the same seed: the first sequence's
  /// 5·7 normals, then its 5 tags, then the second sequence.
  @Test func drawOrderIsTheDocumentedOne() {
    let data = RandomDense(Self.configuration, generator: SeededGenerator(seed: 4))
    var replay = SeededGenerator(seed: 4)
    for example in data.examples(.train).prefix(2) {
      let values = (0..<35).map { _ in Float(replay.normal()) }
      let targets = (0..<5).map { _ in Int32(replay.integer(below: 4)) }
      #expect(
        example == SequenceExample(inputs: .dense(values: values, width: 7), targets: targets))
    }
  }

  /// 40·5·7 = 1400 features: mean within 4 standard errors (4/√1400 ≈ 0.11) of 0 and variance
  /// within 0.15 of 1; every class drawn among the 200 tags (expected 50 each).
  @Test func featuresLookStandardNormalAndTagsUniform() {
    let data = RandomDense(Self.configuration, generator: SeededGenerator(seed: 2))
    var values: [Double] = []
    var counts = [Int](repeating: 0, count: 4)
    for example in data.examples(.train) {
      if case .dense(let v, _) = example.inputs { values += v.map(Double.init) }
      for tag in example.targets { counts[Int(tag)] += 1 }
    }
    let mean = values.reduce(0, +) / Double(values.count)
    let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)
    #expect(values.count == 1400)
    #expect(abs(mean) < 0.11)
    #expect(abs(variance - 1) < 0.15)
    #expect(counts.allSatisfy { $0 > 25 && $0 < 75 })
  }
}

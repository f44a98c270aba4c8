import Foundation
import Recur
import Tensors
import Testing

/// Text corpora, stream batching, the language-model metrics, the n-gram baseline and sampling.
@Suite struct LanguageModelTests {
  static func file(_ name: String, _ bytes: [UInt8]) throws -> String {
    let folder = FileManager.default.temporaryDirectory
      .appendingPathComponent("recur-lm-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let path = folder.appendingPathComponent(name).path
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
  }

  // MARK: Streams

  /// 23 steps whose targets are their own positions, as 3 streams of 8, 8 and 7 steps cut into
  /// segments of 3: every position is a target exactly once, each stream is a run of
  /// consecutive positions, and the streams still running in a batch are the first ones.
  @Test(arguments: [true, false])
  func everyStepIsInExactlyOneSegment(dense: Bool) {
    let lengths = [5, 1, 9, 8]
    var position: Int32 = 0
    let examples = lengths.map { length -> SequenceExample in
      let targets = (0..<length).map { _ -> Int32 in
        defer { position += 1 }
        return position
      }
      let inputs: ExampleInputs =
        dense
        ? .dense(values: targets.flatMap { [Float($0), -Float($0)] }, width: 2)
        : .sparse(targets.map { [$0 % 4] })
      return SequenceExample(inputs: inputs, targets: targets)
    }
    let segments = StreamSegments(examples: examples, streams: 3, steps: 3)
    #expect(segments.stepCount == 23)
    #expect(segments.streamLengths == [8, 8, 7])
    #expect(segments.segmentCount == 3)
    var perStream: [[Int32]] = [[], [], []]
    for k in 0..<segments.segmentCount {
      let batch = segments.segment(k)
      #expect(batch.count == 3)
      #expect(batch.map(\.length) == (k < 2 ? [3, 3, 3] : [2, 2, 1]))
      for (b, example) in batch.enumerated() {
        perStream[b] += example.targets
        switch example.inputs {
        case .dense(let values, _):
          #expect(values == example.targets.flatMap { [Float($0), -Float($0)] })
        case .sparse(let rows): #expect(rows == example.targets.map { [$0 % 4] })
        }
      }
    }
    #expect(perStream == [Array(0..<8), Array(8..<16), Array(16..<23)])
  }

  @Test func fewerStepsThanStreamsMakeAStreamPerStep() {
    let example = SequenceExample(inputs: .sparse([[0], [1]]), targets: [1, 0])
    let segments = StreamSegments(examples: [example], streams: 5, steps: 4)
    #expect(segments.streamLengths == [1, 1])
    #expect(segments.segment(0).map(\.targets) == [[1], [0]])
  }

  // MARK: Text

  @Test func charactersOfAFileWithCRLFAndAByteOrderMark() throws {
    let train = try Self.file("train.txt", [0xEF, 0xBB, 0xBF] + Array("ab\r\nba\n".utf8))
    let dev = try Self.file("dev.txt", Array("ac".utf8))
    let corpus = try TextCorpus(
      train: train, dev: dev, test: nil, options: .init(unit: .char, format: .plain))
    // Tokens a b \n b a \n; vocabulary <unk> a b \n in order of first appearance.
    #expect(corpus.vocabulary.words == ["<unk>", "a", "b", "\n"])
    #expect(corpus.streams[.train] == [1, 2, 3, 2, 1, 3])
    #expect(corpus.streams[.dev] == [1, 0, 3])
    let examples = corpus.examples(.train)
    #expect(examples.count == 1)
    #expect(examples[0].inputs == .sparse([[1], [2], [3], [2], [1]]))
    #expect(examples[0].targets == [2, 3, 2, 1, 3])
    #expect(corpus.info.inputSize == 4 && corpus.info.outputSize == 4)
    #expect(corpus.info.task == .framewise)
    let unknown = corpus.info.facts.first { $0.name == "unknown_token_share" && $0.split == .dev }
    #expect(unknown?.value == 1.0 / 3.0)
  }

  @Test func sequenceLengthCutsTheStreamIntoConsecutivePieces() throws {
    let corpus = try TextCorpus(
      tokens: [.train: Array("abcabcab").map(String.init)],
      options: .init(unit: .char, format: .plain, sequenceLength: 3))
    // 8 tokens → 7 targets → pieces of 3, 3, 1.
    let examples = corpus.examples(.train)
    #expect(examples.map(\.length) == [3, 3, 1])
    #expect(examples.flatMap(\.targets) == Array(corpus.streams[.train]!.dropFirst()))
  }

  @Test func wordsWithMinCountAndLineEnds() throws {
    let train = try Self.file("train.txt", Array("the cat\nthe dog  the\n".utf8))
    let corpus = try TextCorpus(
      train: train, dev: nil, test: nil,
      options: .init(unit: .word, format: .plain, minCount: 2))
    #expect(corpus.vocabulary.words == ["<unk>", "the", "<eos>"])
    #expect(corpus.streams[.train] == [1, 0, 2, 1, 0, 1, 2])
    #expect(corpus.text(of: 1) + corpus.text(of: 2) == "the \n")
    #expect(corpus.tokens(of: "the cat") == ["the", "cat"])
  }

  @Test func conlluFormsJoinedAsText() throws {
    let lines = [
      "# text = Hi, you.", "1\tHi\thi\tINTJ\tUH\t_\t0\troot\t_\tSpaceAfter=No",
      "2\t,\t,\tPUNCT\t,\t_\t1\tpunct\t_\t_", "3-4\tyou.\t_\t_\t_\t_\t_\t_\t_\t_",
      "3\tyou\tyou\tPRON\tPRP\t_\t1\tobj\t_\tSpaceAfter=No",
      "4\t.\t.\tPUNCT\t.\t_\t1\tpunct\t_\t_", "", "1\tOk\tok\tINTJ\tUH\t_\t0\troot\t_\t_", "",
    ]
    let path = try Self.file("a.conllu", Array(lines.joined(separator: "\n").utf8))
    let corpus = try TextCorpus(
      train: path, dev: nil, test: nil, options: .init(unit: .char, format: .conllu))
    let text = corpus.streams[.train]!.map { corpus.vocabulary.words[Int($0)] }.joined()
    #expect(text == "Hi, you.\nOk\n")
  }

  @Test func fractionsSplitTheTrainFileByLines() throws {
    let path = try Self.file("t.txt", Array("aa\nbb\ncc\ndd\n".utf8))
    let corpus = try TextCorpus(
      train: path, dev: nil, test: nil, devFraction: 0.25, testFraction: 0.25,
      options: .init(unit: .char, format: .plain))
    let words = corpus.vocabulary.words
    func text(_ split: Split) -> String {
      corpus.streams[split]!.map { words[Int($0)] }.joined()
    }
    #expect(text(.train) == "aa\nbb\n")
    #expect(text(.dev) == "<unk><unk>\n")
    #expect(text(.test) == "<unk><unk>\n")
  }

  @Test func invalidUTF8IsLocated() throws {
    let path = try Self.file("bad.txt", Array("ok\nb".utf8) + [0xFF] + Array("d\n".utf8))
    let error = #expect(throws: DataFileError.self) {
      try TextCorpus(
        train: "missing-train-file", dev: path, test: nil,
        options: .init(unit: .char, format: .plain))
    }
    #expect(error?.option == "train")
    let located = #expect(throws: DataFileError.self) {
      try TextCorpus(
        train: path, dev: nil, test: nil, options: .init(unit: .char, format: .plain))
    }
    #expect(located?.option == "train")
    #expect(located?.line == 2)
    #expect(located?.message.contains("invalid UTF-8: byte 0xFF at byte 2") == true)
  }

  @Test func aOneTokenSplitIsRefused() throws {
    let train = try Self.file("train.txt", Array("abc\n".utf8))
    let dev = try Self.file("dev.txt", [])
    let error = #expect(throws: DataFileError.self) {
      try TextCorpus(
        train: train, dev: dev, test: nil, options: .init(unit: .char, format: .plain))
    }
    #expect(error?.option == "dev")
  }

  // MARK: Metrics

  /// A network whose weights are zero but the output bias, ln p: every step predicts
  /// p = (1/2, 1/4, 1/8, 1/8). Targets 0, 1, 2 cost 1, 2 and 3 bits: 2 bits per token and
  /// perplexity 2² = 4; adding a batch with target 3 (3 bits) gives 9/4 bits, perplexity 2^(9/4).
  @Test func bitsAndPerplexityOfAHandWorkedDistribution() {
    let shape = Fixtures.shape(
      bidirectional: false, bias: true, task: .framewise, inputSize: 4, outputSize: 4)
    let cell = ElmanCell(activation: Tanh())
    var parameters = RecurrentNetwork<Double>.parameterShapes(for: shape, cell: cell).map {
      key, rows, columns in (key, Matrix<Double>(rows: rows, columns: columns))
    }
    let p = [0.5, 0.25, 0.125, 0.125]
    parameters[parameters.count - 1].1 = Matrix(rows: 1, columns: 4, elements: p.map { log($0) })
    let network = RecurrentNetwork(
      shape: shape, cell: cell, parameters: ParameterSet(parameters))
    func evaluation(_ targets: [Int32]) -> (BatchEvaluation, BatchTargets) {
      let batch = SequenceBatch<Double>(
        examples: [
          SequenceExample(inputs: .sparse(targets.map { _ in [0] }), targets: targets)
        ], task: .framewise, inputSize: 4)
      return (network.evaluate(batch), batch.scoring)
    }
    var bits = CrossEntropyMetric(perplexity: false)
    var perplexity = CrossEntropyMetric(perplexity: true)
    #expect(bits.value == nil)
    let (first, targets) = evaluation([0, 1, 2])
    bits.add(first, targets: targets)
    perplexity.add(first, targets: targets)
    #expect(abs(bits.value! - 2) < 1e-12)
    #expect(abs(perplexity.value! - 4) < 1e-12)
    let (second, more) = evaluation([3])
    bits.add(second, targets: more)
    perplexity.add(second, targets: more)
    #expect(abs(bits.value! - 2.25) < 1e-12)
    #expect(abs(perplexity.value! - pow(2, 2.25)) < 1e-12)
    #expect(bits.name == "bits_per_token" && perplexity.name == "perplexity")
    #expect(bits.goal == .min && !bits.isProportion)
  }

  // MARK: The n-gram baseline

  /// "a b a b a" (a = 1, b = 2, V = 3 with the unknown token 0): trigrams 1 2 1 (twice) and
  /// 2 1 2. By hand, with D = 3/4:
  ///
  ///     N₁₊(· 1) = N₁₊(· 2) = 1, 2 bigram types, 2 tokens ending one:
  ///     P₁(1) = (1 − ¾ + ¾ · 2 · ⅓) / 2 = 3/8, P₁(2) = 3/8, P₁(0) = (¾ · 2 · ⅓) / 2 = 1/4
  ///     P₂(1 | 2) = (1 − ¾) / 1 + ¾ · 1 / 1 · 3/8 = 17/32
  ///     P₃(1 | 1 2) = (2 − ¾ + ¾ · 1 · 17/32) / 2 = 211/256
  @Test func kneserNeyByHand() {
    let model = NGramModel(tokens: [1, 2, 1, 2, 1], vocabularySize: 3, order: 3)
    #expect(model.probability(of: 1) == 3.0 / 8)
    #expect(model.probability(of: 0) == 1.0 / 4)
    #expect(model.probability(of: 1, after: 2) == 17.0 / 32)
    #expect(model.probability(of: 1, after: 1, 2) == 211.0 / 256)
    // An unseen context falls through: P₃(w | 0 0) = P₂(w | 0) = P₁(w).
    #expect(model.probability(of: 2, after: 0, 0) == 3.0 / 8)
    let bits = model.bitsPerToken([1, 2, 1])
    let expected = -(log2(model.probability(of: 2, after: 1)) + log2(211.0 / 256)) / 2
    #expect(abs(bits - expected) < 1e-12)
  }

  @Test func everyOrderSumsToOne() {
    var generator = SeededGenerator(seed: 2)
    let tokens = (0..<400).map { _ in Int32(1 + generator.integer(below: 5)) }
    let model = NGramModel(tokens: tokens, vocabularySize: 7, order: 3)
    for (u, v) in [(1, 2), (3, 3), (0, 6), (6, 0)] as [(Int32, Int32)] {
      let three = (0..<7).map { model.probability(of: Int32($0), after: u, v) }
      let two = (0..<7).map { model.probability(of: Int32($0), after: v) }
      #expect(abs(three.reduce(0, +) - 1) < 1e-12)
      #expect(abs(two.reduce(0, +) - 1) < 1e-12)
      #expect(three.allSatisfy { $0 > 0 })
    }
  }

  // MARK: Sampling

  static func sampler() throws -> TextSampler {
    let corpus = try TextCorpus(
      tokens: [.train: Array("the cat sat on the mat\n").map(String.init)],
      options: .init(unit: .char, format: .plain))
    let shape = NetworkShape(
      inputSize: corpus.info.inputSize, hiddenSize: 6, outputSize: corpus.info.outputSize,
      directions: [.forward], bias: true, task: .framewise, layers: 2)
    let cell = LSTMCell()
    var generator = SeededGenerator(seed: 5)
    let parameters = ParameterSet(
      RecurrentNetwork<Float>.parameterShapes(for: shape, cell: cell).map { key, r, c in
        (
          key,
          Matrix<Float>(
            rows: r, columns: c,
            elements: (0..<(r * c)).map { _ in Float(generator.uniform(in: -1...1)) })
        )
      })
    return TextSampler(
      model: RecurrentNetwork(shape: shape, cell: cell, parameters: parameters), corpus: corpus)
  }

  @Test func theSameSeedDrawsTheSameText() throws {
    let sampler = try Self.sampler()
    let prime = sampler.corpus.encode(sampler.corpus.tokens(of: "the"))
    func draw(_ seed: UInt64, temperature: Double = 1) -> [Int32] {
      var generator = SeededGenerator(seed: seed)
      return sampler.sample(
        length: 60, temperature: temperature, prime: prime, generator: &generator)
    }
    let first = draw(1)
    #expect(first.count == 60)
    #expect(draw(1) == first)
    #expect(draw(2) != first)
    #expect(draw(1, temperature: 0.5) != first)
    #expect(sampler.model.initialState == nil)
  }

  /// Feeding a sample back one token at a time with the carried state gives the distributions
  /// of one pass over the whole text: the drawn token is the one the sampler's draw picks from
  /// the long pass's distribution at that step, every step.
  @Test func samplingOneStepAtATimeFollowsTheLongPass() throws {
    let sampler = try Self.sampler()
    let prime = sampler.corpus.encode(sampler.corpus.tokens(of: "the c"))
    var generator = SeededGenerator(seed: 3)
    let drawn = sampler.sample(length: 20, temperature: 1, prime: prime, generator: &generator)
    let all = prime + drawn
    let batch = SequenceBatch<Float>(
      examples: [
        SequenceExample(
          inputs: .sparse(all.map { [$0] }), targets: [Int32](repeating: -1, count: all.count))
      ], task: .framewise, inputSize: sampler.corpus.info.inputSize)
    let k = sampler.corpus.info.outputSize
    let probabilities = sampler.model.probabilities(for: batch)
    var replay = SeededGenerator(seed: 3)
    for (index, token) in drawn.enumerated() {
      let step = prime.count - 1 + index
      let p = Array(probabilities[(step * k)..<((step + 1) * k)])
      // The sampler's weights at temperature 1: exp(log p), p up to rounding.
      let weights = p.map { $0 > 0 ? exp(log($0)) : 0 }
      var remaining = replay.uniform() * weights.reduce(0, +)
      let picked = weights.firstIndex { weight in
        remaining -= weight
        return remaining < 0
      }
      #expect(picked.map(Int32.init) == token, "step \(index)")
    }
  }
}

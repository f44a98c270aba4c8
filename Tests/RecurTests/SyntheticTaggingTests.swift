import Recur
import Tensors
import Testing

@Suite struct SyntheticTaggingTests {
  static let configuration = SyntheticTagging.Configuration(
    trainSequences: 300, devSequences: 100, testSequences: 0, minLength: 3, maxLength: 12,
    vocabulary: 30, tags: 5, rightContextWords: 4, rightContextShare: 0.4)

  @Test func sameSeedSameDataAndOtherSeedOtherData() throws {
    let a = try SyntheticTagging(Self.configuration, generator: SeededGenerator(seed: 7))
    let b = try SyntheticTagging(Self.configuration, generator: SeededGenerator(seed: 7))
    let c = try SyntheticTagging(Self.configuration, generator: SeededGenerator(seed: 8))
    #expect(a.examples(.train) == b.examples(.train))
    #expect(a.examples(.dev) == b.examples(.dev))
    #expect(a.examples(.train) != c.examples(.train))
  }

  @Test func splitsSizesAndShape() throws {
    let data = try SyntheticTagging(Self.configuration, generator: SeededGenerator(seed: 1))
    #expect(data.examples(.train).count == 300)
    #expect(data.examples(.dev).count == 100)
    #expect(data.examples(.test).isEmpty)
    #expect(data.availableSplits == [.train, .dev])
    #expect(data.info.inputSize == 30)
    #expect(data.info.outputSize == 5)
    #expect(data.info.task == .framewise)
    for example in data.examples(.train) {
      #expect((3...12).contains(example.length))
      #expect(example.targets.count == example.length)
      #expect(example.targets.allSatisfy { (0..<5).contains($0) })
    }
  }

  /// Every token is tagged by the rule the generator states: a plain word by its own tag, a
  /// right-context word by the tag of the (plain) word after it.
  @Test func tagsFollowTheRule() throws {
    let data = try SyntheticTagging(Self.configuration, generator: SeededGenerator(seed: 3))
    var rightContextTokens = 0
    for example in data.examples(.train) {
      guard case .sparse(let steps) = example.inputs else {
        Issue.record("expected one-hot word inputs")
        return
      }
      for (t, step) in steps.enumerated() {
        #expect(step.count == 1)
        if let tag = data.tagOfWord[Int(step[0])] {
          #expect(example.targets[t] == tag)
        } else {
          rightContextTokens += 1
          let next = try #require(data.tagOfWord[Int(steps[t + 1][0])])
          #expect(example.targets[t] == next)
        }
      }
    }
    #expect(rightContextTokens > 100)
  }

  /// The reported ceiling, recomputed from the data: a left-to-right tagger knows a plain word's
  /// tag, and at a right-context word its best guess is the tag most plain words carry.
  @Test func leftToRightCeilingMatchesAnIndependentCount() throws {
    let data = try SyntheticTagging(Self.configuration, generator: SeededGenerator(seed: 5))
    let plainTags = data.tagOfWord.compactMap { $0 }
    let counts = Dictionary(grouping: plainTags, by: { $0 }).mapValues(\.count)
    let most = try #require(counts.values.max())
    let bestGuesses = Set(counts.filter { $0.value == most }.keys)
    #expect(bestGuesses.count == 1, "30 − 4 = 26 plain words over 5 tags: one tag has 6")

    var correct = 0
    var total = 0
    for example in data.examples(.dev) {
      guard case .sparse(let steps) = example.inputs else { return }
      for (t, step) in steps.enumerated() {
        total += 1
        if data.tagOfWord[Int(step[0])] != nil || bestGuesses.contains(example.targets[t]) {
          correct += 1
        }
      }
    }
    let fact = try #require(
      data.info.facts.first { $0.name == "left_to_right_ceiling" && $0.split == .dev })
    #expect(fact.value == Double(correct) / Double(total))
    #expect(fact.value < 0.95)
  }

  @Test func conflictingSettingsNameTheOption() {
    var configuration = Self.configuration
    configuration.splits.maxLength = 2
    #expect(throws: SyntheticTagging.ConfigurationError.self) {
      try SyntheticTagging(configuration, generator: SeededGenerator(seed: 1))
    }
    do {
      configuration = Self.configuration
      configuration.tags = 27
      _ = try SyntheticTagging(configuration, generator: SeededGenerator(seed: 1))
      Issue.record("27 tags over 26 plain words should be rejected")
    } catch {
      #expect(error.option == "tags")
      #expect(error.message.contains("26"))
    }
  }
}

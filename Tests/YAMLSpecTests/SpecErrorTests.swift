import Testing
import YAMLSpec

@Suite struct SpecErrorTests {
  private let source = SourceFile(
    name: "experiments/bad.yaml", text: "optimizer:\n  type: adamw\n  rate: 1\n")

  @Test func rendersLocationLineCaretExpectedAndSuggestion() {
    let error = SpecError(
      "unknown optimizer 'adamw'", at: SourceLocation(source: source, line: 2, column: 9),
      keyPath: "optimizer.type", expected: "one of: adam, adagrad, rmsprop, sgd",
      suggestion: "adam")
    #expect(
      error.description == """
        experiments/bad.yaml:2:9: error: unknown optimizer 'adamw' at optimizer.type
            type: adamw
                  ^
        expected one of: adam, adagrad, rmsprop, sgd (did you mean 'adam'?)
        """)
  }

  @Test func leavesOutWhatIsMissing() {
    let located = SpecError("bad", at: SourceLocation(source: source, line: 3, column: 1))
    #expect(located.description == "experiments/bad.yaml:3:1: error: bad\n    rate: 1\n  ^")
    #expect(SpecError("cannot read 'x'").description == "error: cannot read 'x'")
    let unlocated = SpecError("unknown key 'hiden'", keyPath: "model.hiden", suggestion: "hidden")
    #expect(
      unlocated.description == """
        error: unknown key 'hiden' at model.hiden
        (did you mean 'hidden'?)
        """)
  }

  @Test func skipsTheQuoteWhenTheLineDoesNotExist() {
    let error = SpecError("x", at: SourceLocation(source: source, line: 9, column: 1))
    #expect(error.description == "experiments/bad.yaml:9:1: error: x")
  }

  @Test func copiesTabsSoTheCaretLinesUp() {
    let tabbed = SourceFile(name: "t.yaml", text: "a:\n\t b: 1")
    let error = SpecError("here", at: SourceLocation(source: tabbed, line: 2, column: 3))
    #expect(error.description == "t.yaml:2:3: error: here\n  \t b: 1\n  \t ^")
  }

  @Test func quotesAnOverrideArgumentAsItsSourceLine() throws {
    let spec = try SpecNode.parse("model:\n  hidden: 3\n", sourceName: "spec.yaml")
    let error = try #require(throws: SpecError.self) {
      try spec.applying(overrides: ["model.hidden=[1, 2"])
    }
    #expect(
      error.description == """
        <override 1>:1:19: error: did not find expected ',' or ']' \
        (while parsing a flow sequence started at line 1, column 14)
          model.hidden=[1, 2
                            ^
        """)
  }

  @Test func equalityComparesEveryField() {
    let a = SpecError("m", keyPath: "k", expected: "e", suggestion: "s")
    #expect(a == SpecError("m", keyPath: "k", expected: "e", suggestion: "s"))
    #expect(a != SpecError("m", keyPath: "k", expected: "e"))
  }
}

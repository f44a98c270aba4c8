import Testing
import YAMLSpec

@Suite struct ClosestMatchTests {
  @Test func findsTheNearestCandidate() {
    #expect(closestMatch(to: "adamw", in: ["adam", "adagrad", "rmsprop", "sgd"]) == "adam")
    #expect(closestMatch(to: "hiden", in: ["layers", "hidden", "bias"]) == "hidden")
    #expect(closestMatch(to: "tanh", in: ["sigmoid", "tanh"]) == "tanh")
  }

  @Test func breaksTiesByCandidateOrder() {
    // "cat" is one substitution from both "bat" and "cut".
    #expect(closestMatch(to: "cat", in: ["cut", "bat"]) == "cut")
    #expect(closestMatch(to: "cat", in: ["bat", "cut"]) == "bat")
  }

  @Test func refusesCandidatesTooFarAway() {
    // Limit max(2, 3 / 3) = 2: "xyz" → "abc" needs 3 substitutions.
    #expect(closestMatch(to: "xyz", in: ["abc"]) == nil)
    #expect(closestMatch(to: "xy", in: ["abc"]) == nil)
    // Limit max(2, 12 / 3) = 4: four edits away is still accepted.
    #expect(closestMatch(to: "learningrate", in: ["learning_rate_x"]) == "learning_rate_x")
    #expect(closestMatch(to: "anything", in: []) == nil)
  }
}

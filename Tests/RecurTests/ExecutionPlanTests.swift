import Recur
import Testing

@Suite struct ExecutionPlanTests {
  @Test func brnnDirectionsRunInParallelOnTwoCores() {
    let brnn = Fixtures.shape(bidirectional: true, bias: true, task: .framewise)
    let rnn = Fixtures.shape(bidirectional: false, bias: true, task: .framewise)
    let parallel = ExecutionPlan.choose(for: brnn, cores: 2)
    #expect(parallel.parallelDirections && parallel.blasThreads == 1)
    let oneCore = ExecutionPlan.choose(for: brnn, cores: 1)
    #expect(!oneCore.parallelDirections && oneCore.blasThreads == 1)
    let single = ExecutionPlan.choose(for: rnn, cores: 4)
    #expect(!single.parallelDirections && single.blasThreads == 4)
  }
}

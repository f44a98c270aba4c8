import Foundation
import Recur
import Tensors
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

  /// The packed kernels run on the calling thread: they serve the recurrent products while BLAS
  /// is single-threaded, and BLAS's threads serve them otherwise.
  @Test func recurrentProductsUseThePackedKernelUnlessBLASHasThreads() {
    let brnn = Fixtures.shape(bidirectional: true, bias: true, task: .framewise)
    let rnn = Fixtures.shape(bidirectional: false, bias: true, task: .framewise)
    let best = ProductKernel.best(for: Float.self)
    #expect(ExecutionPlan.choose(for: brnn, cores: 2).recurrentProduct == best)
    #expect(ExecutionPlan.choose(for: brnn, cores: 1).recurrentProduct == best)
    #expect(ExecutionPlan.choose(for: rnn, cores: 1).recurrentProduct == best)
    #expect(ExecutionPlan.choose(for: rnn, cores: 2).recurrentProduct == .blas)
    let forced = ExecutionPlan(parallelDirections: false, blasThreads: 2, recurrentProduct: best)
    #expect(forced.recurrentProduct == best)

    let network = RecurrentNetwork(shape: brnn, cell: ElmanCell(activation: Tanh()),
      parameters: Fixtures.parameters(for: brnn, seed: 1).converted(to: Float.self))
    #expect(network.recurrentProduct == best)
    ExecutionPlan(parallelDirections: false, blasThreads: 2).apply(to: network)
    #expect(network.recurrentProduct == .blas)
    ExecutionPlan(parallelDirections: true, blasThreads: 1).apply(to: network)
    #expect(network.recurrentProduct == best && network.parallelDirections)
  }

  /// A plan round-trips through JSON; one recorded before `recurrent_product` existed reads as
  /// the BLAS kernel that ran then, and a kernel name that is not one is an error.
  @Test func plansDecodeWithAndWithoutTheRecurrentProduct() throws {
    let plan = ExecutionPlan(
      parallelDirections: true, blasThreads: 1, blasCore: "SkylakeX", recurrentProduct: .avx2)
    let data = try JSONEncoder().encode(plan)
    #expect(try JSONDecoder().decode(ExecutionPlan.self, from: data) == plan)
    let old = #"{"parallel_directions":true,"blas_threads":1,"blas_core":"SkylakeX"}"#
    let decoded = try JSONDecoder().decode(ExecutionPlan.self, from: Data(old.utf8))
    #expect(decoded.recurrentProduct == .blas)
    #expect(decoded.parallelDirections && decoded.blasThreads == 1)
    let bad =
      #"{"parallel_directions":true,"blas_threads":1,"blas_core":"x","recurrent_product":"sse9"}"#
    #expect(throws: DecodingError.self) {
      try JSONDecoder().decode(ExecutionPlan.self, from: Data(bad.utf8))
    }
  }
}

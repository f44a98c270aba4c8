import Recur
import Tensors
import Testing

/// Layout checked by hand on two sequences: A has 3 steps, B has 1 (so T = 3, B = 2 and row
/// t·2 + b is step t of sequence b).
@Suite struct SequenceBatchTests {
  @Test func denseFramewiseLayout() {
    let a = SequenceExample(
      inputs: .dense(values: [1, 2, 3, 4, 5, 6], width: 2),
      targets: [0, 1, 2])
    let b = SequenceExample(inputs: .dense(values: [7, 8], width: 2), targets: [1])
    #expect(a.length == 3 && b.length == 1)
    let batch = SequenceBatch<Double>(examples: [a, b], task: .framewise, inputSize: 2)
    #expect(batch.lengths == [3, 1])
    #expect(batch.steps == 3)
    #expect(batch.batchSize == 2)
    #expect(batch.task == .framewise)
    // rows: (t0,A) (t0,B) (t1,A) (t1,B)=pad (t2,A) (t2,B)=pad
    #expect(batch.targets == [0, 1, 1, -1, 2, -1])
    guard case .dense(let x) = batch.inputs else {
      Issue.record("expected dense inputs")
      return
    }
    #expect(x.rows == 6 && x.columns == 2)
    #expect(x.elements == [1, 2, 7, 8, 3, 4, 0, 0, 5, 6, 0, 0])
  }

  @Test func sparseSequenceLayout() {
    let a = SequenceExample(inputs: .sparse([[4], [0, 2], [1]]), targets: [1])
    let b = SequenceExample(inputs: .sparse([[3, 5]]), targets: [0])
    let batch = SequenceBatch<Float>(examples: [a, b], task: .sequence, inputSize: 6)
    #expect(batch.steps == 3)
    #expect(batch.targets == [1, 0])
    guard case .sparse(let rows) = batch.inputs else {
      Issue.record("expected sparse inputs")
      return
    }
    // rows: (t0,A)=[4] (t0,B)=[3,5] (t1,A)=[0,2] (t1,B)=[] (t2,A)=[1] (t2,B)=[]
    #expect(rows.rows == 6)
    #expect(rows.offsets == [0, 1, 3, 5, 5, 6, 6])
    #expect(rows.indices == [4, 3, 5, 0, 2, 1])
  }
}

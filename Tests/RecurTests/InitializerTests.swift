import Recur
import Tensors
import Testing

@Suite struct InitializerTests {
  static let shape = NetworkShape(
    inputSize: 7, hiddenSize: 5, outputSize: 3, directions: [.forward, .backward], bias: true,
    task: .framewise)

  /// Uniform for every matrix is the network's own default, draw for draw.
  @Test func uniformIsTheDefault() {
    var a = SeededGenerator(seed: 9)
    var b = SeededGenerator(seed: 9)
    let general = RecurrentNetwork<Double>.initialParameters(
      for: Self.shape, cell: ElmanCell(activation: Tanh()), weights: UniformInitializer(), recurrent: UniformInitializer(),
      generator: &a)
    let standard = RecurrentNetwork<Double>.initialParameters(for: Self.shape, cell: ElmanCell(activation: Tanh()), generator: &b)
    #expect(general == standard)
  }

  @Test func glorotStaysWithinItsLimit() {
    var generator = SeededGenerator(seed: 1)
    let values = GlorotInitializer().values(
      rows: 20, columns: 10, hidden: 10, generator: &generator)
    let limit = (6.0 / 30).squareRoot()
    #expect(values.allSatisfy { abs($0) <= limit })
    #expect(values.map(abs).max()! > 0.9 * limit)
  }

  /// Gram matrix of the orthonormalised vectors: QᵀQ = I for a tall or square Q, QQᵀ = I for a
  /// wide one.
  @Test(arguments: [(5, 5), (7, 3), (3, 7)])
  func orthogonalHasOrthonormalColumnsOrRows(rows: Int, columns: Int) {
    var generator = SeededGenerator(seed: 4)
    let q = OrthogonalInitializer().values(
      rows: rows, columns: columns, hidden: 5, generator: &generator)
    let tall = rows >= columns
    let count = tall ? columns : rows
    for u in 0..<count {
      for v in 0..<count {
        var dot = 0.0
        for i in 0..<(tall ? rows : columns) {
          dot +=
            tall ? q[i * columns + u] * q[i * columns + v] : q[u * columns + i] * q[v * columns + i]
        }
        #expect(abs(dot - (u == v ? 1 : 0)) < 1e-12)
      }
    }
  }

  @Test func identityIsSquareOnly() {
    var generator = SeededGenerator(seed: 1)
    #expect(
      IdentityInitializer().values(rows: 3, columns: 3, hidden: 3, generator: &generator)
        == [1, 0, 0, 0, 1, 0, 0, 0, 1])
    #expect(IdentityInitializer().accepts(rows: 3, columns: 3))
    #expect(!IdentityInitializer().accepts(rows: 3, columns: 4))
  }

  /// W from one initializer, U and V from another, biases zero.
  @Test func recurrentAndOtherWeightsAreChosenApart() {
    var generator = SeededGenerator(seed: 2)
    let parameters = RecurrentNetwork<Double>.initialParameters(
      for: Self.shape, cell: ElmanCell(activation: Tanh()), weights: GlorotInitializer(), recurrent: IdentityInitializer(),
      generator: &generator)
    let identity = Matrix<Double>(
      rows: 5, columns: 5, elements: (0..<25).map { $0 / 5 == $0 % 5 ? 1 : 0 })
    #expect(parameters["forward.W"] == identity)
    #expect(parameters["backward.W"] == identity)
    #expect(parameters["forward.c"]!.elements.allSatisfy { $0 == 0 })
    #expect(parameters["forward.U"]!.elements.contains { $0 != 0 })
  }
}

import Tensors

/// How training uses the machine's cores: the two directions of a BRNN on two threads at once,
/// or one after the other with BLAS running each product on several threads; and which kernel
/// runs the per-step recurrent products.
///
/// Results are identical from run to run under any plan. `choose` picks a plan from the sizes
/// alone (never from timings), following the measurements in `bench/RESULTS.md`.
public struct ExecutionPlan: Sendable, Equatable, Codable {
  /// Whether a BRNN's directions run on two threads at once.
  public var parallelDirections: Bool
  /// The threads OpenBLAS runs each product on.
  public var blasThreads: Int
  /// The OpenBLAS kernel family in use (`BLAS.coreName`), for the record.
  public var blasCore: String
  /// How the per-step recurrent products (and the output layer's) run
  /// (`RecurrentNetwork.recurrentProduct`).
  public var recurrentProduct: ProductKernel

  enum CodingKeys: String, CodingKey {
    case parallelDirections = "parallel_directions"
    case blasThreads = "blas_threads"
    case blasCore = "blas_core"
    case recurrentProduct = "recurrent_product"
  }

  /// By default the recurrent products use the best packed kernel while BLAS runs on one
  /// thread, and BLAS itself when it runs on several: the packed kernels run on the calling
  /// thread only.
  public init(
    parallelDirections: Bool, blasThreads: Int, blasCore: String = BLAS.coreName,
    recurrentProduct: ProductKernel? = nil
  ) {
    self.parallelDirections = parallelDirections
    self.blasThreads = blasThreads
    self.blasCore = blasCore
    self.recurrentProduct = recurrentProduct ?? (blasThreads == 1 ? .best(for: Float.self) : .blas)
  }

  /// Reads a recorded plan. A manifest written before the packed kernels existed has no
  /// `recurrent_product`: its recurrent products ran on BLAS, and it reads as `.blas`, so older
  /// run directories still resume, report and count in sweeps.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    parallelDirections = try container.decode(Bool.self, forKey: .parallelDirections)
    blasThreads = try container.decode(Int.self, forKey: .blasThreads)
    blasCore = try container.decode(String.self, forKey: .blasCore)
    recurrentProduct =
      try container.decodeIfPresent(ProductKernel.self, forKey: .recurrentProduct) ?? .blas
  }

  /// The plan for `shape` on a machine with `cores` cores: with two cores or more, a BRNN runs
  /// its directions in parallel on single-threaded BLAS (on the 2-core benchmark machine 1.5×
  /// to 2× faster than directions in turn on two-thread BLAS at all three benchmark sizes); an
  /// RNN, which has one direction, leaves the cores to BLAS.
  public static func choose(for shape: NetworkShape, cores: Int) -> ExecutionPlan {
    if shape.directions.count == 2 && cores >= 2 {
      return ExecutionPlan(parallelDirections: true, blasThreads: 1)
    }
    return ExecutionPlan(parallelDirections: false, blasThreads: max(1, cores))
  }

  /// Sets BLAS's threads (for the whole process), the network's direction threading and its
  /// recurrent product kernel. Precondition: the kernel is available for `Scalar`.
  public func apply<Scalar>(to network: RecurrentNetwork<Scalar>) {
    BLAS.setThreads(blasThreads)
    network.parallelDirections = parallelDirections
    network.recurrentProduct = recurrentProduct
  }
}

internal import CKernels

/// How `PackedOperand` multiplies.
public enum ProductKernel: String, Sendable, CaseIterable, Codable {
  /// A copy of op(B) row-major, and one BLAS `gemm` per product.
  case blas
  /// op(B) packed in 32-column panels; 6 × 16 tiles of C in AVX2 registers (Float only).
  case avx2
  /// op(B) packed in 32-column panels; 8 × 32 tiles of C in AVX-512 registers (Float only).
  case avx512

  /// The kernels this CPU runs for `Scalar`, `blas` first: the packed ones are single
  /// precision and need AVX2 with FMA, or AVX-512.
  public static func available<Scalar: BLASScalar>(for _: Scalar.Type) -> [ProductKernel] {
    guard Scalar.self == Float.self else { return [.blas] }
    switch ckernels_best_isa() {
    case CKERNELS_AVX512: return [.blas, .avx2, .avx512]
    case CKERNELS_AVX2: return [.blas, .avx2]
    default: return [.blas]
    }
  }

  /// The fastest of `available(for:)`: the widest packed kernel, else BLAS.
  public static func best<Scalar: BLASScalar>(for scalar: Scalar.Type) -> ProductKernel {
    available(for: scalar).last!
  }

  var isa: ckernels_isa? {
    switch self {
    case .blas: nil
    case .avx2: CKERNELS_AVX2
    case .avx512: CKERNELS_AVX512
    }
  }
}

/// A right-hand operand op(B), k × n, prepared once for many products `C ← A · op(B) (+ C)` with
/// different A: an RNN's recurrent weights, multiplied by each step's block of states in turn.
///
/// BLAS packs its operands into its own layout at every call, which for a step's product
/// (`B × H · H × H`, B small) costs a good share of the product itself. With a packed kernel,
/// `prepare` lays op(B) out in 32-column panels once (`ckernels_sgemm_pack`) and `multiply` runs
/// micro-kernels that keep a tile of C in registers over the whole k range. With `blas`,
/// `prepare` copies op(B) and `multiply` is a `gemm`. Either way `prepare` copies, so B may
/// change afterwards without affecting the products.
///
/// With the packed kernels every element of C is a chain of fused multiply-adds over k in order,
/// so a row's result does not depend on m or on the other rows.
///
/// Owns a buffer (`BufferMemory`: 64-byte aligned, offered huge pages from 2 MiB) that grows to
/// the largest operand prepared; a class, and not thread-safe: each thread prepares its own.
public final class PackedOperand<Scalar: BLASScalar> {
  public let kernel: ProductKernel
  private var storage: UnsafeMutableRawPointer
  private var capacity: Int
  /// The prepared op(B)'s shape; nil before the first `prepare`.
  private var shape: (k: Int, n: Int)?

  /// Precondition: `kernel` is among `ProductKernel.available(for: Scalar.self)`.
  public init(kernel: ProductKernel = .best(for: Scalar.self)) {
    precondition(
      ProductKernel.available(for: Scalar.self).contains(kernel),
      "the \(kernel) product kernel is not available for \(Scalar.self) on this CPU")
    self.kernel = kernel
    capacity = BufferMemory.lineAlignment
    storage = BufferMemory.allocate(byteCount: capacity)
    storage.bindMemory(to: Scalar.self, capacity: capacity / MemoryLayout<Scalar>.stride)
  }

  deinit { storage.deallocate() }

  /// Takes op(B): `b` is row-major with leading dimension `ldb`, k × n as stored, or n × k read
  /// transposed. Replaces what was prepared before.
  public func prepare(
    _ b: UnsafePointer<Scalar>, ldb: Int, transposed: Bool, k: Int, n: Int
  ) {
    precondition(k >= 0 && n >= 0, "negative operand size k=\(k) n=\(n)")
    precondition(ldb >= max(1, transposed ? k : n), "ldb \(ldb) too small")
    let count = kernel == .blas ? k * n : ckernels_sgemm_packed_count(k, n)
    reserve(bytes: count * MemoryLayout<Scalar>.stride)
    shape = (k, n)
    let target = storage.assumingMemoryBound(to: Scalar.self)
    if kernel == .blas {
      // Each scalar type through its own specialised loop: the generic one copies element by
      // element through the type's value witnesses.
      if Scalar.self == Float.self {
        copyOperand(
          UnsafeRawPointer(b).assumingMemoryBound(to: Float.self), ldb: ldb,
          transposed: transposed, k: k, n: n, into: storage.assumingMemoryBound(to: Float.self))
      } else {
        copyOperand(
          UnsafeRawPointer(b).assumingMemoryBound(to: Double.self), ldb: ldb,
          transposed: transposed, k: k, n: n, into: storage.assumingMemoryBound(to: Double.self))
      }
    } else {
      b.withMemoryRebound(to: Float.self, capacity: 1) { b in
        target.withMemoryRebound(to: Float.self, capacity: count) { target in
          ckernels_sgemm_pack(b, ldb, transposed ? 1 : 0, k, n, target)
        }
      }
    }
  }

  /// C ← A · op(B), plus C's old value when `accumulate`: A is `m × k` row-major with leading
  /// dimension `lda`, C is `m × n` with `ldc`, (k, n) as prepared. Precondition: prepared.
  public func multiply(
    m: Int, _ a: UnsafePointer<Scalar>, lda: Int, accumulate: Bool,
    into c: UnsafeMutablePointer<Scalar>, ldc: Int
  ) {
    guard let (k, n) = shape else { preconditionFailure("multiply before prepare") }
    precondition(m >= 0, "negative row count \(m)")
    precondition(lda >= max(1, k), "lda \(lda) too small")
    precondition(ldc >= max(1, n), "ldc \(ldc) too small")
    guard let isa = kernel.isa else {
      gemm(
        .none, .none, m: m, n: n, k: k, alpha: 1, a, lda: lda,
        storage.assumingMemoryBound(to: Scalar.self), ldb: max(1, n),
        beta: accumulate ? 1 : 0, c, ldc: ldc)
      return
    }
    let packed = UnsafePointer(storage.assumingMemoryBound(to: Scalar.self))
    a.withMemoryRebound(to: Float.self, capacity: 1) { a in
      c.withMemoryRebound(to: Float.self, capacity: 1) { c in
        packed.withMemoryRebound(to: Float.self, capacity: 1) { packed in
          ckernels_sgemm_packed_isa(isa, m, n, k, a, lda, packed, accumulate ? 1 : 0, c, ldc)
        }
      }
    }
  }

  private func reserve(bytes: Int) {
    guard bytes > capacity else { return }
    storage.deallocate()
    capacity = BufferMemory.capacity(forByteCount: bytes)
    storage = BufferMemory.allocate(byteCount: bytes)
    storage.bindMemory(to: Scalar.self, capacity: capacity / MemoryLayout<Scalar>.stride)
  }
}

/// B (or Bᵀ when `transposed`) as a dense row-major `k × n` block, for the BLAS kernel.
@inline(__always)
private func copyOperand<T>(
  _ b: UnsafePointer<T>, ldb: Int, transposed: Bool, k: Int, n: Int,
  into target: UnsafeMutablePointer<T>
) {
  for row in 0..<k {
    for column in 0..<n {
      target[row * n + column] = transposed ? b[column * ldb + row] : b[row * ldb + column]
    }
  }
}

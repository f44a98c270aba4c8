import Glibc

/// Memory for the long-lived buffers of training: activations, deltas and packed operands,
/// allocated once and reused for every batch.
///
/// A block of 2 MiB or more starts on a 2 MiB boundary, covers whole 2 MiB, and is offered to
/// the kernel for transparent huge pages (`madvise(MADV_HUGEPAGE)`, which takes effect where
/// `/sys/kernel/mm/transparent_hugepage/enabled` is `madvise` or `always`). A training step
/// reads a few rows from each of several such buffers, far apart: at T = 1,000 the buffers are
/// tens of MiB, thousands of 4 KiB pages against tens of huge ones for the TLB to hold. The
/// advice changes no value, and where the kernel declines it the block is ordinary memory.
public enum BufferMemory {
  /// The size of a huge page on x86-64 and the smallest block offered as one.
  public static let hugePage = 2 << 20
  /// The alignment of a block smaller than a huge page: a cache line.
  public static let lineAlignment = 64

  /// The bytes a block of `byteCount` bytes occupies.
  public static func capacity(forByteCount byteCount: Int) -> Int {
    byteCount >= hugePage ? (byteCount + hugePage - 1) / hugePage * hugePage : byteCount
  }

  /// A block of at least `byteCount` bytes (`capacity(forByteCount:)`), uninitialized; release it
  /// with `deallocate()`.
  public static func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
    let bytes = capacity(forByteCount: byteCount)
    guard bytes >= hugePage else {
      return .allocate(byteCount: max(bytes, 1), alignment: lineAlignment)
    }
    let block = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: hugePage)
    _ = madvise(block, bytes, MADV_HUGEPAGE)
    return block
  }
}

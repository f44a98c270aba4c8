import Tensors

/// A growable, manually managed block of scalars, reused across calls so the training loop does
/// not allocate. Contents are unspecified after `reserve`. A large block is offered huge pages
/// (`BufferMemory`).
final class ScratchBuffer<Scalar> {
  private(set) var pointer: UnsafeMutablePointer<Scalar>
  /// The scalars the block holds: what was asked for, rounded up to whole huge pages.
  private var capacity: Int

  init() {
    (pointer, capacity) = Self.allocate(1)
  }

  deinit { pointer.deallocate() }

  /// Room for `count` scalars (the block only grows); returns its start.
  func reserve(_ count: Int) -> UnsafeMutablePointer<Scalar> {
    if count > capacity {
      pointer.deallocate()
      (pointer, capacity) = Self.allocate(count)
    }
    return pointer
  }

  private static func allocate(_ count: Int) -> (UnsafeMutablePointer<Scalar>, capacity: Int) {
    let stride = MemoryLayout<Scalar>.stride
    let capacity = BufferMemory.capacity(forByteCount: count * stride) / stride
    let block = BufferMemory.allocate(byteCount: count * stride)
    return (block.bindMemory(to: Scalar.self, capacity: capacity), capacity)
  }
}

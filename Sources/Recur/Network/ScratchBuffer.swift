import Tensors

/// A growable, manually managed block of scalars, reused across calls so the training loop does
/// not allocate. Contents are unspecified after `reserve`. A large block is offered huge pages
/// (`BufferMemory`).
final class ScratchBuffer<Scalar> {
  private(set) var pointer: UnsafeMutablePointer<Scalar>
  private var capacity: Int

  init() {
    capacity = 1
    pointer = Self.allocate(capacity)
  }

  deinit { pointer.deallocate() }

  /// Room for `count` scalars (the block only grows); returns its start.
  func reserve(_ count: Int) -> UnsafeMutablePointer<Scalar> {
    if count > capacity {
      pointer.deallocate()
      capacity = count
      pointer = Self.allocate(count)
    }
    return pointer
  }

  private static func allocate(_ count: Int) -> UnsafeMutablePointer<Scalar> {
    BufferMemory.allocate(byteCount: count * MemoryLayout<Scalar>.stride)
      .bindMemory(to: Scalar.self, capacity: count)
  }
}

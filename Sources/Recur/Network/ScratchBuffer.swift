/// A growable, manually managed block of scalars, reused across calls so the training loop does
/// not allocate. Contents are unspecified after `reserve`.
final class ScratchBuffer<Scalar> {
  private(set) var pointer: UnsafeMutablePointer<Scalar>
  private var capacity: Int

  init() {
    capacity = 1
    pointer = .allocate(capacity: 1)
  }

  deinit { pointer.deallocate() }

  /// Room for `count` scalars (the block only grows); returns its start.
  func reserve(_ count: Int) -> UnsafeMutablePointer<Scalar> {
    if count > capacity {
      pointer.deallocate()
      capacity = count
      pointer = .allocate(capacity: count)
    }
    return pointer
  }
}

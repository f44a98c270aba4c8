import CKernels

/// The gated cells run their Float32 steps through the C kernels of `gates.c` (vectorised at
/// the CPU's widest, the same bits as their generic loops, which Double keeps for the gradient
/// checks). These view a generic buffer as the Float buffer it is when `Scalar` is Float.
@inline(__always)
func floats<Scalar>(_ pointer: UnsafeMutablePointer<Scalar>) -> UnsafeMutablePointer<Float> {
  UnsafeMutableRawPointer(pointer).assumingMemoryBound(to: Float.self)
}

@inline(__always)
func floats<Scalar>(_ pointer: UnsafePointer<Scalar>) -> UnsafePointer<Float> {
  UnsafeRawPointer(pointer).assumingMemoryBound(to: Float.self)
}

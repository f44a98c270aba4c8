import Foundation
import Tensors

/// Makes sure OpenBLAS runs kernels that fit the CPU.
///
/// OpenBLAS picks its kernels when it loads, from `OPENBLAS_CORETYPE` or its own CPU detection.
/// An older OpenBLAS that does not know a newer CPU falls back to SSE3 kernels (`Prescott`),
/// several times slower than the CPU allows. When that happened and the variable is unset, the
/// runner sets it (`BLAS.betterCoreType`) and executes itself again, once; a variable the user
/// set is always respected.
enum BLASKernels {
  static func ensureFitting() {
    #if os(Linux)
      guard ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil,
        let core = BLAS.betterCoreType(current: BLAS.coreName, cpuFlags: BLAS.cpuFlags())
      else { return }
      setenv("OPENBLAS_CORETYPE", core, 1)
      var arguments = CommandLine.arguments.map { strdup($0) } + [nil]
      execv("/proc/self/exe", &arguments)
      // Only reached when the exec failed: carry on with the kernels OpenBLAS chose.
      for argument in arguments { free(argument) }
    #endif
  }
}

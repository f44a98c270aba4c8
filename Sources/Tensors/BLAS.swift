internal import COpenBLAS

/// The BLAS library itself: its build and how many threads its products use.
public enum BLAS {
  /// How many threads OpenBLAS runs a product on (`openblas_get_num_threads`).
  public static var threads: Int { Int(openblas_get_num_threads()) }

  /// Sets the threads OpenBLAS runs each product on (`openblas_set_num_threads`), from then on
  /// for the whole process. Precondition: `count ≥ 1`.
  public static func setThreads(_ count: Int) {
    precondition(count >= 1, "BLAS needs at least one thread, got \(count)")
    openblas_set_num_threads(Int32(clamping: count))
  }

  /// OpenBLAS's build line (`openblas_get_config`), e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH …".
  public static var configuration: String { String(cString: openblas_get_config()) }

  /// The kernel family OpenBLAS chose for this CPU (`openblas_get_corename`), e.g. "SkylakeX".
  public static var coreName: String { String(cString: openblas_get_corename()) }
}

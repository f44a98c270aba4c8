internal import COpenBLAS

/// What the linked BLAS says about itself, for provenance.
public enum BLASInfo {
  /// OpenBLAS's build configuration: version, target core and options
  /// (`openblas_get_config`), e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64".
  public static var configuration: String {
    String(cString: openblas_get_config())
  }

  /// The threads OpenBLAS uses for one call (`openblas_get_num_threads`), as set by
  /// `OPENBLAS_NUM_THREADS` or the core count.
  public static var threads: Int {
    Int(openblas_get_num_threads())
  }
}

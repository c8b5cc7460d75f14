import CBLAS

/// OpenBLAS thread control, so callers need not import the C module.
public enum BLASControl {
    /// Threads OpenBLAS uses for one GEMM.
    public static var threads: Int { Int(openblas_get_num_threads()) }

    /// Sets the OpenBLAS thread count (e.g. 1 while the UI thread needs a core).
    public static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(max(1, n))) }
}

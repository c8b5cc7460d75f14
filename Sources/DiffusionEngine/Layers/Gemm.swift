import CBLAS

/// Row-major single-precision matrix multiply through OpenBLAS: `C = alpha * op(A) · op(B) + beta * C`.
///
/// `op(A)` is (m, k), `op(B)` is (k, n), `C` is (m, n); `lda`/`ldb`/`ldc` are the row strides of
/// the matrices as stored (before the transpose), so a block of channels inside a larger NCHW
/// buffer can be used in place. Every layer goes through this one wrapper so the argument order of
/// `cblas_sgemm` is written (and checked) once.
@inline(__always)
func gemm(
    transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    cblas_sgemm(
        CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
        blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
}

/// PyTorch's default initialisation of conv and linear layers: U(-1/√fan_in, 1/√fan_in).
///
/// `kaiming_uniform_(a=√5)` gives bound gain·√(3/fan_in) with gain √(2/(1+5)), i.e. 1/√fan_in;
/// the bias uses the same bound.
func uniformInit(count: Int, fanIn: Int, rng: inout RandomGenerator) -> [Float] {
    let bound = 1 / Float(fanIn).squareRoot()
    var out = [Float](repeating: 0, count: count)
    for i in 0..<count { out[i] = (2 * rng.uniform() - 1) * bound }
    return out
}

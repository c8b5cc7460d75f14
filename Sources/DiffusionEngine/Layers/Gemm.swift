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

/// `gemm` with the work split over the `ComputePool`: along the columns of C when there are
/// enough (each part a multiple of 16 wide), else along its rows, else not at all.
///
/// For one large product outside a per-image loop (a batch-1 convolution, the time MLP at a large
/// batch). `beta` applies to every part. Small products (< 1 MFLOP) run on the caller: a parallel
/// loop costs a few microseconds.
func gemmParallel(
    transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    let pool = ComputePool.shared
    let parts = pool.width
    let flops = 2 * m * n * k
    if parts > 1 && flops >= 1 << 20 && n >= 32 * parts {
        // split the columns of C (and of op(B))
        let blocks = (n + 15) / 16
        pool.parallelFor(parts) { p in
            let j0 = min(n, blocks * p / parts * 16), j1 = min(n, blocks * (p + 1) / parts * 16)
            guard j1 > j0 else { return }
            gemm(transA: transA, transB: transB, m: m, n: j1 - j0, k: k, alpha: alpha, a: a, lda: lda,
                 b: transB ? b + j0 * ldb : b + j0, ldb: ldb, beta: beta, c: c + j0, ldc: ldc)
        }
    } else if parts > 1 && flops >= 1 << 20 && m >= 16 * parts {
        // split the rows of C (and of op(A))
        let blocks = (m + 7) / 8
        pool.parallelFor(parts) { p in
            let i0 = min(m, blocks * p / parts * 8), i1 = min(m, blocks * (p + 1) / parts * 8)
            guard i1 > i0 else { return }
            gemm(transA: transA, transB: transB, m: i1 - i0, n: n, k: k, alpha: alpha,
                 a: transA ? a + i0 : a + i0 * lda, lda: lda, b: b, ldb: ldb, beta: beta, c: c + i0 * ldc, ldc: ldc)
        }
    } else {
        gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
             beta: beta, c: c, ldc: ldc)
    }
}

/// A tensor whose storage is written by `body` (no zero fill first: `body` must write every value).
@inline(__always)
func makeTensor(_ shape: [Int], _ body: (UnsafeMutablePointer<Float>) -> Void) -> Tensor {
    let count = shape.reduce(1, *)
    let data = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
        if count > 0 { body(buffer.baseAddress!) }
        initialized = count
    }
    return Tensor(shape: shape, data: data)
}

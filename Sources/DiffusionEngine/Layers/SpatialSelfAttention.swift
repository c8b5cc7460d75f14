#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Multi-head scaled dot-product self-attention over the L = H*W positions of an image (no parameters).
///
/// Input: the output of the 1x1 `qkv` conv, (N, 3*hidden, H, W) with hidden = heads * headDim.
/// Channel layout (the PyTorch twin must use the same, i.e. `qkv.reshape(N, 3, heads, headDim, L)`):
///
///     channels [0, hidden)           q      head h: channels h*headDim ..< (h+1)*headDim
///     channels [hidden, 2*hidden)    k      head h: hidden + h*headDim ..< hidden + (h+1)*headDim
///     channels [2*hidden, 3*hidden)  v      head h: 2*hidden + h*headDim ..< 2*hidden + (h+1)*headDim
///
/// Per image and head, with q, k, v each (headDim, L):
/// `P = softmax_j(qᵀk / √headDim)` (L queries x L keys, softmax over the keys j), `o = v · Pᵀ`.
/// Output (N, hidden, H, W): head h's o in channels h*headDim ..< (h+1)*headDim
/// (`o.reshape(N, heads*headDim, H, W)` of an (N, heads, headDim, L) tensor).
public final class SpatialSelfAttention {
    public let heads: Int
    public let headDim: Int
    /// The last training forward: qkv (N, 3*hidden, H, W) and P (N, heads, L, L).
    private var cachedQKV: Tensor?
    private var cachedProbs: [Float] = []

    public init(heads: Int, headDim: Int) {
        precondition(heads > 0 && headDim > 0, "attention: heads \(heads) and head dim \(headDim) must be positive")
        self.heads = heads
        self.headDim = headDim
    }

    public var hidden: Int { heads * headDim }

    /// qkv (N, 3*hidden, H, W) -> o (N, hidden, H, W).
    public func forward(_ qkv: Tensor, training: Bool) -> Tensor {
        let (n, c3, h, w) = qkv.nchw("attention")
        precondition(
            c3 == 3 * hidden,
            "attention: qkv \(qkv.shapeDescription) needs 3*heads*headDim = \(3 * hidden) channels")
        let l = h * w, d = headDim, hid = hidden
        let scale = 1 / Float(d).squareRoot()
        // training keeps every P (N, heads, L, L); otherwise each task uses its thread's scratch
        var probs = training ? [Float](unsafeUninitializedCapacity: n * heads * l * l) { $1 = n * heads * l * l } : []
        let out = makeTensor([n, hid, h, w]) { op in  // (N, hidden, L)
            qkv.data.withUnsafeBufferPointer { src in
                probs.withUnsafeMutableBufferPointer { pp in
                    let kept = pp.baseAddress
                    // one task per (image, head): two GEMMs and a softmax, independent of the others
                    ComputePool.shared.parallelFor(n * heads) { task in
                        let img = task / heads, hd = task % heads
                        let base = src.baseAddress! + img * 3 * hid * l
                        let q = base + hd * d * l, k = base + (hid + hd * d) * l, v = base + (2 * hid + hd * d) * l
                        let p = training ? kept! + task * l * l : Workspace.current.floats(.small, count: l * l)  // (Lq, Lk)
                        // S (Lq, Lk) = scale · qᵀ (Lq, d) · k (d, Lk)
                        gemm(transA: true, m: l, n: l, k: d, alpha: scale, a: q, lda: l, b: k, ldb: l,
                             beta: 0, c: p, ldc: l)
                        Self.softmaxRows(p, rows: l, cols: l)
                        // o (d, Lq) = v (d, Lk) · Pᵀ (Lk, Lq)
                        gemm(transB: true, m: d, n: l, k: l, a: v, lda: l, b: p, ldb: l,
                             beta: 0, c: op + (img * hid + hd * d) * l, ldc: l)
                    }
                }
            }
        }
        if training {
            cachedQKV = qkv
            cachedProbs = probs
        }
        return out
    }

    /// dO (N, hidden, H, W) -> dqkv (N, 3*hidden, H, W).
    public func backward(_ dOut: Tensor) -> Tensor {
        guard let qkv = cachedQKV else { preconditionFailure("attention.backward: no training forward to differentiate") }
        let (n, c3, h, w) = qkv.nchw("attention.backward")
        let l = h * w, d = headDim, hid = hidden
        precondition(dOut.shape == [n, hid, h, w], "attention.backward: dO \(dOut.shapeDescription) vs (\(n),\(hid),\(h),\(w))")
        let scale = 1 / Float(d).squareRoot()
        let dqkv = makeTensor([n, c3, h, w]) { gp in  // (N, 3*hidden, L)
            qkv.data.withUnsafeBufferPointer { src in
                dOut.data.withUnsafeBufferPointer { dop in
                    cachedProbs.withUnsafeBufferPointer { pp in
                        ComputePool.shared.parallelFor(n * heads) { task in
                            let img = task / heads, hd = task % heads
                            let dS = Workspace.current.floats(.small, count: l * l)  // (Lq, Lk): dP, then dS in place
                            let base = src.baseAddress! + img * 3 * hid * l
                            let gbase = gp + img * 3 * hid * l
                            let q = base + hd * d * l, k = base + (hid + hd * d) * l
                            let v = base + (2 * hid + hd * d) * l
                            let dq = gbase + hd * d * l, dk = gbase + (hid + hd * d) * l
                            let dv = gbase + (2 * hid + hd * d) * l
                            let p = pp.baseAddress! + task * l * l  // (Lq, Lk)
                            let dO = dop.baseAddress! + (img * hid + hd * d) * l  // (d, Lq)
                            // forward: o = v · Pᵀ
                            // dv (d, Lk) = dO (d, Lq) · P (Lq, Lk)
                            gemm(m: d, n: l, k: l, a: dO, lda: l, b: p, ldb: l, beta: 0, c: dv, ldc: l)
                            // dP (Lq, Lk) = dOᵀ (Lq, d) · v (d, Lk)
                            gemm(transA: true, m: l, n: l, k: d, a: dO, lda: l, b: v, ldb: l,
                                 beta: 0, c: dS, ldc: l)
                            // forward: P = softmax_j(S);  dS = P ⊙ (dP - Σ_j dP P)
                            for i in 0..<l {
                                let prow = p + i * l, drow = dS + i * l
                                let dot = FastMath.dot(prow, drow, count: l)
                                for j in 0..<l { drow[j] = prow[j] * (drow[j] - dot) }
                            }
                            // forward: S = scale · qᵀ k
                            // dq (d, Lq) = scale · k (d, Lk) · dSᵀ (Lk, Lq)
                            gemm(transB: true, m: d, n: l, k: l, alpha: scale, a: k, lda: l, b: dS, ldb: l,
                                 beta: 0, c: dq, ldc: l)
                            // dk (d, Lk) = scale · q (d, Lq) · dS (Lq, Lk)
                            gemm(m: d, n: l, k: l, alpha: scale, a: q, lda: l, b: dS, ldb: l,
                                 beta: 0, c: dk, ldc: l)
                        }
                    }
                }
            }
        }
        return dqkv
    }

    /// Row-wise softmax in place, shifted by the row maximum for stability (vectorised exp).
    static func softmaxRows(_ p: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
        for i in 0..<rows {
            let row = p + i * cols
            let mx = FastMath.maximum(row, count: cols)
            let inv = 1 / FastMath.expShifted(row, count: cols, shift: mx)
            for j in 0..<cols { row[j] *= inv }
        }
    }
}

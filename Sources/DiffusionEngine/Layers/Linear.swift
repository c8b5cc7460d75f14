/// A fully connected layer with bias, PyTorch's `nn.Linear`: `y = x · Wᵀ + b`.
///
/// Shapes: input (N, I), weight (O, I) (PyTorch's layout), bias (O), output (N, O).
public final class Linear {
    public let inFeatures: Int
    public let outFeatures: Int
    /// (O, I)
    public let weight: ParameterRef
    /// (O)
    public let bias: ParameterRef
    let store: ParameterStore
    /// The last training input, (N, I).
    private var cachedInput: Tensor?

    /// Registers `name.weight` (O, I) and `name.bias` (O) with PyTorch's default init.
    public init(store: ParameterStore, name: String, inFeatures: Int, outFeatures: Int, rng: inout RandomGenerator) {
        precondition(inFeatures > 0 && outFeatures > 0, "linear \(name): bad size I=\(inFeatures) O=\(outFeatures)")
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        self.store = store
        weight = store.register(
            name + ".weight", shape: [outFeatures, inFeatures],
            initial: uniformInit(count: outFeatures * inFeatures, fanIn: inFeatures, rng: &rng))
        bias = store.register(
            name + ".bias", shape: [outFeatures], initial: uniformInit(count: outFeatures, fanIn: inFeatures, rng: &rng))
    }

    /// (N, I) -> (N, O).
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        precondition(
            x.rank == 2 && x.shape[1] == inFeatures,
            "linear: input \(x.shapeDescription) does not match weight I=\(inFeatures)")
        if training { cachedInput = x }
        let n = x.shape[0], i = inFeatures, o = outFeatures
        var y = [Float](repeating: 0, count: n * o)  // (N, O)
        x.data.withUnsafeBufferPointer { xp in
            store.values.withUnsafeBufferPointer { vp in
                y.withUnsafeMutableBufferPointer { yp in
                    let bp = vp.baseAddress! + bias.offset
                    for r in 0..<n { (yp.baseAddress! + r * o).update(from: bp, count: o) }
                    // y (N, O) += x (N, I) · Wᵀ (I, O)
                    gemm(transB: true, m: n, n: o, k: i, a: xp.baseAddress!, lda: i,
                         b: vp.baseAddress! + weight.offset, ldb: i, beta: 1, c: yp.baseAddress!, ldc: o)
                }
            }
        }
        return Tensor(shape: [n, o], data: y)
    }

    /// dY (N, O) -> dX (N, I); accumulates dW and db.
    public func backward(_ dy: Tensor) -> Tensor {
        guard let x = cachedInput else { preconditionFailure("linear.backward: no training forward to differentiate") }
        let n = x.shape[0], i = inFeatures, o = outFeatures
        precondition(dy.shape == [n, o], "linear.backward: dY \(dy.shapeDescription) does not match (\(n),\(o))")
        var dx = [Float](repeating: 0, count: n * i)  // (N, I)
        x.data.withUnsafeBufferPointer { xp in
            dy.data.withUnsafeBufferPointer { dyp in
                store.values.withUnsafeBufferPointer { vp in
                    store.grads.withUnsafeMutableBufferPointer { gp in
                        dx.withUnsafeMutableBufferPointer { dxp in
                            // forward: y = x · Wᵀ + b
                            // dW (O, I) += dYᵀ (O, N) · x (N, I)
                            gemm(transA: true, m: o, n: i, k: n, a: dyp.baseAddress!, lda: o,
                                 b: xp.baseAddress!, ldb: i, beta: 1, c: gp.baseAddress! + weight.offset, ldc: i)
                            // db += Σ_N dY
                            let dbp = gp.baseAddress! + bias.offset
                            for r in 0..<n { for c in 0..<o { dbp[c] += dyp[r * o + c] } }
                            // dX (N, I) = dY (N, O) · W (O, I)
                            gemm(m: n, n: i, k: o, a: dyp.baseAddress!, lda: o, b: vp.baseAddress! + weight.offset,
                                 ldb: i, beta: 0, c: dxp.baseAddress!, ldc: i)
                        }
                    }
                }
            }
        }
        return Tensor(shape: [n, i], data: dx)
    }
}

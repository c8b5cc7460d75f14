/// Adam (Kingma & Ba) over a whole `ParameterStore` arena in one loop, as `torch.optim.Adam`
/// computes it (no weight decay, bias-corrected moments, eps added after the square root).
public struct Adam: Sendable, Equatable {
    public var lr: Float
    public var beta1: Float
    public var beta2: Float
    public var eps: Float
    /// Number of updates taken (t in the paper).
    public var step: Int = 0
    /// First and second moments, the arena's layout.
    public var m: [Float]
    public var v: [Float]

    public init(parameterCount: Int, lr: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8) {
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.m = [Float](repeating: 0, count: parameterCount)
        self.v = [Float](repeating: 0, count: parameterCount)
    }

    /// One update of `store.values` from `store.grads`.
    public mutating func update(_ store: ParameterStore) {
        precondition(store.count == m.count, "Adam: optimizer holds \(m.count) moments, store has \(store.count) values")
        step += 1
        let b1 = beta1, b2 = beta2, e = eps
        // Same association as PyTorch: denom = sqrt(v)/sqrt(bc2) + eps; p -= lr/bc1 * m/denom
        let bc1 = 1 - Float(Double(beta1).power(step))
        let bc2Sqrt = Float((1 - Double(beta2).power(step)).squareRoot())
        let stepSize = lr / bc1
        let n = m.count
        m.withUnsafeMutableBufferPointer { mp in
            v.withUnsafeMutableBufferPointer { vp in
                store.grads.withUnsafeBufferPointer { g in
                    store.values.withUnsafeMutableBufferPointer { p in
                        for i in 0..<n {
                            let gi = g[i]
                            mp[i] = b1 * mp[i] + (1 - b1) * gi
                            vp[i] = b2 * vp[i] + (1 - b2) * gi * gi
                            let denom = vp[i].squareRoot() / bc2Sqrt + e
                            p[i] -= stepSize * mp[i] / denom
                        }
                    }
                }
            }
        }
    }
}

extension Double {
    /// Integer power by repeated squaring (exact for the bias corrections).
    func power(_ k: Int) -> Double {
        var result = 1.0, base = self, e = k
        while e > 0 {
            if e & 1 == 1 { result *= base }
            base *= base
            e >>= 1
        }
        return result
    }
}

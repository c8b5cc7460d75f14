/// Gradient clipping by global L2 norm, as `torch.nn.utils.clip_grad_norm_`.
public enum GradientClipping {
    /// The global L2 norm of all gradients in the arena (accumulated in Double).
    public static func globalNorm(_ store: ParameterStore) -> Float {
        var s: Double = 0
        store.grads.withUnsafeBufferPointer { g in
            for x in g { s += Double(x) * Double(x) }
        }
        return Float(s.squareRoot())
    }

    /// Scales every gradient by `maxNorm / (norm + 1e-6)` when the norm exceeds `maxNorm`.
    /// - Returns: the norm before clipping (what metrics report as grad norm).
    @discardableResult
    public static func clip(_ store: ParameterStore, maxNorm: Float) -> Float {
        let norm = globalNorm(store)
        let coef = maxNorm / (norm + 1e-6)
        if coef < 1 {
            store.grads.withUnsafeMutableBufferPointer { g in
                for i in 0..<g.count { g[i] *= coef }
            }
        }
        return norm
    }
}

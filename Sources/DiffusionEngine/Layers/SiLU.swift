/// The sigmoid-weighted linear unit `silu(x) = x · σ(x)`, element-wise on any shape.
///
/// Evaluated with `FastMath`'s vectorised exp (within ~2 ulp of libm's). The UNet's SiLUs after a
/// GroupNorm are fused into `GroupNormSiLU`; this layer serves the time-embedding MLP.
public final class SiLU {
    /// The last training input, any shape.
    private var cachedInput: Tensor?

    public init() {}

    /// Any shape -> the same shape.
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        if training { cachedInput = x }
        return makeTensor(x.shape) { yp in
            x.data.withUnsafeBufferPointer { xp in
                guard let base = xp.baseAddress else { return }
                ComputePool.shared.parallelRanges(xp.count, grain: 1 << 15) { r in
                    FastMath.silu(base + r.lowerBound, yp + r.lowerBound, count: r.count)
                }
            }
        }
    }

    /// dY -> dX (same shape as the input).
    public func backward(_ dy: Tensor) -> Tensor {
        guard let x = cachedInput else { preconditionFailure("silu.backward: no training forward to differentiate") }
        precondition(dy.shape == x.shape, "silu.backward: dY \(dy.shapeDescription) vs input \(x.shapeDescription)")
        var dx = dy
        dx.data.withUnsafeMutableBufferPointer { g in
            x.data.withUnsafeBufferPointer { xp in
                guard let gb = g.baseAddress, let xb = xp.baseAddress else { return }
                // forward: y = x σ(x);  dy/dx = σ(x) (1 + x (1 - σ(x)))
                ComputePool.shared.parallelRanges(g.count, grain: 1 << 15) { r in
                    FastMath.siluBackward(xb + r.lowerBound, gb + r.lowerBound, count: r.count)
                }
            }
        }
        return dx
    }
}

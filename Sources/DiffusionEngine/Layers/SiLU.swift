#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The sigmoid-weighted linear unit `silu(x) = x · σ(x)`, element-wise on any shape.
public final class SiLU {
    /// The last training input, any shape.
    private var cachedInput: Tensor?

    public init() {}

    /// Any shape -> the same shape.
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        if training { cachedInput = x }
        var y = x
        y.data.withUnsafeMutableBufferPointer { p in
            for i in 0..<p.count { let v = p[i]; p[i] = v / (1 + expf(-v)) }
        }
        return y
    }

    /// dY -> dX (same shape as the input).
    public func backward(_ dy: Tensor) -> Tensor {
        guard let x = cachedInput else { preconditionFailure("silu.backward: no training forward to differentiate") }
        precondition(dy.shape == x.shape, "silu.backward: dY \(dy.shapeDescription) vs input \(x.shapeDescription)")
        var dx = dy
        dx.data.withUnsafeMutableBufferPointer { g in
            x.data.withUnsafeBufferPointer { xp in
                for i in 0..<g.count {
                    // forward: y = x σ(x);  dy/dx = σ(x) (1 + x (1 - σ(x)))
                    let v = xp[i], s = 1 / (1 + expf(-v))
                    g[i] *= s * (1 + v * (1 - s))
                }
            }
        }
        return dx
    }
}

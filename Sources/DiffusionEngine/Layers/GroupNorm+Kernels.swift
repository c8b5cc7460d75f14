/// The per-channel loops of `GroupNorm`, written so the compiler vectorises them.
extension GroupNorm {
    /// μ and 1/√(σ² + eps) of `count` values, summed in Double (two passes).
    static func statistics(_ x: UnsafePointer<Float>, count: Int, eps: Double) -> (mean: Float, rstd: Float) {
        var a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0
        var i = 0
        while i + 4 <= count {
            a0 += Double(x[i]); a1 += Double(x[i + 1]); a2 += Double(x[i + 2]); a3 += Double(x[i + 3])
            i += 4
        }
        var s = (a0 + a1) + (a2 + a3)
        while i < count { s += Double(x[i]); i += 1 }
        let mean = s / Double(count)
        var q0 = 0.0, q1 = 0.0, q2 = 0.0, q3 = 0.0
        i = 0
        while i + 4 <= count {
            let d0 = Double(x[i]) - mean, d1 = Double(x[i + 1]) - mean
            let d2 = Double(x[i + 2]) - mean, d3 = Double(x[i + 3]) - mean
            q0 += d0 * d0; q1 += d1 * d1; q2 += d2 * d2; q3 += d3 * d3
            i += 4
        }
        var variance = (q0 + q1) + (q2 + q3)
        while i < count { let d = Double(x[i]) - mean; variance += d * d; i += 1 }
        variance /= Double(count)
        return (Float(mean), Float(1 / (variance + eps).squareRoot()))
    }

    /// y = (x - μ) rstd γ + β, then SiLU when `silu`.
    static func normalise(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int, mean: Float, rstd: Float,
        gamma: Float, beta: Float, silu: Bool
    ) {
        if silu {
            for i in 0..<count {
                let v = (x[i] - mean) * rstd * gamma + beta
                y[i] = v * FastMath.sigmoid(v)
            }
        } else {
            for i in 0..<count { y[i] = (x[i] - mean) * rstd * gamma + beta }
        }
    }

    /// Pass 1 of backward for one channel: dŷ (the gradient at `x̂ γ + β`, through SiLU when
    /// `silu`) into `out`, returning Σ dŷ x̂ (dγ) and Σ dŷ (dβ).
    static func affineGradient(
        _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int,
        mean: Float, rstd: Float, gamma: Float, beta: Float, silu: Bool
    ) -> (dGamma: Double, dBeta: Double) {
        if silu {
            for i in 0..<count {
                // forward: a = silu(z), z = x̂ γ + β;  dz = da σ(z) (1 + z (1 - σ(z)))
                let z = (x[i] - mean) * rstd * gamma + beta, s = FastMath.sigmoid(z)
                out[i] = dy[i] * (s * (1 + z * (1 - s)))
            }
        } else if UnsafePointer(out) != dy {
            out.update(from: dy, count: count)
        }
        // Σ dŷ x̂ and Σ dŷ in 4 interleaved partial sums each
        var g0: Float = 0, g1: Float = 0, g2: Float = 0, g3: Float = 0
        var b0: Float = 0, b1: Float = 0, b2: Float = 0, b3: Float = 0
        var i = 0
        while i + 4 <= count {
            let d0 = out[i], d1 = out[i + 1], d2 = out[i + 2], d3 = out[i + 3]
            g0 += d0 * ((x[i] - mean) * rstd); g1 += d1 * ((x[i + 1] - mean) * rstd)
            g2 += d2 * ((x[i + 2] - mean) * rstd); g3 += d3 * ((x[i + 3] - mean) * rstd)
            b0 += d0; b1 += d1; b2 += d2; b3 += d3
            i += 4
        }
        var sg = Double((g0 + g1) + (g2 + g3)), sb = Double((b0 + b1) + (b2 + b3))
        while i < count { sg += Double(out[i] * ((x[i] - mean) * rstd)); sb += Double(out[i]); i += 1 }
        return (sg, sb)
    }

    /// Pass 2: `buf` holds dŷ and becomes dx = rstd (dŷ γ - mean(dx̂) - x̂ mean(dx̂ x̂)).
    static func inputGradient(
        _ x: UnsafePointer<Float>, _ buf: UnsafeMutablePointer<Float>, count: Int, mean: Float, rstd: Float,
        gamma: Float, meanD: Float, meanDX: Float
    ) {
        for i in 0..<count {
            let xh = (x[i] - mean) * rstd
            buf[i] = rstd * (buf[i] * gamma - meanD - xh * meanDX)
        }
    }
}

/// GroupNorm followed by SiLU in one layer: `silu(groupnorm(x))`, the UNet's pre-activation.
///
/// One pass writes the activation; nothing but the input reference and μ, 1/σ is cached (the
/// unfused pair kept x̂ and the normalised output as well). Parameters and names are GroupNorm's.
public final class GroupNormSiLU {
    let norm: GroupNorm

    /// Registers `name.weight` (ones) and `name.bias` (zeros), both (C).
    public init(store: ParameterStore, name: String, groups: Int, channels: Int, eps: Float = 1e-5) {
        norm = GroupNorm(store: store, name: name, groups: groups, channels: channels, eps: eps, fusedSiLU: true)
    }

    /// γ, (C)
    public var weight: ParameterRef { norm.weight }
    /// β, (C)
    public var bias: ParameterRef { norm.bias }

    /// (N, C, H, W) -> (N, C, H, W).
    public func forward(_ x: Tensor, training: Bool) -> Tensor { norm.forward(x, training: training) }

    /// dY (N, C, H, W) -> dX (N, C, H, W); accumulates dγ and dβ.
    public func backward(_ dy: Tensor) -> Tensor { norm.backward(dy) }
}

/// The per-channel loops of `GroupNorm`, written so the compiler vectorises them.
extension GroupNorm {
    /// Values per block of `statistics`: each block is summed in Float, the block totals in Double.
    static let statisticsBlock = 512

    /// μ and 1/√(σ² + eps) of `count` values (two passes).
    ///
    /// Each block of `statisticsBlock` values is summed in Float in 8 interleaved partials (which
    /// vectorise: converting every value to Double, as a plain Double sum does, keeps the loop at
    /// 2 lanes and was ~30% of the forward), and the block totals in Double, so the rounding error
    /// stays that of a 64-term Float sum whatever the group size.
    static func statistics(_ x: UnsafePointer<Float>, count: Int, eps: Double) -> (mean: Float, rstd: Float) {
        let block = statisticsBlock
        var s = 0.0
        var i = 0
        while i < count {
            let k = min(block, count - i)
            s += Double(FastMath.sum(x + i, count: k))
            i += k
        }
        let mean = s / Double(count), m = Float(mean)
        var q = 0.0
        i = 0
        while i < count {
            let k = min(block, count - i)
            q += Double(FastMath.squaredDeviations(x + i, count: k, from: m))
            i += k
        }
        // Σ (x - μ)² = Σ (x - m)² - n (μ - m)², m being μ rounded to Float
        let d = mean - Double(m)
        let variance = max(0, q / Double(count) - d * d)
        return (m, Float(1 / (variance + eps).squareRoot()))
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
        // Σ dŷ x̂ and Σ dŷ in 8 interleaved partial sums each (they vectorise; 4 did not fill a
        // register), with rstd taken out of Σ dŷ x̂ = rstd Σ dŷ (x - μ)
        var g = (Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0))
        var b = g
        var i = 0
        while i + 8 <= count {
            let d = out + i, v = x + i
            g.0 += d[0] * (v[0] - mean); g.1 += d[1] * (v[1] - mean); g.2 += d[2] * (v[2] - mean)
            g.3 += d[3] * (v[3] - mean); g.4 += d[4] * (v[4] - mean); g.5 += d[5] * (v[5] - mean)
            g.6 += d[6] * (v[6] - mean); g.7 += d[7] * (v[7] - mean)
            b.0 += d[0]; b.1 += d[1]; b.2 += d[2]; b.3 += d[3]
            b.4 += d[4]; b.5 += d[5]; b.6 += d[6]; b.7 += d[7]
            i += 8
        }
        var sg = Double(((g.0 + g.1) + (g.2 + g.3)) + ((g.4 + g.5) + (g.6 + g.7)))
        var sb = Double(((b.0 + b.1) + (b.2 + b.3)) + ((b.4 + b.5) + (b.6 + b.7)))
        while i < count { sg += Double(out[i] * (x[i] - mean)); sb += Double(out[i]); i += 1 }
        sg *= Double(rstd)
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

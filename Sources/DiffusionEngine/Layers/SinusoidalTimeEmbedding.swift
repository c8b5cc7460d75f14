#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The sinusoidal timestep embedding of the Transformer / DDPM papers (no parameters).
///
/// For `half = d/2` and frequencies `f_k = exp(-ln(10000) · k / (half - 1))`, k in 0..<half:
/// `emb(t) = [sin(t f_0), …, sin(t f_{half-1}), cos(t f_0), …, cos(t f_{half-1})]`.
/// Computed in Float in the same order as the PyTorch twin (`exp` of the Float exponent, then
/// `t * f` and `sin`/`cos`), so both sides round alike (an ulp in f is ~1e-4 in t·f at t≈1000). Timesteps are data, not something the
/// model learns, so there is no backward: the gradient stops here.
public final class SinusoidalTimeEmbedding {
    /// Output width d (even, at least 4 so half - 1 > 0).
    public let dim: Int
    /// f_k, (half).
    public let frequencies: [Float]

    public init(dim: Int) {
        precondition(dim % 2 == 0 && dim >= 4, "time embedding: dim \(dim) must be even and at least 4")
        self.dim = dim
        let half = dim / 2
        // evaluated left to right in Float, `(-ln(10000) · k) / (half - 1)`, as the twin's tensor ops do
        let lnScale = Float(-log(10000.0))
        frequencies = (0..<half).map { expf(lnScale * Float($0) / Float(half - 1)) }
    }

    /// N timesteps -> (N, d).
    public func forward(_ timesteps: [Float]) -> Tensor {
        let n = timesteps.count, half = dim / 2
        var y = [Float](repeating: 0, count: n * dim)  // (N, d)
        for i in 0..<n {
            for k in 0..<half {
                let a = timesteps[i] * frequencies[k]
                y[i * dim + k] = sinf(a)
                y[i * dim + half + k] = cosf(a)
            }
        }
        return Tensor(shape: [n, dim], data: y)
    }
}

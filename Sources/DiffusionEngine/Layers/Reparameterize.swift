#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The VAE's reparameterisation trick: a sample of N(μ, σ²) as a differentiable function of μ and
/// log σ², with the randomness ε drawn outside (from the engine's `RandomGenerator`).
///
///     lv = clamp(logvar, -30, 20)          keeps exp finite (the twin clamps the same way)
///     z  = μ + exp(½ lv) ⊙ ε               μ, logvar, ε, z: any shape, all equal
///
/// Backward: dμ = dz, dlogvar = dz ⊙ ε ⊙ ½ exp(½ lv) where -30 <= logvar <= 20, else 0
/// (torch.clamp's gradient).
public final class Reparameterize {
    /// Bounds of log σ² (σ from 3e-7 to 2e4), as in latent-diffusion's DiagonalGaussianDistribution.
    public static let logVarRange: ClosedRange<Float> = -30...20

    /// ε and logvar of the last training forward.
    private var cached: (logvar: Tensor, eps: Tensor)?

    public init() {}

    /// σ = exp(½ clamp(logvar)), elementwise.
    @inline(__always)
    public static func std(_ logvar: Float) -> Float {
        expf(0.5 * min(max(logvar, logVarRange.lowerBound), logVarRange.upperBound))
    }

    /// μ, logvar, ε (equal shapes) -> z (the same shape).
    public func forward(mu: Tensor, logvar: Tensor, eps: Tensor, training: Bool) -> Tensor {
        precondition(mu.shape == logvar.shape && mu.shape == eps.shape,
                     "reparameterize: μ \(mu.shapeDescription), logvar \(logvar.shapeDescription), ε \(eps.shapeDescription) must match")
        if training { cached = (logvar, eps) }
        var z = mu
        for i in 0..<z.count { z.data[i] += Self.std(logvar.data[i]) * eps.data[i] }
        return z
    }

    /// dz -> (dμ, dlogvar).
    public func backward(_ dz: Tensor) -> (dMu: Tensor, dLogvar: Tensor) {
        guard let (logvar, eps) = cached else { preconditionFailure("reparameterize.backward: no training forward to differentiate") }
        precondition(dz.shape == logvar.shape, "reparameterize.backward: dz \(dz.shapeDescription) vs \(logvar.shapeDescription)")
        var dLogvar = dz
        for i in 0..<dz.count {
            // forward: z = μ + exp(½ lv) ε
            let inside = Self.logVarRange.contains(logvar.data[i])
            dLogvar.data[i] = inside ? dz.data[i] * eps.data[i] * 0.5 * Self.std(logvar.data[i]) : 0
        }
        return (dz, dLogvar)
    }
}


#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The VAE's loss, β-VAE form (Higgins et al. 2017), per image then averaged over the batch:
///
///     R_n  = Σ_{c,h,w} (x̂ - x)²   (L2)   or   Σ |x̂ - x|   (L1)        summed over the image
///     KL_n = ½ Σ_latent (μ² + e^lv - 1 - lv),  lv = clamp(log σ², -30, 20)   KL(N(μ, σ²) ‖ N(0, I))
///     L    = (1/N) Σ_n (R_n + w · KL_n)        w = the KL weight (β, or less during warm-up)
///
/// Why sums per image (not means per pixel): see `VAEConfig` — β keeps one meaning at any size.
/// Gradients (each times `gradScale`, e.g. 1/accumulation steps; the loss values are not scaled):
///
///     dL/dx̂  = (1/N) · 2 (x̂ - x)        or (1/N) · sign(x̂ - x)     (sign(0) = 0, as torch.sign)
///     dL/dμ  = (w/N) · μ
///     dL/dlv = (w/N) · ½ (e^lv - 1)    inside the clamp range, else 0
public enum VAELoss {
    /// What one evaluation measured (means over the N images).
    public struct Result: Sendable, Equatable {
        /// (1/N) Σ (R_n + w KL_n).
        public var loss: Float
        /// (1/N) Σ R_n.
        public var reconstruction: Float
        /// (1/N) Σ KL_n, nats per image.
        public var kl: Float
        /// The weight w the KL was given.
        public var klWeight: Float
        /// √(mean over N·C·H·W of (x̂ - x)²), in [-1, 1] units (whatever the reconstruction term).
        public var rmse: Float
    }

    /// The gradients `evaluate` hands to `VAE.backward`.
    public struct Gradients {
        /// (N, C, S, S)
        public var reconstruction: Tensor
        /// (N, latentShape...) each.
        public var mu: Tensor
        public var logvar: Tensor
    }

    /// One latent value's KL: ½ (μ² + e^lv - 1 - lv) with lv clamped as in `Reparameterize`.
    @inline(__always)
    public static func klElement(mu: Float, logvar: Float) -> Float {
        let lv = min(max(logvar, Reparameterize.logVarRange.lowerBound), Reparameterize.logVarRange.upperBound)
        return 0.5 * (mu * mu + expf(lv) - 1 - lv)
    }

    /// The loss of one forward and its gradients.
    /// - Parameters:
    ///   - pass: what `VAE.forward` returned for `x`.
    ///   - x: (N, C, S, S) the images encoded.
    ///   - kind: L2 or L1 reconstruction.
    ///   - klWeight: w (β after warm-up).
    ///   - gradScale: factor on every gradient.
    public static func evaluate(
        _ pass: VAE.Pass, x: Tensor, kind: VAEConfig.ReconstructionLoss, klWeight: Float, gradScale: Float = 1
    ) -> (result: Result, gradients: Gradients) {
        let xhat = pass.reconstruction
        precondition(xhat.shape == x.shape, "vae loss: reconstruction \(xhat.shapeDescription) vs x \(x.shapeDescription)")
        let n = x.shape[0], per = x.count / max(n, 1)
        let g = gradScale / Float(n)
        var dRecon = xhat
        var recon = 0.0, squares = 0.0
        xhat.data.withUnsafeBufferPointer { o in
            x.data.withUnsafeBufferPointer { y in
                dRecon.data.withUnsafeMutableBufferPointer { d in
                    for i in 0..<(n * per) {
                        let e = o[i] - y[i]
                        squares += Double(e) * Double(e)
                        if kind == .l2 {
                            d[i] = 2 * e * g
                        } else {
                            recon += Double(abs(e))
                            d[i] = (e > 0 ? 1 : (e < 0 ? -1 : 0)) * g
                        }
                    }
                }
            }
        }
        if kind == .l2 { recon = squares }
        var kl = 0.0
        var dMu = pass.mu, dLogvar = pass.logvar
        let w = klWeight * g, range = Reparameterize.logVarRange
        for i in 0..<pass.mu.count {
            let m = pass.mu.data[i], lv = pass.logvar.data[i]
            kl += Double(klElement(mu: m, logvar: lv))
            dMu.data[i] = w * m
            dLogvar.data[i] = range.contains(lv) ? w * 0.5 * (expf(lv) - 1) : 0
        }
        let nd = Double(max(n, 1))
        let result = Result(
            loss: Float((recon + Double(klWeight) * kl) / nd), reconstruction: Float(recon / nd), kl: Float(kl / nd),
            klWeight: klWeight, rmse: Float((squares / Double(max(x.count, 1))).squareRoot()))
        return (result, Gradients(reconstruction: dRecon, mu: dMu, logvar: dLogvar))
    }
}

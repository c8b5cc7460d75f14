/// One schedule coefficient gathered by a reverse step, for the viewer.
public struct StepCoefficient: Sendable, Equatable {
    /// The course's buffer name (`sqrt_alphas_cumprod`, ...).
    public let name: String
    /// Its value at this step's t.
    public let value: Float
    /// False for the coefficients the course code extracted but never used (OPT 1).
    public let used: Bool
}

/// Everything one reverse step produced: the new x and what the step viewer shows.
public struct StepInfo: Sendable {
    /// The step's timestep t (x_t -> x_{t-1}, or x_t -> x_{tPrev} for DDIM).
    public let t: Int
    /// The timestep reached (t-1 for DDPM; -1 means the chain's end, x_0).
    public let tPrev: Int
    /// The input x_t, (N,C,H,W).
    public let x: Tensor
    /// The output x_{t-1}, (N,C,H,W).
    public let xPrev: Tensor
    /// The model's x̂_0 (x_recon), after clipping when clipping is on, (N,C,H,W).
    public let predictedX0: Tensor
    /// The model's ε̂, (N,C,H,W).
    public let predictedNoise: Tensor
    /// The mean of p(x_{t-1} | x_t), (N,C,H,W).
    public let mean: Tensor
    /// The standard deviation of the noise actually added at this step (0 at the last step).
    public let sigma: Float
    /// The fresh noise z drawn for this step (drawn at every step, used only when sigma > 0), (N,C,H,W).
    public let noise: Tensor
    /// The coefficients gathered at this step, in extraction order.
    public let coefficients: [StepCoefficient]
}

extension GaussianDiffusion {
    /// One reverse step of Algorithm 2 (DDPM ancestral sampling), honouring the switches.
    ///
    ///     out      = model(x_t, t)
    ///     x̂_0, ε̂  = interpret(objective, out)               (the 5 used coefficients: √ᾱ, √(1-ᾱ), ...)
    ///     x̂_0      = clamp(x̂_0, -1, 1)                      if fixes.clipXRecon
    ///     μ        = coef1·x̂_0 + coef2·x_t
    ///     x_{t-1}  = μ + σ_t·z,  σ_t² = β̃_t or β_t            for t > 0
    ///     x_{-1}   = μ (posterior mean) or x̂_0 (x_recon)     at t = 0, fixes.finalStep
    ///
    /// - Parameters:
    ///   - model: the denoiser (called with training: false).
    ///   - x: x_t, (N,C,H,W).
    ///   - t: the step, 0..<T (the same for the whole batch).
    ///   - noise: z, (N,C,H,W) standard normal (ignored at t = 0).
    public func pSample(model: Denoiser, x: Tensor, t: Int, noise z: Tensor) -> StepInfo {
        let n = x.nchw("pSample").n
        precondition(z.shape == x.shape, "pSample: noise \(z.shapeDescription) vs x \(x.shapeDescription)")
        precondition(t >= 0 && t < timesteps, "pSample: t=\(t) outside 0..<\(timesteps)")
        let tb = [Int](repeating: t, count: n)
        let out = model.forward(x, timesteps: tb.map(Float.init), training: false)
        precondition(out.shape == x.shape, "pSample: model returned \(out.shapeDescription) for x \(x.shapeDescription)")

        // OPT 1: the course extracted 8 buffers per step and used 5; `.allNine` repeats its work.
        let s = schedule
        var coefficients: [StepCoefficient] = []
        func gather(_ name: String, _ buffer: [Float], used: Bool) -> [Float] {
            let v = extract(buffer, tb)
            coefficients.append(StepCoefficient(name: name, value: v[0], used: used))
            return v
        }
        let useBeta = fixes.reverseVariance == .beta
        var betasT: [Float] = []
        if fixes.extraction == .allNine {
            _ = gather("alphas_cumprod", s.alphasCumprod, used: false)
            _ = gather("alphas_cumprod_prev", s.alphasCumprodPrev, used: false)
            betasT = gather("betas", s.betas, used: useBeta)
        }
        let sqrtOneMinusAC = gather("sqrt_one_minus_alphas_cumprod", s.sqrtOneMinusAlphasCumprod, used: true)
        let sqrtAC = gather("sqrt_alphas_cumprod", s.sqrtAlphasCumprod, used: true)
        let coef1 = gather("posterior_mean_coef1", s.posteriorMeanCoef1, used: true)
        let coef2 = gather("posterior_mean_coef2", s.posteriorMeanCoef2, used: true)
        let variance: [Float]
        if fixes.extraction == .allNine {
            let pv = gather("posterior_variance", s.posteriorVariance, used: !useBeta)
            variance = useBeta ? betasT : pv
        } else {
            variance = useBeta ? gather("betas", s.betas, used: true) : gather("posterior_variance", s.posteriorVariance, used: true)
        }

        var (x0, eps) = interpret(objective, output: out, xt: x, sqrtAC: sqrtAC, sqrtOneMinusAC: sqrtOneMinusAC)
        if fixes.clipXRecon { x0.clampToRange(-1, 1) }

        let per = x.count / max(n, 1)
        var mean = x, xPrev = x
        mean.data.withUnsafeMutableBufferPointer { m in
            xPrev.data.withUnsafeMutableBufferPointer { xp in
                x.data.withUnsafeBufferPointer { xt in
                    x0.data.withUnsafeBufferPointer { r in
                        z.data.withUnsafeBufferPointer { zz in
                            for smp in 0..<n {
                                let c1 = coef1[smp], c2 = coef2[smp], sd = variance[smp].squareRoot()
                                for i in smp * per..<(smp + 1) * per {
                                    let mu = c1 * r[i] + c2 * xt[i]
                                    m[i] = mu
                                    if t > 0 {
                                        xp[i] = mu + sd * zz[i]
                                    } else {
                                        xp[i] = fixes.finalStep == .posteriorMean ? mu : r[i]
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let sigma = t > 0 ? variance[0].squareRoot() : 0
        return StepInfo(
            t: t, tPrev: t - 1, x: x, xPrev: xPrev, predictedX0: x0, predictedNoise: eps, mean: mean,
            sigma: sigma, noise: z, coefficients: coefficients)
    }

    /// One DDIM step (Song et al. 2021, eq. 12) from t to tPrev (tPrev = -1: to x_0).
    ///
    ///     x̂_0, ε̂ = interpret(objective, model(x_t, t)); if clipping: x̂_0 = clamp(x̂_0), ε̂ = (x_t - √ᾱ_t x̂_0)/√(1-ᾱ_t)
    ///     σ       = η · √((1-ᾱ_prev)/(1-ᾱ_t) · (1 - ᾱ_t/ᾱ_prev))
    ///     x_prev  = √ᾱ_prev·x̂_0 + √(1-ᾱ_prev-σ²)·ε̂ + σ·z        (x̂_0 when tPrev = -1)
    ///
    /// Honours `objective` and `fixes.clipXRecon`; the finalStep, reverseVariance and extraction
    /// switches belong to DDPM's step and do not apply. With η = 1 and every step visited this is
    /// exactly DDPM's ancestral step with σ² = β̃_t (same mean, same variance).
    public func ddimStep(model: Denoiser, x: Tensor, t: Int, tPrev: Int, eta: Float, noise z: Tensor) -> StepInfo {
        let n = x.nchw("ddimStep").n
        precondition(z.shape == x.shape, "ddimStep: noise \(z.shapeDescription) vs x \(x.shapeDescription)")
        precondition(t >= 0 && t < timesteps && tPrev >= -1 && tPrev < t, "ddimStep: bad step \(t) -> \(tPrev) for T=\(timesteps)")
        let tb = [Int](repeating: t, count: n)
        let out = model.forward(x, timesteps: tb.map(Float.init), training: false)
        precondition(out.shape == x.shape, "ddimStep: model returned \(out.shapeDescription) for x \(x.shapeDescription)")
        let s = schedule
        let a = s.sqrtAlphasCumprod[t], b = s.sqrtOneMinusAlphasCumprod[t]
        var (x0, eps) = interpret(
            objective, output: out, xt: x, sqrtAC: [Float](repeating: a, count: n),
            sqrtOneMinusAC: [Float](repeating: b, count: n))
        if fixes.clipXRecon {
            x0.clampToRange(-1, 1)
            // ε̂ consistent with the clipped x̂_0: x_t = √ᾱ x̂_0 + √(1-ᾱ) ε̂.
            eps.data.withUnsafeMutableBufferPointer { e in
                x.data.withUnsafeBufferPointer { xt in
                    x0.data.withUnsafeBufferPointer { r in
                        for i in 0..<e.count { e[i] = (xt[i] - a * r[i]) / b }
                    }
                }
            }
        }
        var coefficients = [
            StepCoefficient(name: "sqrt_alphas_cumprod", value: a, used: true),
            StepCoefficient(name: "sqrt_one_minus_alphas_cumprod", value: b, used: true),
        ]
        var mean = x0, xPrev = x0
        var sigma: Float = 0
        if tPrev >= 0 {
            let ac = Double(s.alphasCumprod[t]), acPrev = Double(s.alphasCumprod[tPrev])
            let sig = Double(eta) * ((1 - acPrev) / (1 - ac) * (1 - ac / acPrev)).squareRoot()
            let cSignal = s.sqrtAlphasCumprod[tPrev]
            let cNoise = Float(max(0, 1 - acPrev - sig * sig).squareRoot())
            sigma = Float(sig)
            coefficients += [
                StepCoefficient(name: "sqrt_alphas_cumprod_prev", value: cSignal, used: true),
                StepCoefficient(name: "direction_coef", value: cNoise, used: true),
                StepCoefficient(name: "sigma", value: sigma, used: true),
            ]
            let sg = sigma
            mean.data.withUnsafeMutableBufferPointer { m in
                xPrev.data.withUnsafeMutableBufferPointer { xp in
                    x0.data.withUnsafeBufferPointer { r in
                        eps.data.withUnsafeBufferPointer { e in
                            z.data.withUnsafeBufferPointer { zz in
                                for i in 0..<m.count {
                                    let mu = cSignal * r[i] + cNoise * e[i]
                                    m[i] = mu
                                    xp[i] = mu + sg * zz[i]
                                }
                            }
                        }
                    }
                }
            }
        }
        return StepInfo(
            t: t, tPrev: tPrev, x: x, xPrev: xPrev, predictedX0: x0, predictedNoise: eps, mean: mean,
            sigma: sigma, noise: z, coefficients: coefficients)
    }
}

fileprivate extension Tensor {
    /// Clamps every value into [lo, hi] in place.
    mutating func clampToRange(_ lo: Float, _ hi: Float) {
        data.withUnsafeMutableBufferPointer { d in
            for i in 0..<d.count { d[i] = Swift.min(Swift.max(d[i], lo), hi) }
        }
    }
}

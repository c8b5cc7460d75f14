/// What the denoiser is trained to predict.
public enum Objective: String, Codable, CaseIterable, Sendable {
    /// The noise ε that was added (Ho et al. 2020; the default).
    case epsilon
    /// The clean image x_0.
    case x0
    /// v = √ᾱ_t ε - √(1-ᾱ_t) x_0 (Salimans & Ho 2022).
    case v
}

/// A DDPM: a noise schedule, an objective and the fix switches, with the paper's and the course
/// code's operations: `qSample`, `predictStartFromNoise` (x_recon), the posterior, `pSample`
/// (one reverse step, in `GaussianDiffusion+Step.swift`), `sample`/DDIM (`ReverseChain.swift`)
/// and `pLosses` (`GaussianDiffusion+Loss.swift`).
///
/// Timesteps are 0-based as in the course code: t = 0..<T, x_0 is data, x_T = noise.
/// Per-sample timesteps `t` are `[Int]` of length N for a batch x of shape (N,C,H,W).
public struct GaussianDiffusion: Sendable, Equatable {
    public var schedule: NoiseSchedule
    public var objective: Objective
    public var fixes: FixSet

    public init(schedule: NoiseSchedule, objective: Objective = .epsilon, fixes: FixSet = .fixed) {
        self.schedule = schedule
        self.objective = objective
        self.fixes = fixes
    }

    /// T.
    public var timesteps: Int { schedule.timesteps }

    /// The course's `extract(a, t, x_shape)`: gathers `buffer[t[n]]` for each sample n, shape (N,)
    /// (broadcast over C,H,W by the caller). Each call is one gather into a fresh array, as in
    /// PyTorch, so extracting more coefficients really costs more.
    @inline(never)
    public func extract(_ buffer: [Float], _ t: [Int]) -> [Float] {
        var out = [Float](repeating: 0, count: t.count)
        for n in 0..<t.count {
            precondition(t[n] >= 0 && t[n] < buffer.count, "extract: t=\(t[n]) outside 0..<\(buffer.count)")
            out[n] = buffer[t[n]]
        }
        return out
    }

    // MARK: Forward process q(x_t | x_0)

    /// The signal and noise coefficients `qSample` uses at step t, honouring `fixes.forwardCoefficients`:
    /// precomputed (√ᾱ_t, √(1-ᾱ_t)) buffers, √ taken in Float at call time, or √ of the √ buffers.
    public func forwardCoefficients(_ t: Int) -> (signal: Float, noise: Float) {
        precondition(t >= 0 && t < timesteps, "forwardCoefficients: t=\(t) outside 0..<\(timesteps)")
        switch fixes.forwardCoefficients {
        case .precomputed:
            return (schedule.sqrtAlphasCumprod[t], schedule.sqrtOneMinusAlphasCumprod[t])
        case .sqrtAtCallTime:
            // The original: extract(alphas_cumprod).sqrt(), extract(1 - alphas_cumprod).sqrt(), in Float.
            let ac = schedule.alphasCumprod[t]
            return (ac.squareRoot(), (1 - ac).squareRoot())
        case .sqrtOfSqrt:
            return (schedule.sqrtAlphasCumprod[t].squareRoot(), schedule.sqrtOneMinusAlphasCumprod[t].squareRoot())
        }
    }

    /// Samples x_t ~ q(x_t | x_0): `signal(t)·x0 + noise(t)·ε`, with the coefficients of
    /// `forwardCoefficients` (the FIX 1 switch).
    /// - Parameters:
    ///   - x0: (N,C,H,W) clean images.
    ///   - t: N timesteps in 0..<T.
    ///   - noise: (N,C,H,W) standard normal noise ε.
    /// - Returns: x_t, (N,C,H,W).
    public func qSample(_ x0: Tensor, t: [Int], noise: Tensor) -> Tensor {
        let n = x0.nchw("qSample").n
        precondition(noise.shape == x0.shape, "qSample: noise \(noise.shapeDescription) vs x0 \(x0.shapeDescription)")
        precondition(t.count == n, "qSample: \(t.count) timesteps for a batch of N=\(n)")
        let per = x0.count / max(n, 1)
        var out = x0
        out.data.withUnsafeMutableBufferPointer { o in
            noise.data.withUnsafeBufferPointer { e in
                for s in 0..<n {
                    let (a, b) = forwardCoefficients(t[s])
                    for i in s * per..<(s + 1) * per { o[i] = a * o[i] + b * e[i] }
                }
            }
        }
        return out
    }

    // MARK: From the model output to x̂_0 and ε̂

    /// x_recon = (x_t - √(1-ᾱ_t)·ε) / √ᾱ_t (the course's form, with the precomputed buffers).
    /// - Parameters: xt (N,C,H,W), t N timesteps, noise (N,C,H,W) predicted ε.
    public func predictStartFromNoise(_ xt: Tensor, t: [Int], noise: Tensor) -> Tensor {
        let a = extract(schedule.sqrtAlphasCumprod, t), b = extract(schedule.sqrtOneMinusAlphasCumprod, t)
        return interpret(.epsilon, output: noise, xt: xt, sqrtAC: a, sqrtOneMinusAC: b).x0
    }

    /// x̂_0 and ε̂ implied by a model output under `objective`, without clipping.
    ///
    ///     epsilon: ε̂ = out,                  x̂_0 = (x_t - √(1-ᾱ)·ε̂) / √ᾱ
    ///     x0:      x̂_0 = out,                ε̂ = (x_t - √ᾱ·x̂_0) / √(1-ᾱ)
    ///     v:       x̂_0 = √ᾱ·x_t - √(1-ᾱ)·v,  ε̂ = √(1-ᾱ)·x_t + √ᾱ·v
    ///
    /// - Parameters: output and xt (N,C,H,W); sqrtAC and sqrtOneMinusAC per sample, (N,).
    public func interpret(
        _ objective: Objective, output: Tensor, xt: Tensor, sqrtAC: [Float], sqrtOneMinusAC: [Float]
    ) -> (x0: Tensor, eps: Tensor) {
        let n = xt.nchw("interpret").n
        precondition(output.shape == xt.shape, "interpret: output \(output.shapeDescription) vs x_t \(xt.shapeDescription)")
        precondition(sqrtAC.count == n && sqrtOneMinusAC.count == n, "interpret: coefficients for \(sqrtAC.count) samples, batch N=\(n)")
        let per = xt.count / max(n, 1)
        var x0 = output, eps = output
        output.data.withUnsafeBufferPointer { o in
            xt.data.withUnsafeBufferPointer { x in
                x0.data.withUnsafeMutableBufferPointer { r in
                    eps.data.withUnsafeMutableBufferPointer { e in
                        for s in 0..<n {
                            let a = sqrtAC[s], b = sqrtOneMinusAC[s]
                            let range = s * per..<(s + 1) * per
                            switch objective {
                            case .epsilon:
                                for i in range { r[i] = (x[i] - b * o[i]) / a }
                            case .x0:
                                for i in range { e[i] = (x[i] - a * o[i]) / b }
                            case .v:
                                for i in range {
                                    r[i] = a * x[i] - b * o[i]
                                    e[i] = b * x[i] + a * o[i]
                                }
                            }
                        }
                    }
                }
            }
        }
        return (x0, eps)
    }

    // MARK: Posterior q(x_{t-1} | x_t, x_0)

    /// The posterior of the forward process: mean coef1·x_0 + coef2·x_t, variance β̃_t and its
    /// clipped log.
    /// - Parameters: x0 and xt (N,C,H,W), t N timesteps.
    /// - Returns: mean (N,C,H,W); variance and logVariance per sample, (N,).
    public func posterior(x0: Tensor, xt: Tensor, t: [Int]) -> (mean: Tensor, variance: [Float], logVariance: [Float]) {
        let n = xt.nchw("posterior").n
        precondition(x0.shape == xt.shape, "posterior: x0 \(x0.shapeDescription) vs x_t \(xt.shapeDescription)")
        precondition(t.count == n, "posterior: \(t.count) timesteps for a batch of N=\(n)")
        let c1 = extract(schedule.posteriorMeanCoef1, t), c2 = extract(schedule.posteriorMeanCoef2, t)
        let per = xt.count / max(n, 1)
        var mean = x0
        for s in 0..<n {
            for i in s * per..<(s + 1) * per { mean.data[i] = c1[s] * x0.data[i] + c2[s] * xt.data[i] }
        }
        return (mean, extract(schedule.posteriorVariance, t), extract(schedule.posteriorLogVarianceClipped, t))
    }

    /// N uniform training timesteps in 0..<T.
    public func randomTimesteps(_ n: Int, rng: inout RandomGenerator) -> [Int] {
        (0..<n).map { _ in rng.int(below: timesteps) }
    }
}

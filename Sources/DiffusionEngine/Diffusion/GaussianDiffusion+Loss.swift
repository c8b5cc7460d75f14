/// What one `pLosses` call computed.
public struct LossResult: Sendable {
    /// The loss, mean over all N·C·H·W elements (not multiplied by `lossScale`), each sample's
    /// elements weighted by its weight when there are weights.
    public let loss: Float
    /// The loss of each sample (mean over its C·H·W elements, unweighted), (N,); without weights
    /// their mean is `loss`.
    public let perSample: [Float]
    /// The timesteps used, (N,), so the trainer can bucket `perSample` by t.
    public let t: [Int]
    /// What the model was given (x_t, or x_0 under the OPT 2 bug), (N,C,H,W).
    public let modelInput: Tensor
    /// The model output, (N,C,H,W).
    public let prediction: Tensor
    /// The target the output was compared with (ε, x_0 or v), (N,C,H,W).
    public let target: Tensor
}

extension GaussianDiffusion {
    /// The training loss at timesteps t, with the backward pass run into `model.store.grads`.
    ///
    ///     x_t    = qSample(x_0, t, ε)                     (forward coefficients per FIX 1)
    ///     input  = x_t, or x_0 under fixes.lossInput = .x0   (OPT 2)
    ///     out    = model(input, t)                        (training: true)
    ///     target = ε | x_0 | v = √ᾱ_t ε - √(1-ᾱ_t) x_0      (objective; v uses the precomputed buffers)
    ///     loss   = mean |out - target|      (L1)     dloss/dout = sign(out - target) / n
    ///            = mean (out - target)²     (L2)     dloss/dout = 2 (out - target) / n
    ///
    /// n = N·C·H·W; sign(0) = 0 as in `torch.sign`. The gradient handed to `model.backward` is
    /// multiplied by `lossScale` (e.g. 1/accumulation steps), which the returned loss is not.
    /// With `weights` (e.g. `minSNRWeights`), sample s's terms and gradient are multiplied by w_s.
    /// - Parameters:
    ///   - model: the denoiser; its parameter gradients are accumulated (`+=`), not zeroed.
    ///   - x0: (N,C,H,W) clean images in [-1, 1].
    ///   - t: N timesteps in 0..<T.
    ///   - noise: (N,C,H,W) standard normal ε.
    ///   - lossScale: factor on the gradient.
    ///   - weights: N per-sample loss weights, or nil for 1.
    public func pLosses(model: Denoiser, x0: Tensor, t: [Int], noise: Tensor, lossScale: Float = 1, weights: [Float]? = nil) -> LossResult {
        let (n, _, _, _) = x0.nchw("pLosses")
        precondition(noise.shape == x0.shape, "pLosses: noise \(noise.shapeDescription) vs x0 \(x0.shapeDescription)")
        precondition(t.count == n, "pLosses: \(t.count) timesteps for a batch of N=\(n)")
        precondition(weights == nil || weights!.count == n, "pLosses: \(weights?.count ?? 0) weights for a batch of N=\(n)")
        let xt = qSample(x0, t: t, noise: noise)
        let input = fixes.lossInput == .xt ? xt : x0
        let out = model.forward(input, timesteps: t.map(Float.init), training: true)
        precondition(out.shape == x0.shape, "pLosses: model returned \(out.shapeDescription) for x \(x0.shapeDescription)")

        let target: Tensor
        switch objective {
        case .epsilon: target = noise
        case .x0: target = x0
        case .v:
            let a = extract(schedule.sqrtAlphasCumprod, t), b = extract(schedule.sqrtOneMinusAlphasCumprod, t)
            let per = x0.count / max(n, 1)
            var v = noise
            for s in 0..<n {
                for i in s * per..<(s + 1) * per { v.data[i] = a[s] * noise.data[i] - b[s] * x0.data[i] }
            }
            target = v
        }

        let count = out.count
        let per = count / max(n, 1)
        var grad = out
        var perSample = [Float](repeating: 0, count: n)
        var total = 0.0
        let l2 = fixes.loss == .l2
        let gScale = lossScale / Float(count)
        out.data.withUnsafeBufferPointer { o in
            target.data.withUnsafeBufferPointer { y in
                grad.data.withUnsafeMutableBufferPointer { g in
                    for s in 0..<n {
                        var acc = 0.0
                        let sScale = weights.map { gScale * $0[s] } ?? gScale
                        for i in s * per..<(s + 1) * per {
                            let d = o[i] - y[i]
                            if l2 {
                                acc += Double(d) * Double(d)
                                g[i] = 2 * d * sScale
                            } else {
                                acc += Double(abs(d))
                                g[i] = (d > 0 ? 1 : (d < 0 ? -1 : 0)) * sScale
                            }
                        }
                        perSample[s] = Float(acc / Double(per))
                        total += weights.map { acc * Double($0[s]) } ?? acc
                    }
                }
            }
        }
        model.backward(grad)
        return LossResult(
            loss: Float(total / Double(count)), perSample: perSample, t: t, modelInput: input, prediction: out,
            target: target)
    }
}

extension GaussianDiffusion {
    /// Min-SNR-γ weights (Hang et al. 2023, "Efficient Diffusion Training via Min-SNR Weighting
    /// Strategy") for timesteps t, SNR_t = ᾱ_t / (1 - ᾱ_t) in Double:
    ///
    ///     epsilon  min(SNR_t, γ) / SNR_t
    ///     x0       min(SNR_t, γ)
    ///     v        min(SNR_t, γ) / (SNR_t + 1)
    ///
    /// so that the loss, whatever the objective, weighs each t like an x_0 loss clipped at γ.
    public func minSNRWeights(_ t: [Int], gamma: Float) -> [Float] {
        t.map { ti in
            let ac = Double(schedule.alphasCumprod[ti])
            let snr = ac / max(1 - ac, 1e-20)
            let clipped = min(snr, Double(gamma))
            switch objective {
            case .epsilon: return Float(clipped / snr)
            case .x0: return Float(clipped)
            case .v: return Float(clipped / (snr + 1))
            }
        }
    }
}

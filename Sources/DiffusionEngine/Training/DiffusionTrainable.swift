/// The DDPM family in the shared loop: a UNet denoiser trained with `GaussianDiffusion.pLosses`
/// (random t, noise, x_t, the objective's target), whose milestones are sample grids.
public final class DiffusionTrainable: TrainableModel {
    public let unet: UNet
    public let diffusion: GaussianDiffusion
    /// How milestone grids are sampled.
    public let milestoneSampler: Sampler
    /// Min-SNR-γ loss weighting (`TrainingOptions.minSNR`); 0 = off.
    public let minSNR: Float

    public init(unet: UNet, diffusion: GaussianDiffusion, milestoneSampler: Sampler, minSNR: Float = 0) {
        self.unet = unet
        self.diffusion = diffusion
        self.milestoneSampler = milestoneSampler
        self.minSNR = minSNR
    }

    /// The run's UNet, diffusion and milestone sampler (DDIM with `milestoneSamplingSteps` and `milestoneEta`, or
    /// DDPM when that is 0 or not below T).
    public convenience init(options o: TrainingOptions, seed: UInt64) throws {
        let sampler: Sampler = o.milestoneSamplingSteps > 0 && o.milestoneSamplingSteps < o.timesteps
            ? .ddim(steps: o.milestoneSamplingSteps, eta: o.milestoneEta) : .ddpm
        try self.init(unet: UNet(config: o.model, seed: seed), diffusion: o.makeDiffusion(), milestoneSampler: sampler, minSNR: o.minSNR)
    }

    public var store: ParameterStore { unet.store }

    public func drawRandomness(for x0: Tensor, rng: inout RandomGenerator) -> (t: [Int], noise: Tensor) {
        let t = diffusion.randomTimesteps(x0.shape[0], rng: &rng)
        return (t, rng.normalTensor(x0.shape))
    }

    public func trainingLoss(x0: Tensor, t: [Int], noise: Tensor, step: Int, lossScale: Float) -> TrainingLoss {
        let weights = minSNR > 0 ? diffusion.minSNRWeights(t, gamma: minSNR) : nil
        let r = diffusion.pLosses(model: unet, x0: x0, t: t, noise: noise, lossScale: lossScale, weights: weights)
        return TrainingLoss(loss: r.loss, perSample: zip(t, r.perSample).map { ($0, $1) })
    }

    public func milestone(weights: [Float], request: MilestoneRequest, progress: (Int, Int) -> Bool) throws -> Milestone? {
        let model = try UNet(config: unet.config, seed: 0)
        model.store.values = weights
        let c = unet.config
        var rng = request.rng
        let total = try milestoneSampler.stepPairs(timesteps: diffusion.timesteps).count
        var done = 0, gaveUp = false
        let x = try diffusion.sample(model: model, shape: [request.count, c.channels, c.imageSize, c.imageSize],
                                     rng: &rng, sampler: milestoneSampler) { _ in
            done += 1
            if !progress(done, total) { gaveUp = true; return false }
            return true
        }
        return gaveUp ? nil : Milestone(samples: x, sampler: milestoneSampler.description)
    }
}

/// The VAE family in the shared loop: a `VAE` trained on `VAELoss` (reconstruction + β·KL, the KL
/// weight warmed up over `klWarmupSteps`), whose milestones are prior samples plus reconstructions
/// of fixed training images.
public final class VAETrainable: TrainableModel {
    public let vae: VAE

    public init(vae: VAE) { self.vae = vae }

    public var store: ParameterStore { vae.store }
    public var config: VAEConfig { vae.config }

    /// ε (N, latentShape...); no timesteps.
    public func drawRandomness(for x0: Tensor, rng: inout RandomGenerator) -> (t: [Int], noise: Tensor) {
        ([], rng.normalTensor(vae.latentShape(count: x0.shape[0])))
    }

    /// Terms: "reconstruction" and "kl" (means per image), "kl_weight" (w), "rmse" (per pixel).
    public func trainingLoss(x0: Tensor, t: [Int], noise: Tensor, step: Int, lossScale: Float) -> TrainingLoss {
        let pass = vae.forward(x0, eps: noise, training: true)
        let (r, g) = VAELoss.evaluate(pass, x: x0, kind: config.reconstruction, klWeight: config.klWeight(step: step),
                                      gradScale: lossScale)
        vae.backward(dReconstruction: g.reconstruction, dMu: g.mu, dLogvar: g.logvar)
        return TrainingLoss(loss: r.loss, terms: ["reconstruction": r.reconstruction, "kl": r.kl, "kl_weight": r.klWeight, "rmse": r.rmse])
    }

    /// `count` prior samples, the first `reconstructionCount` references reconstructed (z = μ), and
    /// the KL per latent unit over every reference.
    public func milestone(weights: [Float], request: MilestoneRequest, progress: (Int, Int) -> Bool) throws -> Milestone? {
        let model = try VAE(config: config, seed: 0)
        model.store.values = weights
        var rng = request.rng
        let samples = model.samplePrior(count: request.count, rng: &rng)
        guard progress(1, 2) else { return nil }
        let refs = request.references
        let k = min(request.reconstructionCount, refs.shape[0]), per = refs.count / max(refs.shape[0], 1)
        let inputs = Tensor(shape: [k] + Array(refs.shape.dropFirst()), data: Array(refs.data.prefix(k * per)))
        let outputs = model.reconstruct(inputs)
        let recon = Reconstructions(inputs: inputs, outputs: outputs, rmse: outputs.rmsDifference(inputs),
                                    klPerUnit: model.klPerUnit(refs))
        guard progress(2, 2) else { return nil }
        return Milestone(samples: samples, sampler: "prior", reconstructions: recon)
    }
}

/// Which kind of model a run trains. Checkpoints written before families existed have no key in
/// their options and are diffusion runs.
public enum ModelFamily: String, Codable, CaseIterable, Sendable {
    /// A UNet denoiser under a DDPM (`TrainingOptions.model`, schedule, objective, fixes).
    case diffusion
    /// A convolutional VAE (`TrainingOptions.vae`).
    case vae
}

extension TrainingOptions {
    /// The run's trainable model, initialised from `seed`.
    /// - Throws: `EngineError` when the family's config is not buildable.
    public func makeModel(seed: UInt64) throws -> any TrainableModel {
        switch family {
        case .diffusion: return try DiffusionTrainable(options: self, seed: seed)
        case .vae: return VAETrainable(vae: try VAE(config: vae, seed: seed))
        }
    }

    /// The diffusion these options describe (schedule, objective, fixes); a VAE run has one too
    /// (its defaults), used by nothing.
    public func makeDiffusion() throws -> GaussianDiffusion {
        GaussianDiffusion(schedule: try NoiseSchedule(schedule, timesteps: timesteps), objective: objective, fixes: fixes)
    }

    /// Makes these options a VAE run of `config` with the VAE recipe: batch 16, no accumulation,
    /// 4000 steps, a milestone every 250 steps, EMA every step from step 100 (decay 0.995), a
    /// constant learning rate and no loss weighting (the diffusion recipe's warm-up, decay and
    /// min-SNR were measured on diffusion runs only).
    ///
    /// Why its own recipe: a VAE step is cheap and a milestone cheaper still (one decoder pass,
    /// no reverse chain), so on 2 cores more, smaller steps and frequent milestones show the
    /// reconstructions sooner: the course's batch 32 x 2 took 2 s a step on the shared machine,
    /// 87 steps in 2.5 minutes (reconstruction RMSE 0.28 on 200 emoji), batch 16 x 1 took 0.45 s,
    /// 312 steps (RMSE 0.23); see the README's VAE section for the measurements.
    public mutating func useVAE(_ config: VAEConfig) {
        family = .vae
        vae = config
        batchSize = 16
        accumulate = 1
        steps = 4000
        saveEvery = 250
        emaEvery = 1
        emaDecay = 0.995
        emaStartStep = 100
        warmupSteps = 0
        lrDecay = .constant
        minSNR = 0
    }

    /// The side of the images the family's model takes.
    public var imageSize: Int { family == .vae ? vae.imageSize : model.imageSize }
    /// Their channels (3 RGB, 1 grey).
    public var channels: Int { family == .vae ? vae.channels : model.channels }
}

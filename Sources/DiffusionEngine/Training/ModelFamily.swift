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

    /// The side of the images the family's model takes.
    public var imageSize: Int { family == .vae ? vae.imageSize : model.imageSize }
    /// Their channels (3 RGB, 1 grey).
    public var channels: Int { family == .vae ? vae.channels : model.channels }
}

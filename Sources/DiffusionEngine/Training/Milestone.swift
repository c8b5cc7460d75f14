/// What a milestone is asked to make.
public struct MilestoneRequest: Sendable {
    /// Images to generate.
    public var count: Int
    /// The generator of their noise (a seed and the step, so a milestone is reproducible).
    public var rng: RandomGenerator
    /// Every training image centre-cropped, (M, C, S, S): what samples are measured against and,
    /// for an autoencoder, what it reconstructs (the first `reconstructionCount`).
    public var references: Tensor
    public var reconstructionCount: Int

    public init(count: Int, rng: RandomGenerator, references: Tensor, reconstructionCount: Int = 8) {
        self.count = count
        self.rng = rng
        self.references = references
        self.reconstructionCount = reconstructionCount
    }
}

/// What a milestone made.
public struct Milestone: Sendable {
    /// Generated images (N, C, S, S) in [-1, 1]: what nn-RMSE and SWD measure.
    public var samples: Tensor
    /// How they were made ("ddim(steps=100, eta=0.0)", "prior").
    public var sampler: String
    /// An autoencoder's reconstructions of the first reference images; nil for a denoiser.
    public var reconstructions: Reconstructions?

    public init(samples: Tensor, sampler: String, reconstructions: Reconstructions? = nil) {
        self.samples = samples
        self.sampler = sampler
        self.reconstructions = reconstructions
    }
}

/// Inputs beside their reconstructions, and what the encoder says about the latent.
public struct Reconstructions: Sendable {
    /// (K, C, S, S) each.
    public var inputs: Tensor
    public var outputs: Tensor
    /// √(mean (output - input)²) over the K images, [-1, 1] units.
    public var rmse: Float
    /// KL per latent unit (nats), mean over every reference image (`VAE.klPerUnit`).
    public var klPerUnit: [Float]

    public init(inputs: Tensor, outputs: Tensor, rmse: Float, klPerUnit: [Float]) {
        self.inputs = inputs
        self.outputs = outputs
        self.rmse = rmse
        self.klPerUnit = klPerUnit
    }

    /// Σ klPerUnit: the KL per image.
    public var kl: Float { klPerUnit.reduce(0, +) }
    /// Units above `VAE.activeThreshold`.
    public var activeUnits: Int { VAE.activeUnits(klPerUnit) }
}

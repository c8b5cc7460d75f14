/// Everything that defines a training run; stored in every checkpoint so a resume needs nothing else.
///
/// Defaults follow the course (32x32, batch 32, lr 1e-3, 10000 steps, gradient accumulation 2,
/// save every 1000, EMA decay 0.995 every 10 steps, clip 1.0, L1 loss, linear schedule T=1000).
public struct TrainingOptions: Codable, Equatable, Sendable {
    /// The kind of model trained; the rest of the options apply to both unless they say otherwise.
    public var family: ModelFamily = .diffusion
    public var preset: String = "tiny"
    /// The UNet of a diffusion run.
    public var model: UNetConfig = .tiny
    /// The network and loss weights of a VAE run.
    public var vae: VAEConfig = .tiny
    public var schedule: ScheduleKind = .linear
    public var timesteps: Int = 1000
    public var objective: Objective = .epsilon
    public var fixes: FixSet = .fixed
    public var batchSize: Int = 32
    public var learningRate: Float = 1e-3
    public var steps: Int = 10_000
    public var accumulate: Int = 2
    public var maxGradNorm: Float = 1.0
    public var emaDecay: Float = 0.995
    public var emaEvery: Int = 10
    /// Until this step the EMA copies the weights (the course's `step_start_ema`), so early samples
    /// are not dominated by the random initialisation.
    public var emaStartStep: Int = 2000
    public var saveEvery: Int = 1000
    public var seed: UInt64 = 0
    /// What the trainer does to each image it draws; the course's is a random crop and flip.
    public var augment: Augmentation = .cropFlip
    /// Steps of linear learning-rate warm-up from 0 (0: none).
    public var warmupSteps: Int = 0
    /// The learning rate after the warm-up: constant, or a cosine decay to 10% at the last step.
    public var lrDecay: LearningRateDecay = .constant
    /// Min-SNR-γ loss weighting (Hang et al. 2023): each sample's loss times min(SNR_t, γ)/SNR_t for
    /// epsilon (min(SNR_t, γ) for x0, min(SNR_t, γ)/(SNR_t + 1) for v); 0 = unweighted.
    public var minSNR: Float = 0
    /// Images in each milestone grid.
    public var sampleCount: Int = 16
    /// Reverse steps for milestone grids: 0 = full DDPM ancestral (T steps), else DDIM with this many.
    public var milestoneSamplingSteps: Int = 100
    /// DDIM η of milestone grids: 1 draws fresh noise each step (ancestral, as DDPM), 0 is
    /// deterministic. An early model's deterministic samples are smeared averages; measured on
    /// the default run at step 4000: 64 samples' nn-RMSE 0.122 with η = 1, 0.231 with η = 0.
    public var milestoneEta: Float = 1

    public init() {}

    /// The JSON keys: the field names (written out because `encode(to:)` is not synthesised).
    enum CodingKeys: String, CodingKey {
        case family, preset, model, vae, schedule, timesteps, objective, fixes, batchSize, learningRate, steps, accumulate
        case maxGradNorm, emaDecay, emaEvery, emaStartStep, saveEvery, seed, augment, sampleCount, milestoneSamplingSteps
        case warmupSteps, lrDecay, minSNR, milestoneEta
    }

    /// Decodes a checkpoint's options; a key an older checkpoint lacks takes the value that version
    /// behaved with (so a resume continues exactly), never a decoding error.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = TrainingOptions()
        func v<T: Decodable>(_ key: CodingKeys, _ fallback: T) throws -> T {
            try c.decodeIfPresent(T.self, forKey: key) ?? fallback
        }
        // Checkpoints written before model families existed are diffusion runs.
        family = try v(.family, .diffusion)
        preset = try v(.preset, d.preset)
        model = try v(.model, d.model)
        vae = try v(.vae, d.vae)
        schedule = try v(.schedule, d.schedule)
        timesteps = try v(.timesteps, d.timesteps)
        objective = try v(.objective, d.objective)
        fixes = try v(.fixes, d.fixes)
        batchSize = try v(.batchSize, d.batchSize)
        learningRate = try v(.learningRate, d.learningRate)
        steps = try v(.steps, d.steps)
        accumulate = try v(.accumulate, d.accumulate)
        maxGradNorm = try v(.maxGradNorm, d.maxGradNorm)
        emaDecay = try v(.emaDecay, d.emaDecay)
        emaEvery = try v(.emaEvery, d.emaEvery)
        // Checkpoints written before `emaStartStep` existed averaged from the first step.
        emaStartStep = try v(.emaStartStep, 0)
        saveEvery = try v(.saveEvery, d.saveEvery)
        seed = try v(.seed, d.seed)
        augment = try v(.augment, d.augment)
        sampleCount = try v(.sampleCount, d.sampleCount)
        milestoneSamplingSteps = try v(.milestoneSamplingSteps, d.milestoneSamplingSteps)
        warmupSteps = try v(.warmupSteps, d.warmupSteps)
        lrDecay = try v(.lrDecay, d.lrDecay)
        minSNR = try v(.minSNR, d.minSNR)
        // Checkpoints written before `milestoneEta` existed sampled milestones deterministically.
        milestoneEta = try v(.milestoneEta, 0)
    }

    /// Encodes every field; a diffusion run leaves out `family` and `vae`, and the learning-rate
    /// schedule and loss weighting are left out while they are off, so such a run's JSON is the
    /// one written before they existed (and the one the PyTorch twin writes).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        if family != .diffusion {
            try c.encode(family, forKey: .family)
            try c.encode(vae, forKey: .vae)
        }
        try c.encode(preset, forKey: .preset)
        try c.encode(model, forKey: .model)
        try c.encode(schedule, forKey: .schedule)
        try c.encode(timesteps, forKey: .timesteps)
        try c.encode(objective, forKey: .objective)
        try c.encode(fixes, forKey: .fixes)
        try c.encode(batchSize, forKey: .batchSize)
        try c.encode(learningRate, forKey: .learningRate)
        try c.encode(steps, forKey: .steps)
        try c.encode(accumulate, forKey: .accumulate)
        try c.encode(maxGradNorm, forKey: .maxGradNorm)
        try c.encode(emaDecay, forKey: .emaDecay)
        try c.encode(emaEvery, forKey: .emaEvery)
        try c.encode(emaStartStep, forKey: .emaStartStep)
        try c.encode(saveEvery, forKey: .saveEvery)
        try c.encode(seed, forKey: .seed)
        try c.encode(augment, forKey: .augment)
        try c.encode(sampleCount, forKey: .sampleCount)
        try c.encode(milestoneSamplingSteps, forKey: .milestoneSamplingSteps)
        if warmupSteps != 0 { try c.encode(warmupSteps, forKey: .warmupSteps) }
        if lrDecay != .constant { try c.encode(lrDecay, forKey: .lrDecay) }
        if minSNR != 0 { try c.encode(minSNR, forKey: .minSNR) }
        if milestoneEta != 0 { try c.encode(milestoneEta, forKey: .milestoneEta) }
    }

    /// The learning rate of step `k` (1-based).
    public func learningRate(atStep k: Int) -> Float {
        lrDecay.rate(base: learningRate, step: k, steps: steps, warmupSteps: warmupSteps)
    }

    /// The interactive default: the `tiny` preset with a batch and schedule sized for 2 cores, and
    /// the recipe measured to learn a new small folder in about five minutes (issue 13,
    /// bench/RESULTS.md "Recipe"): 3000 steps with a 100-step warm-up and a cosine decay, min-SNR-5
    /// weighting, no augmentation (in five minutes a small folder is learnt sooner as it is: crops
    /// and flips only spread the same steps over more images).
    public static var interactive: TrainingOptions {
        var o = TrainingOptions()
        o.preset = "tiny"
        o.model = .tiny
        o.batchSize = 16
        o.accumulate = 1
        o.steps = 3000
        o.saveEvery = 500
        o.emaEvery = 1
        o.emaDecay = 0.995
        o.emaStartStep = 100
        o.warmupSteps = 100
        o.lrDecay = .cosine
        o.minSNR = 5
        o.augment = .off
        return o
    }

    /// Checks the numbers a user can set; each error names its option (`EngineError.option`), so a
    /// front end can say it with its own name for it ("--batch must be at least 1 (got 0)").
    public func validate() throws {
        switch family {
        case .diffusion: try model.validate()
        case .vae: try vae.validate()
        }
        func need(_ ok: Bool, _ option: PartialKeyPath<TrainingOptions>, _ name: String, _ rule: String) throws {
            if !ok { throw EngineError(about: option, named: name) { "\($0) \(rule)" } }
        }
        try need(batchSize >= 1, \.batchSize, "batch size", "must be at least 1 (got \(batchSize))")
        try need(steps >= 1, \.steps, "steps", "must be at least 1 (got \(steps))")
        try need(accumulate >= 1, \.accumulate, "accumulated micro-batches", "must be at least 1 (got \(accumulate))")
        try need(saveEvery >= 1, \.saveEvery, "the milestone interval", "must be at least 1 (got \(saveEvery))")
        try need(learningRate > 0 && learningRate.isFinite, \.learningRate, "the learning rate", "must be a positive number (got \(learningRate))")
        try need(timesteps >= 2 && timesteps <= 100_000, \.timesteps, "timesteps", "must be between 2 and 100000 (got \(timesteps))")
        try need(maxGradNorm > 0, \.maxGradNorm, "the gradient clipping norm", "must be positive (got \(maxGradNorm))")
        try need(emaDecay >= 0 && emaDecay < 1, \.emaDecay, "the EMA decay", "must be in [0, 1) (got \(emaDecay))")
        try need(sampleCount >= 1 && sampleCount <= 256, \.sampleCount, "milestone samples", "must be between 1 and 256 (got \(sampleCount))")
        try need(warmupSteps >= 0, \.warmupSteps, "warm-up steps", "must be 0 or more (got \(warmupSteps))")
        try need(minSNR >= 0 && minSNR.isFinite, \.minSNR, "min-SNR γ", "must be 0 (off) or positive (got \(minSNR))")
        try need(milestoneEta >= 0 && milestoneEta <= 1, \.milestoneEta, "milestone DDIM η", "must be in [0, 1] (got \(milestoneEta))")
        try need(milestoneSamplingSteps >= 0, \.milestoneSamplingSteps, "milestone sampling steps",
                 "must be 0 (full DDPM) or a positive DDIM step count (got \(milestoneSamplingSteps))")
    }
}

/// One training run's state and its step, whatever the model family: batch -> the family's
/// randomness (timesteps and noise, or ε) -> the family's loss and backward (accumulated over
/// `accumulate` micro-batches) -> clip -> Adam -> EMA. What differs per family is behind
/// `TrainableModel` (`DiffusionTrainable`, `VAETrainable`); this loop is written once.
///
/// Reproducibility: the randomness of step k (batch order when an epoch ends, crops, flips,
/// timesteps, noise) comes from `RandomGenerator(seed).derived(stream: k)`, so the whole random
/// state is the seed, the step number and the epoch sampler. A run interrupted at step k and
/// resumed from its checkpoint produces the same losses as an uninterrupted one.
public final class Trainer {
    public let options: TrainingOptions
    /// The network and its loss (`store` is the arena Adam, EMA and checkpoints work on).
    public let model: any TrainableModel
    public let dataset: TrainingSet
    public internal(set) var adam: Adam
    public internal(set) var ema: EMA
    /// Optimizer steps taken.
    public internal(set) var step: Int = 0
    var sampler: EpochSampler
    /// Loss of every step taken (mean over its micro-batches).
    public internal(set) var lossHistory: [Float] = []
    /// Each named loss term of every step (mean over its micro-batches), e.g. a VAE's
    /// "reconstruction" and "kl"; empty for a loss without terms.
    public internal(set) var termHistory: [String: [Float]] = [:]
    /// Running mean loss per timestep bucket (T split into `bucketCount` equal ranges); NaN where
    /// no sample fell, and always for a family without timesteps.
    public internal(set) var bucketLoss: [Float]
    public static let bucketCount = 10
    /// Global gradient norm before clipping, of the last step.
    public internal(set) var lastGradNorm: Float = 0

    /// A fresh run.
    public init(options: TrainingOptions, dataset: TrainingSet) throws {
        try options.validate()
        guard dataset.size == options.imageSize else {
            throw EngineError("dataset: images are cropped to \(dataset.size)px but the model expects \(options.imageSize)px")
        }
        guard dataset.channels == options.channels else {
            throw EngineError("dataset: \(dataset.channels) channels, the model expects \(options.channels)")
        }
        self.options = options
        self.dataset = dataset
        self.model = try options.makeModel(seed: options.seed)
        self.adam = Adam(parameterCount: model.store.count, lr: options.learningRate)
        self.ema = EMA(model.store, decay: options.emaDecay, updateEvery: options.emaEvery, startStep: options.emaStartStep)
        self.sampler = EpochSampler(count: dataset.count)
        self.bucketLoss = [Float](repeating: .nan, count: Self.bucketCount)
    }

    /// The diffusion of a diffusion run (nil for a VAE).
    public var diffusion: GaussianDiffusion? { (model as? DiffusionTrainable)?.diffusion }

    /// What one step did.
    public struct StepResult: Sendable {
        public var step: Int
        public var loss: Float
        public var gradNorm: Float
        /// Per-sample (timestep, loss) pairs of this step, for bucketing and plots.
        public var perSample: [(t: Int, loss: Float)]
        /// The loss's named terms (mean over the micro-batches); empty when it has none.
        public var terms: [String: Float] = [:]
    }

    /// Takes one optimizer step: draws this step's randomness, then `trainStep(microBatches:)`.
    /// - Throws: `EngineError` when the loss is NaN or infinite; the weights are left as they were
    ///   before this step (nothing is updated), so the last checkpoint and the current state agree.
    @discardableResult
    public func trainStep() throws -> StepResult {
        try trainStep(drawn: drawStep())
    }

    /// The randomness of the next step, drawn but not used: its micro-batches and the epoch
    /// sampler after them. A lockstep pair (`TrainerPair`) draws once and feeds both trainers.
    public struct Draw: Sendable {
        public var microBatches: [(x0: Tensor, t: [Int], noise: Tensor)]
        /// The sampler once these batches are taken (kept by `trainStep(drawn:)` on success).
        var sampler: EpochSampler
        /// The step the draw is for (0-based: the trainer's `step` when it was drawn).
        public let step: Int
    }

    /// Draws step `step`'s batch order, crops, flips, timesteps and noise from
    /// `RandomGenerator(seed).derived(stream: step)`; changes nothing.
    public func drawStep() -> Draw {
        var rng = RandomGenerator(seed: options.seed).derived(stream: UInt64(step))
        var nextSampler = sampler
        var microBatches: [(x0: Tensor, t: [Int], noise: Tensor)] = []
        for _ in 0..<options.accumulate {
            let idx = nextSampler.next(options.batchSize, rng: &rng)
            let x0 = dataset.batch(idx, augment: options.augment, rng: &rng)
            let (t, noise) = model.drawRandomness(for: x0, rng: &rng)
            microBatches.append((x0, t, noise))
        }
        return Draw(microBatches: microBatches, sampler: nextSampler, step: step)
    }

    /// Takes one optimizer step on a draw made for this step (by this trainer or its lockstep twin).
    @discardableResult
    public func trainStep(drawn d: Draw) throws -> StepResult {
        precondition(d.step == step, "trainStep(drawn:): the draw is for step \(d.step), the trainer is at \(step)")
        let result = try trainStep(microBatches: d.microBatches)
        sampler = d.sampler
        return result
    }

    /// Takes one optimizer step on explicit micro-batches (the randomness already drawn): the
    /// loss of each is backpropagated scaled by 1/count, then clip, Adam, EMA. `trainStep()` calls
    /// this with `options.accumulate` micro-batches; tests call it with fixture inputs.
    /// - Parameter microBatches: each x0 (N,C,H,W) in [-1, 1] with its randomness: for diffusion N
    ///   timesteps in 0..<T and noise like x0; for a VAE no timesteps and ε like the latent.
    /// - Throws: `EngineError` when the loss or the gradient norm is not finite (nothing updated).
    @discardableResult
    public func trainStep(microBatches: [(x0: Tensor, t: [Int], noise: Tensor)]) throws -> StepResult {
        precondition(!microBatches.isEmpty, "trainStep(microBatches:): needs at least one micro-batch")
        model.store.zeroGrads()
        var lossSum: Float = 0
        var perSample: [(t: Int, loss: Float)] = []
        var terms: [String: Float] = [:]
        let scale = 1 / Float(microBatches.count)
        for mb in microBatches {
            // The gradient is scaled by 1/accumulate (the course divides each micro-batch loss by it).
            let r = model.trainingLoss(x0: mb.x0, t: mb.t, noise: mb.noise, step: step, lossScale: scale)
            lossSum += r.loss
            perSample += r.perSample
            for (k, v) in r.terms { terms[k, default: 0] += v * scale }
        }
        let loss = lossSum / Float(microBatches.count)
        guard loss.isFinite else {
            model.store.zeroGrads()
            throw EngineError(about: \TrainingOptions.learningRate, named: "the learning rate") {
                "training: the loss became \(loss) at step \(step + 1); weights were not updated — lower \($0) or check the data"
            }
        }
        let norm = GradientClipping.clip(model.store, maxNorm: options.maxGradNorm)
        guard norm.isFinite else {
            model.store.zeroGrads()
            throw EngineError(about: \TrainingOptions.learningRate, named: "the learning rate") {
                "training: the gradient norm became \(norm) at step \(step + 1); weights were not updated — lower \($0)"
            }
        }
        adam.lr = options.learningRate(atStep: step + 1)
        adam.update(model.store)
        step += 1
        ema.update(model.store, step: step)
        lastGradNorm = norm
        lossHistory.append(loss)
        for (k, v) in terms { termHistory[k, default: []].append(v) }
        recordBuckets(perSample)
        return StepResult(step: step, loss: loss, gradNorm: norm, perSample: perSample, terms: terms)
    }

    /// Running mean (decay 0.98) of the loss in each timestep bucket.
    func recordBuckets(_ perSample: [(t: Int, loss: Float)]) {
        let T = options.timesteps
        for (t, l) in perSample {
            let b = min(Self.bucketCount - 1, t * Self.bucketCount / T)
            bucketLoss[b] = bucketLoss[b].isNaN ? l : 0.98 * bucketLoss[b] + 0.02 * l
        }
    }

    /// The bucket a timestep falls in.
    public func bucket(of t: Int) -> Int { min(Self.bucketCount - 1, t * Self.bucketCount / options.timesteps) }
}

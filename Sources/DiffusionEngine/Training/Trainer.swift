/// One training run's state and its step: batch -> random t -> noise -> qSample -> model -> loss
/// -> backward (accumulated over `accumulate` micro-batches) -> clip -> Adam -> EMA.
///
/// Reproducibility: the randomness of step k (batch order when an epoch ends, crops, flips,
/// timesteps, noise) comes from `RandomGenerator(seed).derived(stream: k)`, so the whole random
/// state is the seed, the step number and the epoch sampler. A run interrupted at step k and
/// resumed from its checkpoint produces the same losses as an uninterrupted one.
public final class Trainer {
    public let options: TrainingOptions
    public let model: UNet
    public let diffusion: GaussianDiffusion
    public let dataset: TrainingSet
    public internal(set) var adam: Adam
    public internal(set) var ema: EMA
    /// Optimizer steps taken.
    public internal(set) var step: Int = 0
    var sampler: EpochSampler
    /// Loss of every step taken (mean over its micro-batches).
    public internal(set) var lossHistory: [Float] = []
    /// Running mean loss per timestep bucket (T split into `bucketCount` equal ranges).
    public internal(set) var bucketLoss: [Float]
    public static let bucketCount = 10
    /// Global gradient norm before clipping, of the last step.
    public internal(set) var lastGradNorm: Float = 0

    /// A fresh run.
    public init(options: TrainingOptions, dataset: TrainingSet) throws {
        try options.validate()
        guard dataset.size == options.model.imageSize else {
            throw EngineError("dataset: images are cropped to \(dataset.size)px but the model expects \(options.model.imageSize)px")
        }
        guard dataset.channels == options.model.channels else {
            throw EngineError("dataset: \(dataset.channels) channels, the model expects \(options.model.channels)")
        }
        self.options = options
        self.dataset = dataset
        self.model = try UNet(config: options.model, seed: options.seed)
        let schedule = try NoiseSchedule(options.schedule, timesteps: options.timesteps)
        self.diffusion = GaussianDiffusion(schedule: schedule, objective: options.objective, fixes: options.fixes)
        self.adam = Adam(parameterCount: model.store.count, lr: options.learningRate)
        self.ema = EMA(model.store, decay: options.emaDecay, updateEvery: options.emaEvery, startStep: options.emaStartStep)
        self.sampler = EpochSampler(count: dataset.count)
        self.bucketLoss = [Float](repeating: .nan, count: Self.bucketCount)
    }

    /// What one step did.
    public struct StepResult: Sendable {
        public var step: Int
        public var loss: Float
        public var gradNorm: Float
        /// Per-sample (timestep, loss) pairs of this step, for bucketing and plots.
        public var perSample: [(t: Int, loss: Float)]
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
            let t = diffusion.randomTimesteps(options.batchSize, rng: &rng)
            let noise = rng.normalTensor(x0.shape)
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
    /// - Parameter microBatches: each x0 (N,C,H,W) in [-1, 1], N timesteps in 0..<T, noise like x0.
    /// - Throws: `EngineError` when the loss or the gradient norm is not finite (nothing updated).
    @discardableResult
    public func trainStep(microBatches: [(x0: Tensor, t: [Int], noise: Tensor)]) throws -> StepResult {
        precondition(!microBatches.isEmpty, "trainStep(microBatches:): needs at least one micro-batch")
        model.store.zeroGrads()
        var lossSum: Float = 0
        var perSample: [(t: Int, loss: Float)] = []
        for mb in microBatches {
            // The gradient is scaled by 1/accumulate (the course divides each micro-batch loss by it).
            let r = diffusion.pLosses(model: model, x0: mb.x0, t: mb.t, noise: mb.noise, lossScale: 1 / Float(microBatches.count))
            lossSum += r.loss
            for (i, l) in r.perSample.enumerated() { perSample.append((mb.t[i], l)) }
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
        adam.update(model.store)
        step += 1
        ema.update(model.store, step: step)
        lastGradNorm = norm
        lossHistory.append(loss)
        recordBuckets(perSample)
        return StepResult(step: step, loss: loss, gradNorm: norm, perSample: perSample)
    }

    /// Running mean (decay 0.98) of the loss in each timestep bucket.
    func recordBuckets(_ perSample: [(t: Int, loss: Float)]) {
        let T = diffusion.timesteps
        for (t, l) in perSample {
            let b = min(Self.bucketCount - 1, t * Self.bucketCount / T)
            bucketLoss[b] = bucketLoss[b].isNaN ? l : 0.98 * bucketLoss[b] + 0.02 * l
        }
    }

    /// The bucket a timestep falls in.
    public func bucket(of t: Int) -> Int { min(Self.bucketCount - 1, t * Self.bucketCount / diffusion.timesteps) }

    /// A denoiser holding a copy of the EMA (or raw) weights, independent of further training:
    /// what samplers and the viewer use while training goes on.
    public func snapshotModel(ema useEMA: Bool) throws -> UNet {
        let copy = try UNet(config: options.model, seed: 0)
        copy.store.values = useEMA ? ema.values : model.store.values
        return copy
    }
}

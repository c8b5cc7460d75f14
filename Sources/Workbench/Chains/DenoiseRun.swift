import DiffusionEngine

/// A Denoise chain being computed: the engine's `ReverseChain` at batch 1, the model it runs on
/// (fixed for the chain's life) and the history of every step so far. `ChainWorker` drives it on
/// its thread; tests and benchmarks drive it directly.
public struct DenoiseRun {
    public private(set) var history: DenoiseHistory
    private var chain: ReverseChain?
    private let model: UNet?

    /// Starts a chain from x_T ~ N(0, I) drawn with `settings.seed`; failures end up in `history.error`.
    /// - Parameter model: the denoiser for `weights` (nil: made from them).
    public init(weights w: ModelWeights, settings: ChainSettings, model: (() throws -> UNet)? = nil) {
        let shape = [1, w.config.channels, w.config.imageSize, w.config.imageSize]
        let sampler = settings.sampler.sampler(ddimSteps: min(AppState.defaultDDIMSteps, w.diffusion.timesteps))
        do {
            let m = try model?() ?? w.makeModel(ema: settings.ema)
            let c = try ReverseChain(diffusion: w.diffusion, sampler: sampler, shape: shape, rng: RandomGenerator(seed: settings.seed))
            self.model = m
            chain = c
            history = DenoiseHistory(settings: settings, weightsStep: w.step, steps: c.steps.map { StepPair(t: $0.t, tPrev: $0.tPrev) }, current: c.x)
        } catch {
            self.model = nil
            chain = nil
            history = DenoiseHistory(settings: settings, weightsStep: w.step, steps: [], current: Tensor(zeros: shape), error: "\(error)")
        }
    }

    public var canStep: Bool { chain.map { !$0.isFinished } ?? false }

    /// Takes the next step and records it.
    public mutating func step() {
        guard var c = chain, let model, !c.isFinished else { return }
        let t0 = monotonicSeconds()
        let info = c.step(model: model)
        let dt = monotonicSeconds() - t0
        history.frames.append(DenoiseFrame(info))
        history.current = c.x
        let n = Double(history.frames.count)
        history.secondsPerStep = (history.secondsPerStep * (n - 1) + dt) / n
        chain = c
    }
}

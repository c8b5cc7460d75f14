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

/// Two chains in lockstep for the Compare screen: same model, same seed (so the same x_T and the
/// same noise at every step), A's and B's switches. Differences are measured after every step.
public struct CompareRun {
    public let request: ChainWorker.CompareRequest
    public private(set) var history: CompareHistory
    private var chains: (a: ReverseChain, b: ReverseChain)?
    private let model: ReusingDenoiser?

    /// - Parameter forwardImage: (1,C,H,W) in [-1,1] for the forward-process A/B when A and B differ in FIX 1.
    public init(weights w: ModelWeights, request: ChainWorker.CompareRequest, forwardImage: Tensor? = nil, model: (() throws -> UNet)? = nil) {
        self.request = request
        let shape = [1, w.config.channels, w.config.imageSize, w.config.imageSize]
        let sampler = request.settings.sampler.sampler(ddimSteps: min(AppState.defaultDDIMSteps, w.diffusion.timesteps))
        var da = w.diffusion, db = w.diffusion
        da.fixes = request.a
        db.fixes = request.b
        let rng = RandomGenerator(seed: request.settings.seed)
        var h = CompareHistory(settings: request.settings, a: request.a, b: request.b, weightsStep: w.step, length: 0)
        do {
            let m = try model?() ?? w.makeModel(ema: request.settings.ema)
            let ca = try ReverseChain(diffusion: da, sampler: sampler, shape: shape, rng: rng)
            let cb = try ReverseChain(diffusion: db, sampler: sampler, shape: shape, rng: rng)
            self.model = ReusingDenoiser(m)
            chains = (ca, cb)
            h.length = ca.steps.count
            h.frames = [CompareFrame(t: w.diffusion.timesteps, xA: ca.x, xB: cb.x)]
            if request.a.forwardCoefficients != request.b.forwardCoefficients, let x0 = forwardImage, x0.shape == shape {
                h.forward = FixComparison.forward(diffusion: w.diffusion, x0: x0, a: request.a, b: request.b,
                                                  rng: RandomGenerator(seed: request.settings.seed ^ 0xF0F0))
            }
        } catch {
            self.model = nil
            chains = nil
            h.error = "\(error)"
        }
        history = h
    }

    public var canStep: Bool { chains.map { !$0.a.isFinished } ?? false }

    /// Steps both chains once and records how far apart they are.
    public mutating func step() {
        guard var c = chains, let model, !c.a.isFinished else { return }
        let sa = c.a.step(model: model)
        _ = c.b.step(model: model)
        history.frames.append(CompareFrame(t: sa.t, xA: c.a.x, xB: c.b.x))
        history.modelCalls = model.calls
        chains = c
    }
}

/// A denoiser that returns its previous output when called again with exactly the same input and
/// timesteps — the Compare screen's B chain, while it is still bit-identical to A, then costs no
/// model call. The model is deterministic, so the result is the very tensor a second call would
/// give: the measurement stays exact, and identical chains (the common case) run twice as fast.
final class ReusingDenoiser: Denoiser {
    let base: UNet
    private var last: (x: Tensor, timesteps: [Float], out: Tensor)?
    /// Model evaluations actually made.
    private(set) var calls = 0

    init(_ base: UNet) { self.base = base }

    var store: ParameterStore { base.store }

    func forward(_ x: Tensor, timesteps: [Float], training: Bool) -> Tensor {
        if !training, let last, last.timesteps == timesteps, last.x == x { return last.out }
        let out = base.forward(x, timesteps: timesteps, training: training)
        calls += 1
        last = training ? nil : (x, timesteps, out)
        return out
    }

    func backward(_ dOut: Tensor) -> Tensor { base.backward(dOut) }
}

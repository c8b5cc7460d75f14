import DiffusionEngine

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

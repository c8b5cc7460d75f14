import DiffusionEngine

/// The engine's `ChainPair` for the Compare screen, at batch 1: A's and B's chains on one seed,
/// stepped one pair at a time by `ChainWorker`, with every frame's images kept for browsing.
/// Its model is a `ReusingDenoiser`, so while B is bit-identical to A, B costs no model call.
public struct CompareRun {
    public let request: ChainWorker.CompareRequest
    public private(set) var history: CompareHistory
    private var pair: ChainPair?
    private let model: ReusingDenoiser?

    /// - Parameter forwardImage: (1,C,H,W) in [-1,1] for the forward-process A/B when A and B
    ///   differ in a switch that acts on q_sample (FIX 1).
    public init(weights w: ModelWeights, request: ChainWorker.CompareRequest, forwardImage: Tensor? = nil, model: (() throws -> UNet)? = nil) {
        self.request = request
        let shape = [1, w.config.channels, w.config.imageSize, w.config.imageSize]
        let sampler = request.settings.sampler.sampler(ddimSteps: min(AppState.defaultDDIMSteps, w.diffusion.timesteps))
        var h = CompareHistory(settings: request.settings, a: request.a, b: request.b, weightsStep: w.step, length: 0)
        do {
            let m = try model?() ?? w.makeModel(ema: request.settings.ema)
            let p = try ChainPair(diffusion: w.diffusion, a: request.a, b: request.b, sampler: sampler, shape: shape,
                                  rng: RandomGenerator(seed: request.settings.seed))
            self.model = ReusingDenoiser(m)
            pair = p
            h.length = p.length
            let start = StepDifference(t: w.diffusion.timesteps, p.chainA.x, p.chainB.x, tolerance: p.tolerance)
            h.frames = [CompareFrame(xA: p.chainA.x, xB: p.chainB.x, difference: start)]
            if request.a.differs(from: request.b, in: .forwardProcess), let x0 = forwardImage, x0.shape == shape {
                h.forward = FixComparison.forward(diffusion: w.diffusion, x0: x0, a: request.a, b: request.b,
                                                  rng: RandomGenerator(seed: request.settings.seed ^ 0xF0F0))
            }
        } catch {
            self.model = nil
            pair = nil
            h.error = "\(error)"
        }
        history = h
    }

    public var canStep: Bool { pair.map { !$0.isFinished } ?? false }

    /// Steps both chains once and records how far apart they are.
    public mutating func step() {
        guard var p = pair, let model, !p.isFinished else { return }
        let d = p.step(model: model).difference
        history.frames.append(CompareFrame(xA: p.chainA.x, xB: p.chainB.x, difference: d))
        history.modelCalls = model.calls
        pair = p
    }
}

import DiffusionEngine

/// The engine's `ChainPair` for the Compare screen, at batch 1: A's and B's chains on one seed,
/// stepped one pair at a time by `ChainWorker`, with every frame's images kept for browsing.
///
/// On one model (`.fixSets`) its model is a `ReusingDenoiser`, so while B is bit-identical to A,
/// B costs no model call. In `.models` mode chain B runs the second model with that model's own
/// diffusion (schedule, objective) and B's fix set: the pair's two-diffusion form.
public struct CompareRun {
    public let request: ChainWorker.CompareRequest
    public private(set) var history: CompareHistory
    private var pair: ChainPair?
    private let model: ReusingDenoiser?
    private let modelB: ReusingDenoiser?

    /// - Parameters:
    ///   - weightsB: the second model's weights, needed in `.models` mode.
    ///   - forwardImage: (1,C,H,W) in [-1,1] for the forward-process A/B when A and B differ in a
    ///     switch that acts on q_sample (FIX 1), on one model.
    ///   - model, modelB: the denoisers for `weights` and `weightsB` (nil: made from them).
    public init(weights w: ModelWeights, weightsB: ModelWeights? = nil, request: ChainWorker.CompareRequest, forwardImage: Tensor? = nil,
                model: (() throws -> UNet)? = nil, modelB: (() throws -> UNet?)? = nil) {
        self.request = request
        let shape = [1, w.config.channels, w.config.imageSize, w.config.imageSize]
        let sampler = request.settings.sampler.sampler(ddimSteps: min(AppState.defaultDDIMSteps, w.diffusion.timesteps))
        var h = CompareHistory(settings: request.settings, a: request.a, b: request.b, mode: request.mode, weightsStep: w.step, length: 0)
        do {
            let m = try model?() ?? w.makeModel(ema: request.settings.ema)
            var da = w.diffusion, db = w.diffusion
            var mb: UNet?
            if request.mode == .models {
                guard let wb = weightsB else { throw EngineError("there is no second model to run chain B on") }
                guard wb.config.imageSize == w.config.imageSize, wb.config.channels == w.config.channels else {
                    throw EngineError("B's model makes \(wb.config.imageSize)px images with \(wb.config.channels) channels, A's \(w.config.imageSize)px with \(w.config.channels)")
                }
                mb = try modelB?() ?? wb.makeModel(ema: request.settings.ema)
                db = wb.diffusion
                h.weightsStepB = wb.step
            }
            da.fixes = request.a
            db.fixes = request.b
            let p = try ChainPair(a: da, b: db, sampler: sampler, shape: shape, rng: RandomGenerator(seed: request.settings.seed))
            self.model = ReusingDenoiser(m)
            self.modelB = mb.map(ReusingDenoiser.init)
            pair = p
            h.length = p.length
            let start = StepDifference(t: w.diffusion.timesteps, p.chainA.x, p.chainB.x, tolerance: p.tolerance)
            h.frames = [CompareFrame(xA: p.chainA.x, xB: p.chainB.x, difference: start)]
            if request.mode == .fixSets, request.a.differs(from: request.b, in: .forwardProcess), let x0 = forwardImage, x0.shape == shape {
                h.forward = FixComparison.forward(diffusion: w.diffusion, x0: x0, a: request.a, b: request.b,
                                                  rng: RandomGenerator(seed: request.settings.seed ^ 0xF0F0))
            }
        } catch {
            self.model = nil
            self.modelB = nil
            pair = nil
            h.error = "\(error)"
        }
        history = h
    }

    public var canStep: Bool { pair.map { !$0.isFinished } ?? false }

    /// Steps both chains once and records how far apart they are.
    public mutating func step() {
        guard var p = pair, let model, !p.isFinished else { return }
        let d = p.step(model: model, modelB: modelB).difference
        history.frames.append(CompareFrame(xA: p.chainA.x, xB: p.chainB.x, difference: d))
        history.modelCalls = model.calls + (modelB?.calls ?? 0)
        pair = p
    }
}

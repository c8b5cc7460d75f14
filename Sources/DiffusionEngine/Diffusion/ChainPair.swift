/// The A/B of two fix sets on sampling: two reverse chains with A's and B's switches, the same
/// model (or, for two models trained differently, each its own) and the same seed, so both
/// start from one x_T and draw the same noise at every step (`ReverseChain` draws one noise
/// tensor per step whatever its switches). After each step the two outputs are measured
/// (`StepDifference`), so a switch is judged by what it does, not by what it should do.
///
/// This is the one stepper behind every A/B of the reverse process: the `compare` command runs it
/// to the end (`run`), the Compare screen's worker steps it one pair at a time between frames, and
/// both word their finding with the one `verdict`.
public struct ChainPair: Sendable {
    public let a: FixSet
    public let b: FixSet
    /// The relative rounding tolerance of every `StepDifference`.
    public let tolerance: Float
    /// The chain with A's switches and the one with B's; x_T is the same in both.
    public private(set) var chainA: ReverseChain
    public private(set) var chainB: ReverseChain
    /// One entry per step taken, first step (largest t) first.
    public private(set) var steps: [StepDifference] = []

    /// - Parameters:
    ///   - diffusion: schedule and objective; its `fixes` is replaced by `a` and `b`.
    ///   - a, b: the two fix sets.
    ///   - sampler: DDPM (default) or DDIM.
    ///   - shape: (N,C,H,W).
    ///   - rng: the shared noise source (each chain gets a copy).
    ///   - tolerance: the relative rounding tolerance.
    /// - Throws: `EngineError` for an unusable sampler setting.
    public init(
        diffusion: GaussianDiffusion, a: FixSet, b: FixSet, sampler: Sampler = .ddpm, shape: [Int], rng: RandomGenerator,
        tolerance: Float = FixComparison.defaultTolerance
    ) throws {
        var da = diffusion, db = diffusion
        da.fixes = a
        db.fixes = b
        try self.init(a: da, b: db, sampler: sampler, shape: shape, rng: rng, tolerance: tolerance)
    }

    /// Two chains with their own diffusions (schedule, objective, fixes): what an A/B of two
    /// models trained differently runs, each chain stepped with its own model (`step(model:modelB:)`).
    /// - Throws: `EngineError` when the two schedules' T differ (the chains would not visit the
    ///   same timesteps) or for an unusable sampler setting.
    public init(
        a da: GaussianDiffusion, b db: GaussianDiffusion, sampler: Sampler = .ddpm, shape: [Int], rng: RandomGenerator,
        tolerance: Float = FixComparison.defaultTolerance
    ) throws {
        guard da.timesteps == db.timesteps else {
            throw EngineError("A/B chains: A has T=\(da.timesteps) and B T=\(db.timesteps); the chains must visit the same timesteps")
        }
        self.a = da.fixes
        self.b = db.fixes
        self.tolerance = tolerance
        chainA = try ReverseChain(diffusion: da, sampler: sampler, shape: shape, rng: rng)
        chainB = try ReverseChain(diffusion: db, sampler: sampler, shape: shape, rng: rng)
    }

    /// How many steps each chain takes in all.
    public var length: Int { chainA.steps.count }
    /// True when both chains are at x_0.
    public var isFinished: Bool { chainA.isFinished }

    /// Steps A, then B (in that order: a caching model may hand B A's output), and measures them.
    /// - Parameters:
    ///   - model: A's denoiser, and B's unless `modelB` is given.
    ///   - modelB: B's own denoiser, for an A/B of two models.
    /// - Returns: the difference of the two outputs, and what each step computed.
    @discardableResult
    public mutating func step(model: Denoiser, modelB: Denoiser? = nil) -> (difference: StepDifference, a: StepInfo, b: StepInfo) {
        let sa = chainA.step(model: model), sb = chainB.step(model: modelB ?? model)
        let d = StepDifference(t: sa.t, sa.xPrev, sb.xPrev, tolerance: tolerance)
        steps.append(d)
        return (d, sa, sb)
    }

    /// Steps until both chains reach x_0, or until `onStep` returns false.
    /// - Parameter onStep: called after each pair of steps with the difference and both steps.
    public mutating func run(model: Denoiser, modelB: Denoiser? = nil,
                             onStep: (StepDifference, StepInfo, StepInfo) -> Bool = { _, _, _ in true }) {
        while !isFinished {
            let s = step(model: model, modelB: modelB)
            if !onStep(s.difference, s.a, s.b) { return }
        }
    }

    /// max |Δ| of the x each chain holds now (x_0 once finished).
    public var finalMaxAbs: Float { chainA.x.maxAbsDifference(chainB.x) }
    /// RMS Δ of the x each chain holds now.
    public var finalRMS: Float { chainA.x.rmsDifference(chainB.x) }
    /// The largest max |Δ| over all steps so far.
    public var largestMaxAbs: Float { steps.largestMaxAbs }
    /// The first (largest) t whose step left the chains further apart than float rounding.
    public var firstDifferingT: Int? { steps.firstDiffering?.t }
    /// True when no step so far differs beyond float rounding.
    public var identical: Bool { firstDifferingT == nil }

    /// The measured verdict on the steps taken so far (see `verdict(steps:finished:)`).
    public var verdict: String { Self.verdict(steps: steps, finished: isFinished) }

    /// One line for the Compare screen and the CLI, from the per-step differences of a pair of
    /// chains, first step first:
    ///
    ///     identical within float rounding (max |Δ| 0)
    ///     differs from t=612 on; final RMS Δ 0.21, max |Δ| 0.9
    ///     so far (down to t=300): differs from t=612 on; current RMS Δ 0.2, max |Δ| 0.8
    ///
    /// The last step's difference is that of the x the chains hold, so "final" (or "current"
    /// while running) is measured, not estimated. "starting…" before the first step.
    public static func verdict(steps: [StepDifference], finished: Bool) -> String {
        guard let last = steps.last else { return "starting…" }
        let prefix = finished ? "" : "so far (down to t=\(last.t)): "
        if let first = steps.firstDiffering {
            let which = finished ? "final" : "current"
            return prefix + "differs from t=\(first.t) on; \(which) RMS Δ \(FixComparison.format(last.rms)), max |Δ| \(FixComparison.format(last.maxAbs))"
        }
        return prefix + "identical within float rounding (max |Δ| \(FixComparison.format(steps.largestMaxAbs)))"
    }
}

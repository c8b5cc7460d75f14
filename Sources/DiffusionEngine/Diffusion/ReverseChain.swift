/// How a reverse chain steps from noise to an image.
public enum Sampler: Equatable, Codable, Sendable, CustomStringConvertible {
    /// DDPM ancestral sampling (Algorithm 2), every t from T-1 down to 0.
    case ddpm
    /// DDIM with `steps` model calls and stochasticity `eta` (0 = deterministic).
    case ddim(steps: Int, eta: Float)

    public var description: String {
        switch self {
        case .ddpm: return "ddpm"
        case let .ddim(steps, eta): return "ddim(steps=\(steps), eta=\(eta))"
        }
    }

    /// The (t, tPrev) pairs visited, first step first; tPrev = -1 is the end (x_0).
    ///
    /// DDIM spaces its steps as `trunc(linspace(-1, T-1, steps+1))`, reversed, so `steps = T`
    /// visits every t exactly like DDPM and fewer steps skip evenly.
    /// - Throws: `EngineError` when the number of DDIM steps is outside 1...T or eta is negative.
    public func stepPairs(timesteps T: Int) throws -> [(t: Int, tPrev: Int)] {
        switch self {
        case .ddpm:
            return (0..<T).reversed().map { ($0, $0 - 1) }
        case let .ddim(steps, eta):
            guard steps >= 1 && steps <= T else {
                throw EngineError("DDIM: \(steps) steps is outside 1...\(T); pick a step count up to the schedule's T")
            }
            guard eta >= 0, eta.isFinite else { throw EngineError("DDIM: eta \(eta) must be 0 or positive") }
            let times = (0...steps).map { i in Int((-1 + Double(T) * Double(i) / Double(steps)).rounded(.towardZero)) }
            return (0..<steps).reversed().map { (times[$0 + 1], times[$0]) }
        }
    }
}

/// A reverse diffusion chain that advances one step at a time (the step viewer drives it; `sample`
/// runs it to the end; the A/B comparison runs two in lockstep).
///
/// Noise: x_T is the first draw from `rng` (unless a start is given), then every step draws one
/// standard normal tensor of x's shape, whether or not that step uses it. Two chains made with
/// equal generators therefore see identical noise whatever their switches.
public struct ReverseChain: Sendable {
    public let diffusion: GaussianDiffusion
    public let sampler: Sampler
    /// The (t, tPrev) pairs of the whole chain, first step first.
    public let steps: [(t: Int, tPrev: Int)]
    /// The current x: x_T before the first step, x_0 after the last. (N,C,H,W)
    public private(set) var x: Tensor
    /// The generator after the draws made so far.
    public private(set) var rng: RandomGenerator
    /// How many steps have been taken.
    public private(set) var position: Int = 0

    /// - Parameters:
    ///   - diffusion: schedule, objective and switches.
    ///   - sampler: DDPM or DDIM.
    ///   - shape: (N,C,H,W) of the images.
    ///   - rng: the noise source (copied; read the advanced one back from `rng`).
    ///   - start: x_T to start from instead of drawing it, (N,C,H,W).
    /// - Throws: `EngineError` for an unusable sampler setting.
    public init(diffusion: GaussianDiffusion, sampler: Sampler = .ddpm, shape: [Int], rng: RandomGenerator, start: Tensor? = nil) throws {
        precondition(shape.count == 4, "ReverseChain: shape \(shape) must be (N,C,H,W)")
        self.diffusion = diffusion
        self.sampler = sampler
        self.steps = try sampler.stepPairs(timesteps: diffusion.timesteps)
        var g = rng
        if let start {
            precondition(start.shape == shape, "ReverseChain: start \(start.shapeDescription) vs shape \(shape)")
            self.x = start
        } else {
            self.x = g.normalTensor(shape)
        }
        self.rng = g
    }

    /// True when x is the final x_0.
    public var isFinished: Bool { position >= steps.count }

    /// The t of the next step, nil when finished.
    public var nextT: Int? { isFinished ? nil : steps[position].t }

    /// Takes the next step and returns what it computed.
    public mutating func step(model: Denoiser) -> StepInfo {
        precondition(!isFinished, "ReverseChain.step: the chain is already at x_0")
        let (t, tPrev) = steps[position]
        let z = rng.normalTensor(x.shape)
        let info: StepInfo
        switch sampler {
        case .ddpm: info = diffusion.pSample(model: model, x: x, t: t, noise: z)
        case let .ddim(_, eta): info = diffusion.ddimStep(model: model, x: x, t: t, tPrev: tPrev, eta: eta, noise: z)
        }
        x = info.xPrev
        position += 1
        return info
    }
}

extension GaussianDiffusion {
    /// Runs a whole reverse chain from x_T ~ N(0, I) to x_0.
    /// - Parameters:
    ///   - model: the denoiser.
    ///   - shape: (N,C,H,W).
    ///   - rng: the noise source; advanced by the draws made.
    ///   - sampler: DDPM ancestral (default) or DDIM.
    ///   - start: an x_T to start from instead of drawing one.
    ///   - onStep: called after every step; return false to stop early.
    /// - Returns: x_0, or the x reached when `onStep` stopped the chain.
    /// - Throws: `EngineError` for an unusable sampler setting.
    @discardableResult
    public func sample(
        model: Denoiser, shape: [Int], rng: inout RandomGenerator, sampler: Sampler = .ddpm, start: Tensor? = nil,
        onStep: (StepInfo) -> Bool = { _ in true }
    ) throws -> Tensor {
        var chain = try ReverseChain(diffusion: self, sampler: sampler, shape: shape, rng: rng, start: start)
        defer { rng = chain.rng }
        while !chain.isFinished {
            if !onStep(chain.step(model: model)) { break }
        }
        return chain.x
    }

    /// DDIM sampling with `steps` model calls; eta = 0 is deterministic given x_T.
    @discardableResult
    public func ddimSample(
        model: Denoiser, shape: [Int], steps: Int, eta: Float = 0, rng: inout RandomGenerator, start: Tensor? = nil,
        onStep: (StepInfo) -> Bool = { _ in true }
    ) throws -> Tensor {
        try sample(model: model, shape: shape, rng: &rng, sampler: .ddim(steps: steps, eta: eta), start: start, onStep: onStep)
    }
}

import DiffusionEngine

/// One frame of the Denoise viewer: what step k of the chain saw and predicted.
public struct DenoiseFrame: Sendable {
    public var t: Int
    public var tPrev: Int
    /// x_t, the step's input, (1,C,H,W).
    public var x: Tensor
    /// The model's x̂_0 (after clipping when on), (1,C,H,W).
    public var predictedX0: Tensor
    /// The model's ε̂, (1,C,H,W).
    public var predictedNoise: Tensor
    public var sigma: Float
    public var coefficients: [StepCoefficient]
    /// Statistics of x_t and of x̂_0.
    public var stats: TensorStats
    public var predictedStats: TensorStats

    public init(_ info: StepInfo) {
        t = info.t
        tPrev = info.tPrev
        x = info.x
        predictedX0 = info.predictedX0
        predictedNoise = info.predictedNoise
        sigma = info.sigma
        coefficients = info.coefficients
        stats = TensorStats(info.x.data)
        predictedStats = TensorStats(info.predictedX0.data)
    }
}

/// A Denoise chain as far as the worker has computed it: frames 0..<frames.count, and the x the
/// chain holds now (x_0 once every step is done). The history is kept, so stepping back is instant.
public struct DenoiseHistory: Sendable {
    public var settings: ChainSettings
    /// The training step of the weights the chain runs on.
    public var weightsStep: Int
    /// The (t, tPrev) pairs of the whole chain.
    public var steps: [StepPair]
    public var frames: [DenoiseFrame] = []
    /// The chain's x after `frames.count` steps, (1,C,H,W).
    public var current: Tensor
    /// Mean wall time of a step so far.
    public var secondsPerStep: Double = 0
    /// Why the chain could not run (e.g. a damaged checkpoint), shown instead of images.
    public var error: String?

    public var length: Int { steps.count }
    public var isFinished: Bool { frames.count >= steps.count }
}

/// A (t, tPrev) pair of a chain (named, so histories stay `Sendable` value types).
public struct StepPair: Equatable, Sendable {
    public var t: Int
    public var tPrev: Int
    public init(t: Int, tPrev: Int) {
        self.t = t
        self.tPrev = tPrev
    }
}

import DiffusionEngine

/// One frame of the Compare screen: both chains after the same number of steps.
public struct CompareFrame: Sendable {
    /// The t of the step just taken (T for frame 0, x_T).
    public var t: Int
    /// x of chain A and of chain B after this step, (1,C,H,W).
    public var xA: Tensor
    public var xB: Tensor
    /// max |x_A - x_B| and RMS over all values.
    public var maxAbs: Float
    public var rms: Float
    /// The float-rounding threshold at this step (FixComparison's rule: tolerance · max(1, |x|max)).
    public var threshold: Float
    public var differs: Bool { maxAbs > threshold }

    public init(t: Int, xA: Tensor, xB: Tensor, tolerance: Float = FixComparison.defaultTolerance) {
        self.t = t
        self.xA = xA
        self.xB = xB
        maxAbs = xA.maxAbsDifference(xB)
        rms = xA.rmsDifference(xB)
        let scale = Swift.max(1, xA.data.reduce(0) { Swift.max($0, abs($1)) }, xB.data.reduce(0) { Swift.max($0, abs($1)) })
        threshold = tolerance * scale
    }
}

/// Two chains (A and B switch sets, same seed, same noise) as far as the worker has run them.
public struct CompareHistory: Sendable {
    public var settings: ChainSettings
    public var a: FixSet
    public var b: FixSet
    public var weightsStep: Int
    public var length: Int
    /// Frame 0 is x_T (the same for both); frame k is after k steps.
    public var frames: [CompareFrame] = []
    /// The forward-process A/B (FIX 1 acts on q_sample, not on the reverse chain), when A and B
    /// differ in forward coefficients.
    public var forward: ForwardComparison?
    public var error: String?
    /// Model evaluations made so far for both chains (B reuses A's while they are bit-identical).
    public var modelCalls = 0

    public var stepsDone: Int { Swift.max(0, frames.count - 1) }
    public var isFinished: Bool { stepsDone >= length }
    /// Per-step max |Δ| (frames 1...).
    public var maxAbsPerStep: [Float] { frames.dropFirst().map(\.maxAbs) }
    /// The first (largest) t whose step left the chains further apart than float rounding.
    public var firstDifferingT: Int? { frames.dropFirst().first(where: \.differs)?.t }

    /// The measured verdict, worded as the engine's `ChainComparison.verdict` (a test keeps the
    /// two in step): "identical within float rounding (max |Δ| 0)" or
    /// "differs from t=612 on; final RMS Δ 0.21, max |Δ| 0.9". While running, prefixed with how far.
    public var verdict: String {
        guard let last = frames.last, frames.count > 1 else { return "starting…" }
        let prefix = isFinished ? "" : "so far (down to t=\(last.t)): "
        if let t = firstDifferingT {
            let which = isFinished ? "final" : "current"
            return prefix + "differs from t=\(t) on; \(which) RMS Δ \(FixComparison.format(last.rms)), max |Δ| \(FixComparison.format(last.maxAbs))"
        }
        let largest = frames.dropFirst().map(\.maxAbs).max() ?? 0
        return prefix + "identical within float rounding (max |Δ| \(FixComparison.format(largest)))"
    }
}

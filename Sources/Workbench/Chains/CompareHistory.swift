import DiffusionEngine

/// Two chains (A and B switch sets, same seed, same noise) as far as the worker has run them.
public struct CompareHistory: Sendable {
    public var settings: ChainSettings
    public var a: FixSet
    public var b: FixSet
    public var mode = CompareMode.fixSets
    public var weightsStep: Int
    /// The step of B's weights in `.models` mode.
    public var weightsStepB: Int?
    public var length: Int
    /// Frame 0 is x_T (the same for both); frame k is after k steps.
    public var frames: [CompareFrame] = []
    /// The forward-process A/B (FIX 1 acts on q_sample, not on the reverse chain), when A and B
    /// differ in a switch that acts on the forward process.
    public var forward: ForwardComparison?
    public var error: String?
    /// Model evaluations made so far for both chains (on one model, B reuses A's while they are
    /// bit-identical).
    public var modelCalls = 0

    public var stepsDone: Int { Swift.max(0, frames.count - 1) }
    public var isFinished: Bool { stepsDone >= length }
    /// The per-step differences (frames 1...).
    public var steps: [StepDifference] { frames.dropFirst().map(\.difference) }
    /// Per-step max |Δ| (frames 1...).
    public var maxAbsPerStep: [Float] { steps.map(\.maxAbs) }
    /// The first (largest) t whose step left the chains further apart than float rounding.
    public var firstDifferingT: Int? { steps.firstDiffering?.t }

    /// The engine's verdict on the steps so far (`ChainPair.verdict`), the same line the
    /// `compare` command prints: "so far (down to t=…): " while running, "starting…" before.
    public var verdict: String { ChainPair.verdict(steps: steps, finished: isFinished) }
}

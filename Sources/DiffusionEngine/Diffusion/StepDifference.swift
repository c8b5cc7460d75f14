/// How far two chains are apart after one step, and whether that is more than float rounding.
///
/// "Float rounding": a step's outputs count as equal when max |x_A - x_B| ≤ tolerance · scale,
/// scale = max(1, max |x_A|, max |x_B|) for the reverse chain and max(1, max |x_0|, max |ε|) for
/// the forward process, tolerance = `FixComparison.defaultTolerance` (1e-5). Float carries
/// 2^-24 ≈ 6e-8 relative precision; a few dozen operations, and the cancellation in 1 - ᾱ when ᾱ
/// is stored as Float (up to 1.7e-6 on √(1-ᾱ) near t = 0 for the cosine schedule), stay well below
/// 1e-5, while what a real switch changes is orders of magnitude larger. Switches that change no
/// arithmetic (the extraction count, the final step given coef1 = 1 and coef2 = 0 at t = 0) give
/// exactly 0.
public struct StepDifference: Sendable, Equatable {
    /// The step's t (the difference is of its output x_{t-1}; for the forward A/B, of x_t).
    public let t: Int
    /// max |x_A - x_B| over all elements.
    public let maxAbs: Float
    /// √(mean (x_A - x_B)²).
    public let rms: Float
    /// The rounding threshold at this step: `tolerance · scale`.
    public let threshold: Float
    /// True when the chains differ by more than float rounding.
    public var differs: Bool { maxAbs > threshold }

    public init(t: Int, maxAbs: Float, rms: Float, threshold: Float) {
        self.t = t
        self.maxAbs = maxAbs
        self.rms = rms
        self.threshold = threshold
    }

    /// Measures `xA` against `xB` (same shape).
    /// - Parameter scale: what the tolerance is relative to; nil: the reverse-chain rule
    ///   max(1, max |x_A|, max |x_B|).
    public init(t: Int, _ xA: Tensor, _ xB: Tensor, tolerance: Float = FixComparison.defaultTolerance, scale: Float? = nil) {
        self.init(t: t, maxAbs: xA.maxAbsDifference(xB), rms: xA.rmsDifference(xB),
                  threshold: tolerance * (scale ?? max(1, xA.maxAbs, xB.maxAbs)))
    }
}

extension Collection where Element == StepDifference {
    /// The largest max |Δ| over all steps (0 when there are none).
    public var largestMaxAbs: Float { lazy.map(\.maxAbs).max() ?? 0 }
    /// The first step that left the chains further apart than float rounding.
    public var firstDiffering: StepDifference? { first(where: \.differs) }
}

extension Tensor {
    /// max |x| over all elements (0 when empty).
    var maxAbs: Float { data.reduce(0) { max($0, abs($1)) } }
}

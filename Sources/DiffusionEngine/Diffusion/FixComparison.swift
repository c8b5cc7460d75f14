/// How far two chains are apart after one step.
public struct StepDifference: Sendable, Equatable {
    /// The step's t (the difference is of its output x_{t-1}; for the forward A/B, of x_t).
    public let t: Int
    /// max |x_A - x_B| over all elements.
    public let maxAbs: Float
    /// √(mean (x_A - x_B)²).
    public let rms: Float
    /// The rounding threshold at this step: `tolerance · scale` (see `FixComparison`).
    public let threshold: Float
    /// True when the chains differ by more than float rounding.
    public var differs: Bool { maxAbs > threshold }
}

/// The result of running two reverse chains with two fix sets on the same seed and noise.
public struct ChainComparison: Sendable {
    public let a: FixSet
    public let b: FixSet
    /// One entry per step taken, first step (largest t) first.
    public var steps: [StepDifference]
    /// The x each chain reached (x_0 when `completed`), (N,C,H,W).
    public var finalA: Tensor
    public var finalB: Tensor
    /// True when both chains ran to x_0.
    public var completed: Bool

    /// max |Δ| of the final images.
    public var finalMaxAbs: Float { finalA.maxAbsDifference(finalB) }
    /// RMS Δ of the final images.
    public var finalRMS: Float { finalA.rmsDifference(finalB) }
    /// The largest max |Δ| over all steps.
    public var largestMaxAbs: Float { steps.map(\.maxAbs).max() ?? 0 }
    /// The first (largest) t whose step left the chains further apart than float rounding.
    public var firstDifferingT: Int? { steps.first(where: \.differs)?.t }
    /// True when no step differs beyond float rounding.
    public var identical: Bool { firstDifferingT == nil }

    /// One line for the Compare screen and the CLI, e.g.
    /// "identical within float rounding (max |Δ| 0)" or "differs from t=612 on; final RMS Δ 0.21".
    public var verdict: String {
        let prefix = completed ? "" : "stopped early at t=\(steps.last?.t ?? -1): "
        if let t = firstDifferingT {
            return prefix + "differs from t=\(t) on; final RMS Δ \(FixComparison.format(finalRMS)), max |Δ| \(FixComparison.format(finalMaxAbs))"
        }
        return prefix + "identical within float rounding (max |Δ| \(FixComparison.format(largestMaxAbs)))"
    }
}

/// A/B runs of the fix switches: the same model, seed and noise, two `FixSet`s, and a measured
/// verdict on what the switch changes.
///
/// "Float rounding": a step's outputs count as equal when max |x_A - x_B| ≤ tolerance · scale,
/// scale = max(1, max |x_A|, max |x_B|) for the reverse chain and max(1, max |x_0|, max |ε|) for
/// the forward process, tolerance = 1e-5 by default. Float carries 2^-24 ≈ 6e-8 relative
/// precision; a few dozen operations, and the cancellation in 1 - ᾱ when ᾱ is stored as Float
/// (up to 1.7e-6 on √(1-ᾱ) near t = 0 for the cosine schedule), stay well below 1e-5, while what a
/// real switch changes is orders of magnitude larger. Switches that change no arithmetic (the
/// extraction count, the final step given coef1 = 1 and coef2 = 0 at t = 0) give exactly 0.
public enum FixComparison {
    /// The default relative rounding tolerance.
    public static let defaultTolerance: Float = 1e-5

    /// Runs two reverse chains in lockstep from one seed: both start from the same x_T and draw
    /// the same per-step noise.
    /// - Parameters:
    ///   - model: the denoiser both chains use.
    ///   - diffusion: schedule and objective; its `fixes` is replaced by `a` and `b`.
    ///   - a, b: the two fix sets.
    ///   - shape: (N,C,H,W).
    ///   - rng: the shared noise source (each chain gets a copy).
    ///   - sampler: DDPM (default) or DDIM.
    ///   - tolerance: the relative rounding tolerance.
    ///   - onStep: called after each pair of steps with the difference and both steps; return false to stop.
    /// - Throws: `EngineError` for an unusable sampler setting.
    public static func reverse(
        model: Denoiser, diffusion: GaussianDiffusion, a: FixSet, b: FixSet, shape: [Int], rng: RandomGenerator,
        sampler: Sampler = .ddpm, tolerance: Float = defaultTolerance,
        onStep: (StepDifference, StepInfo, StepInfo) -> Bool = { _, _, _ in true }
    ) throws -> ChainComparison {
        var da = diffusion, db = diffusion
        da.fixes = a
        db.fixes = b
        var ca = try ReverseChain(diffusion: da, sampler: sampler, shape: shape, rng: rng)
        var cb = try ReverseChain(diffusion: db, sampler: sampler, shape: shape, rng: rng)
        var steps: [StepDifference] = []
        var completed = true
        while !ca.isFinished {
            let sa = ca.step(model: model), sb = cb.step(model: model)
            let scale = max(1, maxAbs(sa.xPrev), maxAbs(sb.xPrev))
            let d = StepDifference(
                t: sa.t, maxAbs: sa.xPrev.maxAbsDifference(sb.xPrev), rms: sa.xPrev.rmsDifference(sb.xPrev),
                threshold: tolerance * scale)
            steps.append(d)
            if !onStep(d, sa, sb) {
                completed = ca.isFinished
                break
            }
        }
        return ChainComparison(a: a, b: b, steps: steps, finalA: ca.x, finalB: cb.x, completed: completed)
    }

    /// Runs `qSample` under two forward-coefficient switches (FIX 1) on the same x_0 and noise at
    /// each of `timesteps` (default: every t).
    /// - Parameters:
    ///   - diffusion: the schedule (its `fixes` is replaced by `a` and `b`).
    ///   - x0: (N,C,H,W) images in [-1, 1].
    ///   - rng: the noise source; one ε of x0's shape is drawn and used at every t.
    public static func forward(
        diffusion: GaussianDiffusion, x0: Tensor, a: FixSet, b: FixSet, rng: RandomGenerator,
        timesteps: [Int]? = nil, tolerance: Float = defaultTolerance
    ) -> ForwardComparison {
        var da = diffusion, db = diffusion
        da.fixes = a
        db.fixes = b
        var g = rng
        let noise = g.normalTensor(x0.shape)
        let n = x0.nchw("FixComparison.forward").n
        let scale = max(1, maxAbs(x0), maxAbs(noise))
        var rows: [ForwardComparison.Row] = []
        for t in timesteps ?? Array(0..<diffusion.timesteps) {
            let tb = [Int](repeating: t, count: n)
            let xa = da.qSample(x0, t: tb, noise: noise), xb = db.qSample(x0, t: tb, noise: noise)
            let (sa, na) = da.forwardCoefficients(t), (sb, nb) = db.forwardCoefficients(t)
            rows.append(ForwardComparison.Row(
                difference: StepDifference(
                    t: t, maxAbs: xa.maxAbsDifference(xb), rms: xa.rmsDifference(xb), threshold: tolerance * scale),
                signalA: sa, signalB: sb, noiseA: na, noiseB: nb))
        }
        return ForwardComparison(a: a.forwardCoefficients, b: b.forwardCoefficients, rows: rows)
    }

    static func maxAbs(_ x: Tensor) -> Float { x.data.reduce(0) { max($0, abs($1)) } }

    /// A short number for verdicts with `digits` significant digits: "0", "0.21", "12", "6.3e-8".
    public static func format(_ x: Float, digits: Int = 2) -> String {
        if x == 0 { return "0" }
        if !x.isFinite { return "\(x)" }
        let v = Double(abs(x)), sign = x < 0 ? "-" : ""
        let d = max(1, digits)
        var e = v.log10Floor
        if v >= 1e-3 && v < 1e5 {
            let decimals = max(0, d - 1 - e)
            return sign + decimalString(Int((v * pow10(decimals)).rounded()), decimals: decimals)
        }
        var mi = Int((v / pow10(e) * pow10(d - 1)).rounded())
        if mi >= Int(pow10(d)) { mi = Int((Double(mi) / 10).rounded()); e += 1 }
        return sign + decimalString(mi, decimals: d - 1) + "e\(e)"
    }

    /// `r / 10^decimals` written out, trailing zeros (and a bare point) dropped.
    static func decimalString(_ r: Int, decimals: Int) -> String {
        if decimals == 0 { return String(r) }
        var digits = String(r)
        while digits.count <= decimals { digits = "0" + digits }
        var s = String(digits.dropLast(decimals)) + "." + String(digits.suffix(decimals))
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }

    static func pow10(_ e: Int) -> Double {
        var p = 1.0
        for _ in 0..<abs(e) { p *= 10 }
        return e < 0 ? 1 / p : p
    }
}

/// The forward-process A/B of FIX 1: qSample under two forward-coefficient choices.
public struct ForwardComparison: Sendable {
    /// One timestep's coefficients and difference.
    public struct Row: Sendable, Equatable {
        public let difference: StepDifference
        /// The signal coefficient (√ᾱ_t or what the switch makes of it) under A and B.
        public let signalA: Float
        public let signalB: Float
        /// The noise coefficient (√(1-ᾱ_t) or what the switch makes of it) under A and B.
        public let noiseA: Float
        public let noiseB: Float
    }

    public let a: FixSet.ForwardCoefficients
    public let b: FixSet.ForwardCoefficients
    /// One row per timestep compared, in the order given.
    public let rows: [Row]

    /// The timesteps where x_t differs beyond float rounding.
    public var differingTimesteps: [Int] { rows.filter(\.difference.differs).map(\.difference.t) }
    /// The largest coefficient difference (signal or noise) over all rows.
    public var largestCoefficientDelta: Float {
        rows.map { max(abs($0.signalA - $0.signalB), abs($0.noiseA - $0.noiseB)) }.max() ?? 0
    }

    /// e.g. "identical within float rounding (max |Δ| 3.6e-6)" or
    /// "differs at 1000 of 1000 timesteps (from t=0); at t=999 signal 0.00635 vs 0.0797, ..."
    public var verdict: String {
        let f = { FixComparison.format($0, digits: 3) }
        let largest = rows.map(\.difference.maxAbs).max() ?? 0
        let differing = differingTimesteps
        guard !differing.isEmpty, let last = rows.last else {
            return "identical within float rounding (max |Δ| \(f(largest)), max |Δ coefficient| \(f(largestCoefficientDelta)))"
        }
        return "differs at \(differing.count) of \(rows.count) timesteps (from t=\(differing.min()!)); "
            + "at t=\(last.difference.t) signal \(f(last.signalA)) vs \(f(last.signalB)), "
            + "noise \(f(last.noiseA)) vs \(f(last.noiseB)); max |Δ| \(f(largest))"
    }
}

extension Double {
    /// ⌊log10(self)⌋ for positive finite values, without Foundation.
    fileprivate var log10Floor: Int {
        var e = 0, v = self
        while v >= 10 { v /= 10; e += 1 }
        while v < 1 { v *= 10; e -= 1 }
        return e
    }
}

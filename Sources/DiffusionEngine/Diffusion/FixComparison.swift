/// A/B runs of the fix switches: the same seed and noise, two `FixSet`s, and a measured verdict
/// on what the switch changes. The reverse process is compared by `ChainPair`; this holds the
/// forward-process A/B (FIX 1 acts on q_sample, which no sampling chain runs), the rounding
/// tolerance both use (see `StepDifference`) and the short numbers their verdicts print.
public enum FixComparison {
    /// The default relative rounding tolerance.
    public static let defaultTolerance: Float = 1e-5

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
        let scale = max(1, x0.maxAbs, noise.maxAbs)
        var rows: [ForwardComparison.Row] = []
        for t in timesteps ?? Array(0..<diffusion.timesteps) {
            let tb = [Int](repeating: t, count: n)
            let xa = da.qSample(x0, t: tb, noise: noise), xb = db.qSample(x0, t: tb, noise: noise)
            let (sa, na) = da.forwardCoefficients(t), (sb, nb) = db.forwardCoefficients(t)
            rows.append(ForwardComparison.Row(
                difference: StepDifference(t: t, xa, xb, tolerance: tolerance, scale: scale),
                signalA: sa, signalB: sb, noiseA: na, noiseB: nb))
        }
        return ForwardComparison(a: a.forwardCoefficients, b: b.forwardCoefficients, rows: rows)
    }

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

extension Double {
    /// ⌊log10(self)⌋ for positive finite values, without Foundation.
    fileprivate var log10Floor: Int {
        var e = 0, v = self
        while v >= 10 { v /= 10; e += 1 }
        while v < 1 { v *= 10; e -= 1 }
        return e
    }
}

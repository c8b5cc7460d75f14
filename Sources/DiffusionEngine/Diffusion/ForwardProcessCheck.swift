/// Checklist TEST 1, measured: does `qSample` produce the noise level √(1-ᾱ_t) and the signal
/// scale √ᾱ_t it should?
///
/// Treats `qSample` as a black box. At each t it draws x_0 ~ U(-1, 1) and ε ~ N(0, 1) for
/// `samples` scalars (shape (samples,1,1,1)), computes x_t, and estimates
///
///     signal   = Σ x_t·x_0 / Σ x_0²          (least-squares slope of x_t on x_0; ε is independent of x_0)
///     noiseStd = √(mean (x_t - signal·x_0)²)  (the spread left after removing the signal)
///
/// and compares them with √ᾱ_t and √(1-ᾱ_t) computed in Double from the schedule. The standard
/// errors are σ/√(2n) for the std and σ/√(Σx_0²) for the slope (σ = the expected noise std), so a
/// correct forward process lands within a few standard errors and the 4th-root mistake lands
/// hundreds away.
public struct ForwardProcessCheck: Sendable {
    /// One timestep's measurement.
    public struct Row: Sendable, Equatable {
        public let t: Int
        public let measuredSignal: Double
        public let expectedSignal: Double
        public let signalStandardError: Double
        public let measuredNoiseStd: Double
        public let expectedNoiseStd: Double
        public let noiseStandardError: Double

        /// |measured - expected| in standard errors, for the signal and the noise.
        public var signalZ: Double { abs(measuredSignal - expectedSignal) / signalStandardError }
        public var noiseZ: Double { abs(measuredNoiseStd - expectedNoiseStd) / noiseStandardError }
        /// True when both are within `z` standard errors (4 by default).
        public func passes(within z: Double = 4) -> Bool { signalZ <= z && noiseZ <= z }
    }

    public let rows: [Row]
    /// True when every row passes within 4 standard errors.
    public var passes: Bool { rows.allSatisfy { $0.passes() } }

    /// Measures `diffusion.qSample` (with its forward-coefficient switch) at each of `timesteps`.
    /// - Parameters:
    ///   - samples: scalars drawn per timestep (the standard errors shrink as 1/√samples).
    ///   - rng: the source of x_0 and ε; advanced.
    public init(diffusion: GaussianDiffusion, timesteps: [Int], samples: Int = 20_000, rng: inout RandomGenerator) {
        precondition(samples >= 2, "ForwardProcessCheck: samples \(samples) must be at least 2")
        var rows: [Row] = []
        for t in timesteps {
            let x0 = rng.uniformTensor([samples, 1, 1, 1], lo: -1, hi: 1)
            let eps = rng.normalTensor([samples, 1, 1, 1])
            let xt = diffusion.qSample(x0, t: [Int](repeating: t, count: samples), noise: eps)
            var sxy = 0.0, sxx = 0.0
            for i in 0..<samples {
                sxy += Double(xt.data[i]) * Double(x0.data[i])
                sxx += Double(x0.data[i]) * Double(x0.data[i])
            }
            let slope = sxy / sxx
            var rss = 0.0
            for i in 0..<samples {
                let r = Double(xt.data[i]) - slope * Double(x0.data[i])
                rss += r * r
            }
            let ac = Double(diffusion.schedule.alphasCumprod[t])
            let expNoise = (1 - ac).squareRoot()
            rows.append(Row(
                t: t, measuredSignal: slope, expectedSignal: ac.squareRoot(),
                signalStandardError: expNoise / sxx.squareRoot(),
                measuredNoiseStd: (rss / Double(samples)).squareRoot(), expectedNoiseStd: expNoise,
                noiseStandardError: expNoise / (2 * Double(samples)).squareRoot()))
        }
        self.rows = rows
    }
}

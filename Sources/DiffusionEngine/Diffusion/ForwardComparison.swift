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
        let largest = rows.map(\.difference).largestMaxAbs
        let differing = differingTimesteps
        guard !differing.isEmpty, let last = rows.last else {
            return "identical within float rounding (max |Δ| \(f(largest)), max |Δ coefficient| \(f(largestCoefficientDelta)))"
        }
        return "differs at \(differing.count) of \(rows.count) timesteps (from t=\(differing.min()!)); "
            + "at t=\(last.difference.t) signal \(f(last.signalA)) vs \(f(last.signalB)), "
            + "noise \(f(last.noiseA)) vs \(f(last.noiseB)); max |Δ| \(f(largest))"
    }
}

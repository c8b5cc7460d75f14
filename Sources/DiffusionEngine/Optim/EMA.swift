/// Exponential moving average of the weights: `ema = decay * ema + (1 - decay) * w`, applied every
/// `updateEvery` optimizer steps (the course updates every 10 steps with decay 0.995), and copied
/// from the weights for the first `startStep` steps.
public struct EMA: Sendable, Equatable {
    public var decay: Float
    public var updateEvery: Int
    public var startStep: Int
    /// The averaged weights, the arena's layout.
    public var values: [Float]

    public init(_ store: ParameterStore, decay: Float = 0.995, updateEvery: Int = 10, startStep: Int = 0) {
        self.decay = decay
        self.updateEvery = max(1, updateEvery)
        self.startStep = startStep
        self.values = store.values
    }

    /// Called after optimizer step `step` (1-based).
    public mutating func update(_ store: ParameterStore, step: Int) {
        precondition(values.count == store.count, "EMA: holds \(values.count) values, store has \(store.count)")
        guard step % updateEvery == 0 else { return }
        if step <= startStep {
            values = store.values
            return
        }
        let d = decay
        values.withUnsafeMutableBufferPointer { e in
            store.values.withUnsafeBufferPointer { w in
                for i in 0..<e.count { e[i] = d * e[i] + (1 - d) * w[i] }
            }
        }
    }
}

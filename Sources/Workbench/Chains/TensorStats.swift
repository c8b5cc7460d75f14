import DiffusionEngine

/// Mean, standard deviation, min and max of a tensor's values (the Denoise screen's x_t line).
public struct TensorStats: Equatable, Sendable {
    public var mean: Float
    public var std: Float
    public var min: Float
    public var max: Float

    public init(_ values: [Float]) {
        guard !values.isEmpty else { self.init(mean: 0, std: 0, min: 0, max: 0); return }
        var sum = 0.0, sq = 0.0
        var lo = Float.infinity, hi = -Float.infinity
        for v in values {
            sum += Double(v)
            sq += Double(v) * Double(v)
            lo = Swift.min(lo, v)
            hi = Swift.max(hi, v)
        }
        let n = Double(values.count)
        let m = sum / n
        self.init(mean: Float(m), std: Float((Swift.max(0, sq / n - m * m)).squareRoot()), min: lo, max: hi)
    }

    public init(mean: Float, std: Float, min: Float, max: Float) {
        self.mean = mean
        self.std = std
        self.min = min
        self.max = max
    }
}

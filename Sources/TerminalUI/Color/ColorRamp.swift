/// A piecewise-linear colour ramp: evenly spaced stops, `color(at: 0)` is the first stop and
/// `color(at: 1)` the last. Used for heat rows, heat maps and graph gradients.
public struct ColorRamp: Hashable, Sendable {
    public var stops: [RGB]

    /// - Parameter stops: at least one colour; an empty list gives a black ramp.
    public init(_ stops: [RGB]) {
        self.stops = stops.isEmpty ? [.black] : stops
    }

    /// The colour at `t` in [0, 1] (clamped; NaN gives the first stop).
    public func color(at t: Float) -> RGB {
        if stops.count == 1 || t.isNaN { return stops[0] }
        let u = min(max(t, 0), 1) * Float(stops.count - 1)
        let i = min(Int(u), stops.count - 2)
        return stops[i].mixed(with: stops[i + 1], u - Float(i))
    }

    /// The colour of `value` placed in [lower, upper]; a degenerate range maps everything to 0.
    public func color(of value: Float, lower: Float, upper: Float) -> RGB {
        guard upper > lower else { return color(at: 0) }
        return color(at: (value - lower) / (upper - lower))
    }
}

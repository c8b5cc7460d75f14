/// One cell per value, coloured along a ramp: a compact strip such as the loss per timestep
/// bucket. Values past the width are not shown; NaN cells are left at the background.
public struct HeatRow: Widget, Hashable, Sendable {
    public var values: [Double]
    /// The value range mapped onto the ramp; nil uses the min and max of the finite values.
    public var range: ClosedRange<Double>?
    /// nil uses the theme's graph ramp.
    public var ramp: ColorRamp?

    public init(_ values: [Double], range: ClosedRange<Double>? = nil, ramp: ColorRamp? = nil) {
        self.values = values
        self.range = range
        self.ramp = ramp
    }

    /// The colour of each value (nil for non-finite ones).
    public func colors(theme: Theme) -> [RGB?] {
        let finite = values.filter(\.isFinite)
        let lo = range?.lowerBound ?? finite.min() ?? 0
        let hi = range?.upperBound ?? finite.max() ?? 1
        let ramp = self.ramp ?? theme.graphRamp
        return values.map { v in
            v.isFinite ? ramp.color(of: Float(v), lower: Float(lo), upper: Float(hi)) : nil
        }
    }

    /// Fills the first row of `area`: a space per value with the value's colour as background.
    public func render(into grid: inout Grid, area: Rect, theme: Theme) {
        guard !area.isEmpty else { return }
        grid.fill(area.top(1), with: theme.blank)
        for (i, color) in colors(theme: theme).prefix(area.width).enumerated() {
            if let color { grid.set(x: area.x + i, y: area.y, " ", bg: color) }
        }
    }
}

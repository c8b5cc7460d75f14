import Foundation

/// Line plot of one or more series in braille dots (2 x 4 per cell), with y labels on the left,
/// optional x labels below, an optional log y axis and a vertical cursor.
///
/// x positions are the value indices 0..<xCount, spread over the full dot width; y covers the
/// finite values of all series (or `yRange`). NaN, infinite and (in log mode) non-positive
/// values break a line instead of drawing it.
public struct LinePlot: Widget, Hashable, Sendable {
    public struct Series: Hashable, Sendable {
        public var values: [Double]
        /// nil: `series_a` for the first series, `series_b` for the second, then `loss`.
        public var color: RGB?
        public init(_ values: [Double], color: RGB? = nil) {
            self.values = values
            self.color = color
        }
    }

    public var series: [Series]
    public var logY: Bool
    public var yRange: ClosedRange<Double>?
    /// Number of x positions; nil uses the longest series.
    public var xCount: Int?
    /// The x index of the vertical cursor line, drawn in the theme's `cursor` colour.
    public var cursorX: Int?
    /// Draw the y min/max labels in a left gutter (when the area is wide enough).
    public var showsYLabels: Bool
    /// Labels under the left and right ends of the x axis; nil draws no x label row.
    public var xLabels: (left: String, right: String)?

    public init(_ series: [Series], logY: Bool = false, yRange: ClosedRange<Double>? = nil,
                xCount: Int? = nil, cursorX: Int? = nil, showsYLabels: Bool = true,
                xLabels: (left: String, right: String)? = nil) {
        self.series = series
        self.logY = logY
        self.yRange = yRange
        self.xCount = xCount
        self.cursorX = cursorX
        self.showsYLabels = showsYLabels
        self.xLabels = xLabels
    }

    public static func == (a: LinePlot, b: LinePlot) -> Bool {
        a.series == b.series && a.logY == b.logY && a.yRange == b.yRange && a.xCount == b.xCount
            && a.cursorX == b.cursorX && a.showsYLabels == b.showsYLabels
            && a.xLabels?.left == b.xLabels?.left && a.xLabels?.right == b.xLabels?.right
    }

    public func hash(into h: inout Hasher) {
        h.combine(series)
        h.combine(logY)
        h.combine(cursorX)
    }

    /// The y range actually plotted, in value units (nil when there is nothing finite to plot).
    public func resolvedYRange() -> ClosedRange<Double>? {
        if let yRange { return yRange }
        let all = series.flatMap(\.values).filter { $0.isFinite && (!logY || $0 > 0) }
        guard let lo = all.min(), let hi = all.max() else { return nil }
        return lo...hi
    }

    public func render(into grid: inout Grid, area: Rect, theme: Theme) {
        guard !area.isEmpty else { return }
        grid.fill(area, with: theme.blank)
        guard let range = resolvedYRange() else { return }

        var plot = area
        if xLabels != nil, plot.height >= 2 { plot = plot.inset(bottom: 1) }
        let top = LinePlot.format(range.upperBound), bottom = LinePlot.format(range.lowerBound)
        let gutter = max(top.count, bottom.count) + 1
        if showsYLabels, plot.width >= gutter + 2 {
            grid.write(top, x: plot.x, y: plot.y, style: theme.inactive)
            if plot.height > 1 { grid.write(bottom, x: plot.x, y: plot.maxY - 1, style: theme.inactive) }
            plot = plot.inset(left: gutter)
        }
        if let xLabels, area.height >= 2 {
            let y = area.maxY - 1
            grid.write(xLabels.left, x: plot.x, y: y, style: theme.inactive, maxWidth: plot.width)
            let right = String(xLabels.right.prefix(max(0, plot.width - xLabels.left.count - 1)))
            grid.write(right, x: plot.maxX - right.count, y: y, style: theme.inactive)
        }
        guard !plot.isEmpty else { return }

        var canvas = BrailleCanvas(width: plot.width, height: plot.height)
        let n = xCount ?? (series.map(\.values.count).max() ?? 0)
        let lo = logY ? log10(range.lowerBound) : range.lowerBound
        let hi = logY ? log10(range.upperBound) : range.upperBound
        func dotX(_ i: Int) -> Int {
            n <= 1 ? 0 : Int((Double(i) * Double(canvas.dotWidth - 1) / Double(n - 1)).rounded())
        }
        func dotY(_ v: Double) -> Int? {
            guard v.isFinite, !logY || v > 0 else { return nil }
            let t = logY ? log10(v) : v
            let u = hi > lo ? min(max((t - lo) / (hi - lo), 0), 1) : 0.5
            return Int(((1 - u) * Double(canvas.dotHeight - 1)).rounded())
        }
        let defaults = [theme.seriesA, theme.seriesB, theme.loss]
        for (s, line) in series.enumerated() {
            let color = line.color ?? defaults[min(s, defaults.count - 1)]
            var previous: (x: Int, y: Int)?
            for (i, v) in line.values.prefix(max(n, 0)).enumerated() {
                guard let y = dotY(v) else { previous = nil; continue }
                let point = (x: dotX(i), y: y)
                if let previous { canvas.line(from: previous, to: point, color: color) } else { canvas.set(x: point.x, y: point.y, color: color) }
                previous = point
            }
        }
        if let cursorX, cursorX >= 0, cursorX < max(n, 1) {
            let x = dotX(cursorX)
            for y in 0..<canvas.dotHeight { canvas.set(x: x, y: y, color: theme.cursor) }
        }
        canvas.render(into: &grid, x: plot.x, y: plot.y, bg: theme.mainBg)
    }

    /// A short label for an axis value: up to 3 significant digits, exponent form outside
    /// [0.001, 10000) (`0.0123`, `2.5`, `1.2e-4`, `3e5`).
    public static func format(_ v: Double) -> String {
        if v == 0 { return "0" }
        if !v.isFinite { return "\(v)" }
        let a = abs(v)
        if a >= 0.001 && a < 10000 {
            var s = String(format: "%.3g", v)
            if s.contains("e") { s = String(format: "%.0f", v) }
            return s
        }
        let s = String(format: "%.1e", v)  // "1.2e-04"
        guard let e = s.firstIndex(of: "e") else { return s }
        var mantissa = String(s[..<e])
        if mantissa.hasSuffix(".0") { mantissa.removeLast(2) }
        let exponent = Int(s[s.index(after: e)...]) ?? 0
        return "\(mantissa)e\(exponent)"
    }
}

import Foundation

/// Line plot of one or more series in braille dots (2 x 4 per cell), with y labels on the left,
/// optional x labels below, an optional log y axis, a vertical cursor, and bands (a vertical run
/// of dots from a lower to an upper value at each x, drawn under the lines: a min-max range).
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

    /// A range per x position, drawn as a vertical run of dots from `lower` to `upper`.
    public struct Band: Hashable, Sendable {
        public var lower: [Double]
        public var upper: [Double]
        public var color: RGB
        public init(lower: [Double], upper: [Double], color: RGB) {
            self.lower = lower
            self.upper = upper
            self.color = color
        }
    }

    public var series: [Series]
    /// Drawn before the series, so a line crossing a band's cell takes the cell's colour.
    public var bands: [Band]
    public var logY: Bool
    public var yRange: ClosedRange<Double>?
    /// Number of x positions; nil uses the longest series or band.
    public var xCount: Int?
    /// The x index of the vertical cursor line, drawn in the theme's `cursor` colour.
    public var cursorX: Int?
    /// Draw the y min/max labels in a left gutter (when the area is wide enough).
    public var showsYLabels: Bool
    /// Labels under the left and right ends of the x axis; nil draws no x label row.
    public var xLabels: (left: String, right: String)?

    public init(_ series: [Series], logY: Bool = false, yRange: ClosedRange<Double>? = nil,
                xCount: Int? = nil, cursorX: Int? = nil, showsYLabels: Bool = true,
                xLabels: (left: String, right: String)? = nil, bands: [Band] = []) {
        self.series = series
        self.bands = bands
        self.logY = logY
        self.yRange = yRange
        self.xCount = xCount
        self.cursorX = cursorX
        self.showsYLabels = showsYLabels
        self.xLabels = xLabels
    }

    public static func == (a: LinePlot, b: LinePlot) -> Bool {
        a.series == b.series && a.bands == b.bands && a.logY == b.logY && a.yRange == b.yRange && a.xCount == b.xCount
            && a.cursorX == b.cursorX && a.showsYLabels == b.showsYLabels
            && a.xLabels?.left == b.xLabels?.left && a.xLabels?.right == b.xLabels?.right
    }

    public func hash(into h: inout Hasher) {
        h.combine(series)
        h.combine(bands)
        h.combine(logY)
        h.combine(cursorX)
    }

    /// The y range actually plotted, in value units (nil when there is nothing finite to plot).
    public func resolvedYRange() -> ClosedRange<Double>? {
        if let yRange { return yRange }
        let all = (series.flatMap(\.values) + bands.flatMap { $0.lower + $0.upper }).filter { $0.isFinite && (!logY || $0 > 0) }
        guard let lo = all.min(), let hi = all.max() else { return nil }
        return lo...hi
    }

    public func render(into grid: inout Grid, area: Rect, theme: Theme) {
        guard !area.isEmpty else { return }
        grid.fill(area, with: theme.blank)
        guard let range = resolvedYRange() else { return }

        let plot = plotArea(in: area)
        if showsYLabels, plot.x > area.x {
            grid.write(LinePlot.format(range.upperBound), x: area.x, y: plot.y, style: theme.inactive)
            if plot.height > 1 { grid.write(LinePlot.format(range.lowerBound), x: area.x, y: plot.maxY - 1, style: theme.inactive) }
        }
        if let xLabels, area.height >= 2 {
            let y = area.maxY - 1
            grid.write(xLabels.left, x: plot.x, y: y, style: theme.inactive, maxWidth: plot.width)
            let right = String(xLabels.right.prefix(max(0, plot.width - xLabels.left.count - 1)))
            grid.write(right, x: plot.maxX - right.count, y: y, style: theme.inactive)
        }
        guard !plot.isEmpty else { return }

        var canvas = BrailleCanvas(width: plot.width, height: plot.height)
        let n = xCount ?? ((series.map(\.values.count) + bands.map(\.lower.count)).max() ?? 0)
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
        for band in bands {
            for i in 0..<min(band.lower.count, band.upper.count, max(n, 0)) {
                guard let top = dotY(band.upper[i]), let bottom = dotY(band.lower[i]) else { continue }
                canvas.line(from: (dotX(i), top), to: (dotX(i), bottom), color: band.color)
            }
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

    /// Where the dots go inside `area`: without the y-label gutter (when labels are shown and
    /// fit) and the x-label row. A caller sizing its data to the dot width (2 per cell) asks here.
    public func plotArea(in area: Rect) -> Rect {
        var plot = area
        if xLabels != nil, plot.height >= 2 { plot = plot.inset(bottom: 1) }
        guard showsYLabels, let range = resolvedYRange() else { return plot }
        let gutter = max(LinePlot.format(range.upperBound).count, LinePlot.format(range.lowerBound).count) + 1
        return plot.width >= gutter + 2 ? plot.inset(left: gutter) : plot
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

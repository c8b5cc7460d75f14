import Foundation

/// A bar per value, `▁▂▃▄▅▆▇█`, newest at the right once the area is full.
///
/// Shows the last `area.width` values, one column each, starting at the left edge (so a short
/// history grows left to right and a long one scrolls). With a height of h rows a column has
/// 8h levels: full blocks below, an eighth block on top. The lowest value still shows `▁`;
/// NaN, infinities, and values ≤ 0 on a log scale leave their column empty.
/// Colours: `color` when set, else the theme's graph ramp by the height of each cell's top.
public struct Sparkline: Widget, Hashable, Sendable {
    public var values: [Double]
    /// log10 of the values before scaling (for losses spanning decades).
    public var logScale: Bool
    /// Fixed value range (in value units, before the log); nil scales to the shown values.
    public var range: ClosedRange<Double>?
    public var color: RGB?

    public init(_ values: [Double], logScale: Bool = false, range: ClosedRange<Double>? = nil, color: RGB? = nil) {
        self.values = values
        self.logScale = logScale
        self.range = range
        self.color = color
    }

    /// The bar heights in eighths (0 = empty column) for `width` columns of `height` rows.
    public func levels(width: Int, height: Int) -> [Int] {
        guard width > 0, height > 0 else { return [] }
        let shown = values.suffix(width)
        let transformed: [Double?] = shown.map { v in
            guard v.isFinite else { return nil }
            if logScale { return v > 0 ? log10(v) : nil }
            return v
        }
        let finite = transformed.compactMap { $0 }
        guard !finite.isEmpty else { return transformed.map { _ in 0 } }
        var lo = finite.min()!, hi = finite.max()!
        if let range {
            lo = logScale ? (range.lowerBound > 0 ? log10(range.lowerBound) : lo) : range.lowerBound
            hi = logScale ? (range.upperBound > 0 ? log10(range.upperBound) : hi) : range.upperBound
        }
        let total = 8 * height
        return transformed.map { t -> Int in
            guard let t else { return 0 }
            guard hi > lo else { return 1 }
            let u = min(max((t - lo) / (hi - lo), 0), 1)
            return 1 + Int((u * Double(total - 1)).rounded())
        }
    }

    public func render(into grid: inout Grid, area: Rect, theme: Theme) {
        guard !area.isEmpty else { return }
        grid.fill(area, with: theme.blank)
        let levels = levels(width: area.width, height: area.height)
        let total = Float(8 * area.height)
        let ramp = theme.graphRamp
        for (i, level) in levels.enumerated() where level > 0 {
            let x = area.x + i
            for r in 0..<area.height {  // r = 0 is the bottom row
                let fill = min(max(level - 8 * r, 0), 8)
                if fill == 0 { break }
                let top = Float(min(level, 8 * (r + 1)))
                let fg = color ?? ramp.color(at: top / total)
                grid.set(x: x, y: area.maxY - 1 - r, grid.glyphs.verticalEighths(fill), fg: fg, bg: theme.mainBg)
            }
        }
    }
}

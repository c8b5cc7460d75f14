import Foundation

/// A (rows, columns) table of values as coloured cells: value column c is cell column c, and the
/// rows are stacked top to bottom in half-block pixels (2 per cell row), each row
/// `pixelsPerRow(height:)` pixels tall; rows that do not fit in the area's pixels are not drawn.
///
/// Colours follow a ramp over `range` (nil: the finite min and max), on a log scale when `logScale`
/// (non-positive values are then left out). NaN cells show the background. In ASCII a cell is a
/// blank on the mean colour of its two pixels.
public struct HeatMap: Widget, Hashable, Sendable {
    /// (rows, columns), row-major.
    public var values: [Double]
    public var rows: Int
    public var columns: Int
    public var range: ClosedRange<Double>?
    public var logScale: Bool
    /// nil uses the theme's graph ramp.
    public var ramp: ColorRamp?

    public init(_ values: [Double], rows: Int, columns: Int, range: ClosedRange<Double>? = nil,
                logScale: Bool = false, ramp: ColorRamp? = nil) {
        precondition(rows >= 0 && columns >= 0 && values.count == rows * columns,
                     "HeatMap: \(values.count) values do not make (rows, columns) = (\(rows), \(columns))")
        self.values = values
        self.rows = rows
        self.columns = columns
        self.range = range
        self.logScale = logScale
        self.ramp = ramp
    }

    /// Pixels (half cells) each row gets in an area `height` cells high: at least 1.
    public func pixelsPerRow(height: Int) -> Int { max(1, 2 * max(0, height) / max(rows, 1)) }

    /// The colour of each value, (rows, columns) row-major; nil for values that are not drawn.
    public func colors(theme: Theme) -> [RGB?] {
        let mapped = values.map { v -> Double? in
            guard v.isFinite, !logScale || v > 0 else { return nil }
            return logScale ? log10(v) : v
        }
        let finite = mapped.compactMap { $0 }
        func scaled(_ v: Double) -> Double { logScale ? log10(max(v, .leastNormalMagnitude)) : v }
        let lo = range.map { scaled($0.lowerBound) } ?? finite.min() ?? 0
        let hi = range.map { scaled($0.upperBound) } ?? finite.max() ?? 1
        let ramp = self.ramp ?? theme.graphRamp
        return mapped.map { $0.map { ramp.color(of: Float($0), lower: Float(lo), upper: Float(hi)) } }
    }

    public func render(into grid: inout Grid, area: Rect, theme: Theme) {
        guard !area.isEmpty else { return }
        grid.fill(area, with: theme.blank)
        guard rows > 0, columns > 0 else { return }
        let colors = colors(theme: theme)
        let p = pixelsPerRow(height: area.height)
        func pixel(_ column: Int, _ py: Int) -> RGB? {
            let row = py / p
            return row < rows ? colors[row * columns + column] : nil
        }
        for cy in 0..<area.height {
            for c in 0..<min(columns, area.width) {
                let upper = pixel(c, 2 * cy), lower = pixel(c, 2 * cy + 1)
                guard upper != nil || lower != nil else { continue }
                let top = upper ?? theme.mainBg, bottom = lower ?? theme.mainBg
                let cell = grid.glyphs == .ascii
                    ? Cell(" ", fg: theme.mainFg, bg: top.mixed(with: bottom, 0.5))
                    : Cell(grid.glyphs.upperHalf, fg: top, bg: bottom)
                grid.set(x: area.x + c, y: area.y + cy, cell: cell)
            }
        }
    }
}

/// A horizontal progress bar with eighth-cell precision (`████▌   `) and a centred label.
///
/// Every row of the area is filled; the label goes on the middle row, drawn in a colour that
/// reads on whatever part of the bar it covers. ASCII: `#` for filled cells, `.` for empty.
public struct Gauge: Widget, Hashable, Sendable {
    /// Fraction done; clamped to [0, 1], NaN counts as 0.
    public var ratio: Double
    /// The label; nil shows the percentage ("42%"), "" shows none.
    public var label: String?
    /// The filled part's colour; nil uses `hi_fg`.
    public var color: RGB?

    public init(ratio: Double, label: String? = nil, color: RGB? = nil) {
        self.ratio = ratio
        self.label = label
        self.color = color
    }

    /// "42%": the ratio in whole percent, rounded down (a tiny epsilon absorbs binary
    /// fractions, so 0.29 shows 29%, not 28%).
    public var percentText: String {
        let r = ratio.isNaN ? 0 : min(max(ratio, 0), 1)
        return "\(Int((r * 100 + 1e-9).rounded(.down)))%"
    }

    /// How many eighths of a cell are filled in `width` cells.
    public func filledEighths(width: Int) -> Int {
        let r = ratio.isNaN ? 0 : min(max(ratio, 0), 1)
        return Int((r * Double(width * 8) + 1e-9).rounded(.down))
    }

    public func render(into grid: inout Grid, area: Rect, theme: Theme) {
        guard !area.isEmpty else { return }
        let fill = color ?? theme.hiFg
        let eighths = filledEighths(width: area.width)
        let empty: Character = grid.glyphs == .ascii ? "." : " "
        // The label is written over cells that count as filled when at least half full.
        let text = TextLine.truncate(label ?? percentText, width: area.width, ellipsis: grid.glyphs.ellipsis)
        let labelRow = area.y + (area.height - 1) / 2
        let labelStart = area.x + Alignment.center.offset(length: text.count, in: area.width)
        let labelChars = Array(text)
        let onFill: RGB = fill.luma > 0.5 ? .black : .white

        for y in area.y..<area.maxY {
            for i in 0..<area.width {
                let x = area.x + i
                let cellEighths = min(max(eighths - 8 * i, 0), 8)
                let li = x - labelStart
                if y == labelRow, li >= 0, li < labelChars.count {
                    let filled = cellEighths >= 4
                    grid.set(x: x, y: y, cell: Cell(labelChars[li], fg: filled ? onFill : theme.mainFg,
                                                    bg: filled ? fill : theme.meterBg, attributes: .bold))
                } else if cellEighths == 0 {
                    grid.set(x: x, y: y, cell: Cell(empty, fg: theme.inactiveFg, bg: theme.meterBg))
                } else {
                    grid.set(x: x, y: y, cell: Cell(grid.glyphs.horizontalEighths(cellEighths), fg: fill, bg: theme.meterBg))
                }
            }
        }
    }
}

/// Something that draws itself into a rectangle of a grid.
///
/// Widgets are pure values (ratatui's model): rendering reads only the widget, the area, the
/// theme and `grid.glyphs`, and writes only inside `area ∩ grid.bounds`. Every widget accepts
/// empty areas and areas partly outside the grid.
public protocol Widget {
    func render(into grid: inout Grid, area: Rect, theme: Theme)
}

/// Horizontal placement of text inside its area.
public enum Alignment: Hashable, Sendable {
    case left, center, right

    /// The x offset of `length` cells placed in `width` cells (0 when it does not fit).
    public func offset(length: Int, in width: Int) -> Int {
        let slack = max(0, width - length)
        switch self {
        case .left: return 0
        case .center: return slack / 2
        case .right: return slack
        }
    }
}

extension Grid {
    /// Renders `widget` into `area` of this grid: `grid.render(Sparkline(losses), in: r, theme: theme)`.
    public mutating func render(_ widget: some Widget, in area: Rect, theme: Theme) {
        widget.render(into: &self, area: area, theme: theme)
    }
}

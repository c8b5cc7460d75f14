/// A table: a bold header row, then rows of cells; the selected row is highlighted and kept in
/// view by scrolling. Cells are cut with an ellipsis to their column's width.
public struct Table: Widget, Hashable, Sendable {
    public var header: [String]
    /// Rows of cells; a cell is a span so values can carry their own colour.
    public var rows: [[Span]]
    /// Column widths (see `Constraint`); missing entries are `.fill`.
    public var widths: [Constraint]
    /// Per-column alignment; missing entries are `.left`.
    public var alignments: [Alignment]
    public var selected: Int?
    /// Blank columns between cells.
    public var columnSpacing: Int

    public init(header: [String], rows: [[Span]], widths: [Constraint] = [],
                alignments: [Alignment] = [], selected: Int? = nil, columnSpacing: Int = 1) {
        self.header = header
        self.rows = rows
        self.widths = widths
        self.alignments = alignments
        self.selected = selected
        self.columnSpacing = columnSpacing
    }

    /// Plain text rows.
    public init(header: [String], textRows: [[String]], widths: [Constraint] = [],
                alignments: [Alignment] = [], selected: Int? = nil, columnSpacing: Int = 1) {
        self.init(header: header, rows: textRows.map { $0.map { Span($0) } }, widths: widths,
                  alignments: alignments, selected: selected, columnSpacing: columnSpacing)
    }

    /// The index of the first row shown for a body of `visibleRows` rows.
    public func firstVisibleRow(visibleRows: Int) -> Int {
        guard let selected, visibleRows > 0 else { return 0 }
        return max(0, min(selected - visibleRows + 1, rows.count - visibleRows, selected))
    }

    public func render(into grid: inout Grid, area: Rect, theme: Theme) {
        guard !area.isEmpty else { return }
        let columnCount = max(header.count, rows.map(\.count).max() ?? 0)
        guard columnCount > 0 else { return }
        let constraints = (0..<columnCount).map { $0 < widths.count ? widths[$0] : .fill }
        let columns = area.columns(constraints, spacing: columnSpacing)

        func draw(_ cells: [Span], row y: Int, base: Style) {
            for (c, column) in columns.enumerated() where c < cells.count && !column.isEmpty {
                var span = cells[c]
                if span.fg == nil { span.fg = base.fg }
                span.attributes.formUnion(base.attributes)
                let alignment = c < alignments.count ? alignments[c] : .left
                TextLine([span], alignment: alignment)
                    .render(into: &grid, area: Rect(x: column.x, y: y, width: column.width, height: 1), theme: theme)
            }
        }

        var y = area.y
        if !header.isEmpty {
            draw(header.map { Span($0) }, row: y, base: Style(fg: theme.title, bg: theme.mainBg, attributes: .bold))
            y += 1
        }
        let visible = area.maxY - y
        guard visible > 0 else { return }
        let first = firstVisibleRow(visibleRows: visible)
        for (offset, index) in (first..<min(rows.count, first + visible)).enumerated() {
            let rowY = y + offset
            let isSelected = index == selected
            let base = isSelected ? theme.selected : theme.text
            if isSelected { grid.fill(Rect(x: area.x, y: rowY, width: area.width, height: 1), with: Cell(" ", fg: base.fg, bg: base.bg)) }
            draw(rows[index], row: rowY, base: base)
        }
    }
}

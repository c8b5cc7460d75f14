/// A maximal horizontal run of cells sharing one style (a "colour run").
public struct StyleRun: Hashable, Sendable, CustomStringConvertible {
    public var x: Int
    public var count: Int
    public var style: Style

    public init(x: Int, count: Int, style: Style) {
        self.x = x
        self.count = count
        self.style = style
    }

    public var description: String {
        "\(x)+\(count) fg \(style.fg) bg \(style.bg)" + (style.attributes.isEmpty ? "" : " attrs \(style.attributes.rawValue)")
    }
}

/// A maximal horizontal run of cells sharing one colour (foreground or background only).
public struct ColorRun: Hashable, Sendable, CustomStringConvertible {
    public var color: RGB
    public var count: Int

    public init(_ color: RGB, _ count: Int) {
        self.color = color
        self.count = count
    }

    public var description: String { "\(color)x\(count)" }
}

extension Grid {
    /// Each row as a string (one character per cell), top first: what tests compare.
    public func textLines() -> [String] {
        (0..<height).map { text(row: $0) }
    }

    /// One row as a string; empty for rows outside the grid.
    public func text(row y: Int) -> String {
        guard y >= 0, y < height else { return "" }
        var s = ""
        s.reserveCapacity(width)
        for x in 0..<width { s.append(cells[y * width + x].character) }
        return s
    }

    /// The text of `area` (clipped to the grid), one string per row.
    public func textLines(in area: Rect) -> [String] {
        let r = area.intersection(bounds)
        guard !r.isEmpty else { return [] }
        return (r.y..<r.maxY).map { y in String((r.x..<r.maxX).map { cells[y * width + $0].character }) }
    }

    /// The style runs of one row, left to right.
    public func styleRuns(row y: Int) -> [StyleRun] {
        guard y >= 0, y < height, width > 0 else { return [] }
        var runs: [StyleRun] = []
        for x in 0..<width {
            let style = cells[y * width + x].style
            if let last = runs.last, last.style == style {
                runs[runs.count - 1].count += 1
            } else {
                runs.append(StyleRun(x: x, count: 1, style: style))
            }
        }
        return runs
    }

    /// Foreground colour runs of one row (optionally only columns in `columns`).
    public func fgRuns(row y: Int, columns: Range<Int>? = nil) -> [ColorRun] {
        colorRuns(row: y, columns: columns) { $0.fg }
    }

    /// Background colour runs of one row (optionally only columns in `columns`).
    public func bgRuns(row y: Int, columns: Range<Int>? = nil) -> [ColorRun] {
        colorRuns(row: y, columns: columns) { $0.bg }
    }

    private func colorRuns(row y: Int, columns: Range<Int>?, _ pick: (Cell) -> RGB) -> [ColorRun] {
        guard y >= 0, y < height else { return [] }
        let range = (columns ?? 0..<width).clamped(to: 0..<width)
        var runs: [ColorRun] = []
        for x in range {
            let c = pick(cells[y * width + x])
            if let last = runs.last, last.color == c {
                runs[runs.count - 1].count += 1
            } else {
                runs.append(ColorRun(c, 1))
            }
        }
        return runs
    }
}

/// Renders grids to strings with SGR escape codes, without ncurses: for `ddpm render`,
/// logs and anything printed to stdout.
///
/// Each row is written left to right; a full SGR sequence (reset, attributes, foreground,
/// background) is emitted only where the style changes, and every row ends with a reset and a
/// newline, so the output can be cut at any line.
public struct ANSIWriter: Sendable {
    public var mode: ColorMode

    public init(mode: ColorMode) {
        self.mode = mode
    }

    /// The escape sequence that selects `style` (starting with a reset, `ESC[0;…m`).
    public func sgr(_ style: Style) -> String {
        var codes = ["0"]
        if style.attributes.contains(.bold) { codes.append("1") }
        if style.attributes.contains(.dim) { codes.append("2") }
        if style.attributes.contains(.underline) { codes.append("4") }
        if style.attributes.contains(.reverse) { codes.append("7") }
        codes.append(colorCode(style.fg, background: false))
        codes.append(colorCode(style.bg, background: true))
        return "\u{1B}[" + codes.joined(separator: ";") + "m"
    }

    /// The SGR parameters for one colour in this mode (`38;2;r;g;b`, `38;5;n` or `31`/`91`…).
    public func colorCode(_ color: RGB, background: Bool) -> String {
        switch mode {
        case .direct:
            return "\(background ? 48 : 38);2;\(color.r);\(color.g);\(color.b)"
        case .xterm256:
            return "\(background ? 48 : 38);5;\(Palette.xterm256(color))"
        case .ansi16:
            let i = Palette.ansi16(color)
            let base = background ? (i < 8 ? 40 : 100) : (i < 8 ? 30 : 90)
            return "\(base + i % 8)"
        }
    }

    /// The whole grid as text with escape codes, one line per row.
    public func render(_ grid: Grid) -> String {
        var out = ""
        let reset = "\u{1B}[0m"
        for y in 0..<grid.height {
            var current: Style?
            for x in 0..<grid.width {
                let cell = grid[x, y]
                if cell.style != current {
                    out += sgr(cell.style)
                    current = cell.style
                }
                out.append(cell.character)
            }
            out += reset + "\n"
        }
        return out
    }

    /// A half-block picture of `image` at its own size (one column per pixel, two pixels per
    /// row), shrunk by whole steps when wider than `maxColumns` or taller than 2 x `maxRows`.
    public func render(image: PixelImage, theme: Theme = .default, glyphs: Glyphs = .unicode,
                       maxColumns: Int = 200, maxRows: Int = 100) -> String {
        let widget = HalfBlockImage(image, maxScale: 1)
        let p = widget.placement(columns: max(0, maxColumns), rows: max(0, maxRows))
        var grid = Grid(width: p.pixelWidth, height: (p.pixelHeight + 1) / 2, glyphs: glyphs, fill: theme.blank)
        widget.render(into: &grid, area: grid.bounds, theme: theme)
        return render(grid)
    }
}

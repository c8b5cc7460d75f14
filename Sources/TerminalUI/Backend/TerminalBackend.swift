/// Where frames go: the terminal (ncurses), a string (ANSI), or memory (tests).
///
/// The app renders widgets into a `Grid` of `size`, hands it to `draw`, then calls `flush`
/// once per frame. Backends own no widget logic.
public protocol TerminalBackend: AnyObject {
    /// The drawable size in cells.
    var size: (width: Int, height: Int) { get }
    /// The glyph repertoire this backend can show (use it for the grids you render).
    var glyphs: Glyphs { get }
    /// Stages a frame; cells outside `size` are ignored.
    func draw(_ grid: Grid)
    /// Makes the staged frame visible.
    func flush()
}

extension TerminalBackend {
    /// A blank grid of the backend's current size and glyphs, filled with the theme background.
    public func makeGrid(theme: Theme) -> Grid {
        let s = size
        return Grid(width: s.width, height: s.height, glyphs: glyphs, fill: theme.blank)
    }
}

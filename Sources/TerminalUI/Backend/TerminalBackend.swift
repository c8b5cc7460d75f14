/// Where frames go and where input comes from: the terminal (ncurses) or memory (tests).
///
/// The app renders widgets into a `Grid` of `size`, hands it to `draw`, then calls `flush`
/// once per frame; it reads keys and resizes with `readEvent`. Backends own no widget logic.
/// Input belongs here (ratatui's model) so one run loop, generic over the backend, serves the
/// terminal and the tests that script keys into a `MemoryBackend`.
public protocol TerminalBackend: AnyObject {
    /// The drawable size in cells.
    var size: (width: Int, height: Int) { get }
    /// The glyph repertoire this backend can show (use it for the grids you render).
    var glyphs: Glyphs { get }
    /// Stages a frame; cells outside `size` are ignored.
    func draw(_ grid: Grid)
    /// Makes the staged frame visible.
    func flush()
    /// Forgets what is on screen, so the next `draw` writes every cell (a full redraw).
    func invalidate()
    /// Waits up to `timeoutMs` (negative: forever, 0: poll) for the next key or resize.
    /// - Returns: the event, or nil when none arrived in time.
    func readEvent(timeoutMs: Int) -> InputEvent?
}

extension TerminalBackend {
    /// A blank grid of the backend's current size and glyphs, filled with the theme background.
    public func makeGrid(theme: Theme) -> Grid {
        let s = size
        return Grid(width: s.width, height: s.height, glyphs: glyphs, fill: theme.blank)
    }
}

/// A backend that keeps frames in memory, ratatui's `TestBackend`: tests draw into it and
/// compare text lines and colour runs.
public final class MemoryBackend: TerminalBackend {
    public var size: (width: Int, height: Int)
    public var glyphs: Glyphs
    /// The last grid passed to `draw` (nil before the first draw).
    public private(set) var staged: Grid?
    /// The last grid made visible by `flush`.
    public private(set) var flushed: Grid?
    /// Number of `flush` calls.
    public private(set) var flushCount = 0

    public init(width: Int, height: Int, glyphs: Glyphs = .unicode) {
        self.size = (width, height)
        self.glyphs = glyphs
    }

    public func draw(_ grid: Grid) { staged = grid }

    public func flush() {
        flushed = staged
        flushCount += 1
    }

    /// Text lines of the last flushed frame.
    public func textLines() -> [String] { flushed?.textLines() ?? [] }

    /// Style runs of one row of the last flushed frame.
    public func styleRuns(row: Int) -> [StyleRun] { flushed?.styleRuns(row: row) ?? [] }

    /// Foreground colour runs of one row of the last flushed frame.
    public func fgRuns(row: Int) -> [ColorRun] { flushed?.fgRuns(row: row) ?? [] }

    /// Background colour runs of one row of the last flushed frame.
    public func bgRuns(row: Int) -> [ColorRun] { flushed?.bgRuns(row: row) ?? [] }
}

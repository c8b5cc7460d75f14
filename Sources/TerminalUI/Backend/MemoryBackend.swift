import Foundation

/// A backend that keeps frames in memory, ratatui's `TestBackend`: tests draw into it and
/// compare text lines and colour runs. Its input is a script: `send` queues keys, `resize`
/// changes the size and queues the event a terminal would send, so a test can drive a whole run
/// loop without a terminal.
public final class MemoryBackend: TerminalBackend {
    /// The drawable size; `resize(width:height:)` also tells the reader.
    public var size: (width: Int, height: Int)
    public var glyphs: Glyphs
    /// The last grid passed to `draw` (nil before the first draw).
    public private(set) var staged: Grid?
    /// The last grid made visible by `flush`.
    public private(set) var flushed: Grid?
    /// Number of `flush` calls.
    public private(set) var flushCount = 0
    /// Events not read yet, oldest first.
    public private(set) var pendingEvents: [InputEvent] = []

    public init(width: Int, height: Int, glyphs: Glyphs = .unicode) {
        self.size = (width, height)
        self.glyphs = glyphs
    }

    public func draw(_ grid: Grid) { staged = grid }

    public func flush() {
        flushed = staged
        flushCount += 1
    }

    /// Nothing to forget: memory keeps whole frames, never a diff against the previous one.
    public func invalidate() {}

    /// The oldest queued event. With none queued it waits `timeoutMs` as a terminal with no key
    /// pressed would (so a loop polling it idles instead of spinning), and returns nil; a negative
    /// timeout ("forever") returns nil at once, since nothing else can queue an event meanwhile.
    public func readEvent(timeoutMs: Int) -> InputEvent? {
        if !pendingEvents.isEmpty { return pendingEvents.removeFirst() }
        if timeoutMs > 0 { usleep(useconds_t(timeoutMs) * 1000) }
        return nil
    }

    /// Queues key presses for `readEvent`.
    public func send(_ keys: Key...) { pendingEvents += keys.map(InputEvent.key) }

    /// Changes the size and queues `.resize`, as a terminal window being resized does.
    public func resize(width: Int, height: Int) {
        size = (width, height)
        pendingEvents.append(.resize)
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

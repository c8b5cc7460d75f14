/// A row of key hints: `[q] quit  [tab] next  [←/→] step`.
///
/// Keys are drawn in `hi_fg`, brackets in `inactive_fg`, actions in `main_fg`. Hints that do not
/// fit are dropped whole from the end, and an ellipsis says so when there is room for it.
public struct KeyHintBar: Widget, Hashable, Sendable {
    public struct Hint: Hashable, Sendable {
        public var key: String
        public var action: String
        public init(_ key: String, _ action: String) {
            self.key = key
            self.action = action
        }
    }

    public var hints: [Hint]
    public var alignment: Alignment

    public init(_ hints: [Hint], alignment: Alignment = .left) {
        self.hints = hints
        self.alignment = alignment
    }

    /// Convenience: `KeyHintBar([("q", "quit"), ("tab", "next")])`.
    public init(_ pairs: [(String, String)], alignment: Alignment = .left) {
        self.init(pairs.map { Hint($0.0, $0.1) }, alignment: alignment)
    }

    /// The spans of the bar for `width` cells: as many whole hints as fit, then the ellipsis
    /// when hints were dropped and it still fits.
    public func spans(theme: Theme, width: Int, ellipsis: String) -> [Span] {
        var out: [Span] = []
        var used = 0
        for (i, hint) in hints.enumerated() {
            let gap = i == 0 ? 0 : 2
            let length = gap + hint.key.count + 2 + 1 + hint.action.count
            if used + length > width {
                if used + gap + ellipsis.count <= width {
                    out.append(Span(String(repeating: " ", count: gap) + ellipsis, fg: theme.inactiveFg))
                }
                break
            }
            if gap > 0 { out.append(Span("  ")) }
            out.append(Span("[", fg: theme.inactiveFg))
            out.append(Span(hint.key, fg: theme.hiFg, attributes: .bold))
            out.append(Span("]", fg: theme.inactiveFg))
            out.append(Span(" " + hint.action, fg: theme.mainFg))
            used += length
        }
        return out
    }

    public func render(into grid: inout Grid, area: Rect, theme: Theme) {
        guard !area.isEmpty else { return }
        let line = TextLine(spans(theme: theme, width: area.width, ellipsis: grid.glyphs.ellipsis),
                            alignment: alignment)
        line.render(into: &grid, area: area.top(1), theme: theme)
    }
}

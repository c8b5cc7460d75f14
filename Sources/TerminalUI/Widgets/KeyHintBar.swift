/// A row of key hints: `[q] quit  [tab] next  [←/→] step`.
///
/// Keys are drawn in `hi_fg`, brackets in `inactive_fg`, actions in `main_fg`. Hints that do not
/// fit are dropped whole from the end, and an ellipsis says so.
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

    public func spans(theme: Theme, width: Int, ellipsis: String) -> [Span] {
        var out: [Span] = []
        var used = 0
        for (i, hint) in hints.enumerated() {
            let gap = i == 0 ? 0 : 2
            let length = gap + hint.key.count + 2 + 1 + hint.action.count
            let isLast = i == hints.count - 1
            // Keep room for the ellipsis unless this is the last hint.
            let reserve = isLast ? 0 : 2 + ellipsis.count
            if used + length + reserve > width {
                if used + gap + ellipsis.count <= width && i > 0 {
                    out.append(Span(String(repeating: " ", count: gap) + ellipsis, fg: theme.inactiveFg))
                } else if i == 0 && ellipsis.count <= width {
                    out.append(Span(ellipsis, fg: theme.inactiveFg))
                }
                return out
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

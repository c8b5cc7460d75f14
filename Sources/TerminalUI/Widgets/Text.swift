/// A piece of text with one style. Nil colours defer to the context: a nil foreground is the
/// theme's `main_fg`, a nil background keeps whatever the cell already shows (so text can be
/// written over a selected row or a filled panel).
public struct Span: Hashable, Sendable {
    public var text: String
    public var fg: RGB?
    public var bg: RGB?
    public var attributes: CellAttributes

    public init(_ text: String, fg: RGB? = nil, bg: RGB? = nil, attributes: CellAttributes = []) {
        self.text = text
        self.fg = fg
        self.bg = bg
        self.attributes = attributes
    }

    /// The span's width in cells (one per character; see `Cell` on wide characters).
    public var width: Int { text.count }
}

/// One line of spans, aligned in its area and cut with an ellipsis when it does not fit.
public struct TextLine: Widget, Hashable, Sendable {
    public var spans: [Span]
    public var alignment: Alignment

    public init(_ spans: [Span], alignment: Alignment = .left) {
        self.spans = spans
        self.alignment = alignment
    }

    public init(_ text: String, fg: RGB? = nil, attributes: CellAttributes = [], alignment: Alignment = .left) {
        self.init([Span(text, fg: fg, attributes: attributes)], alignment: alignment)
    }

    public var width: Int { spans.reduce(0) { $0 + $1.width } }

    /// Draws the line on the first row of `area`.
    public func render(into grid: inout Grid, area: Rect, theme: Theme) {
        guard !area.isEmpty else { return }
        let fitted = TextLine.fit(spans, width: area.width, ellipsis: grid.glyphs.ellipsis)
        let length = fitted.reduce(0) { $0 + $1.width }
        var x = area.x + alignment.offset(length: length, in: area.width)
        for span in fitted {
            for ch in span.text {
                grid.set(x: x, y: area.y, ch, fg: span.fg ?? theme.mainFg, bg: span.bg, attributes: span.attributes)
                x += 1
            }
        }
    }

    /// Cuts spans to `width` cells; when something is cut the last cells become `ellipsis`
    /// (in the style of the span they replace).
    public static func fit(_ spans: [Span], width: Int, ellipsis: String) -> [Span] {
        let total = spans.reduce(0) { $0 + $1.width }
        if total <= width { return spans }
        guard width > 0 else { return [] }
        let mark = String(ellipsis.prefix(width))
        var budget = width - mark.count
        var out: [Span] = []
        for span in spans {
            if budget <= 0 { break }
            var piece = span
            piece.text = String(span.text.prefix(budget))
            budget -= piece.width
            out.append(piece)
        }
        // The ellipsis takes the style of the span it replaces (the one that was cut).
        var cutStyle = spans[0]
        var seen = 0
        for span in spans {
            cutStyle = span
            seen += span.width
            if seen > width - mark.count { break }
        }
        out.append(Span(mark, fg: cutStyle.fg, bg: cutStyle.bg, attributes: cutStyle.attributes))
        return out
    }

    /// `text` cut to `width` characters with `ellipsis` when too long.
    public static func truncate(_ text: String, width: Int, ellipsis: String) -> String {
        fit([Span(text)], width: width, ellipsis: ellipsis).map(\.text).joined()
    }
}

/// Lines of text top to bottom: each cut with an ellipsis, or word-wrapped when `wrap` is on.
/// Lines past the area's height are dropped.
public struct Paragraph: Widget, Hashable, Sendable {
    public var lines: [TextLine]
    public var wrap: Bool

    public init(_ lines: [TextLine], wrap: Bool = false) {
        self.lines = lines
        self.wrap = wrap
    }

    /// Plain text, one line per `\n`, in one colour.
    public init(text: String, fg: RGB? = nil, alignment: Alignment = .left, wrap: Bool = false) {
        self.init(text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { TextLine(String($0), fg: fg, alignment: alignment) }, wrap: wrap)
    }

    public func render(into grid: inout Grid, area: Rect, theme: Theme) {
        guard !area.isEmpty else { return }
        var rows: [TextLine] = []
        for line in lines {
            if wrap && line.width > area.width {
                // Wrapping works per span-free line: keep the first span's style for all pieces.
                let style = line.spans.first ?? Span("")
                let text = line.spans.map(\.text).joined()
                for piece in Paragraph.wordWrap(text, width: area.width) {
                    rows.append(TextLine([Span(piece, fg: style.fg, bg: style.bg, attributes: style.attributes)],
                                         alignment: line.alignment))
                }
            } else {
                rows.append(line)
            }
        }
        for (i, line) in rows.prefix(area.height).enumerated() {
            line.render(into: &grid, area: Rect(x: area.x, y: area.y + i, width: area.width, height: 1), theme: theme)
        }
    }

    /// Greedy word wrap to `width` columns; words longer than a line are split.
    public static func wordWrap(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            var word = Substring(word)
            while word.count > width {
                if !current.isEmpty { lines.append(current); current = "" }
                lines.append(String(word.prefix(width)))
                word = word.dropFirst(width)
            }
            if word.isEmpty { continue }
            if current.isEmpty {
                current = String(word)
            } else if current.count + 1 + word.count <= width {
                current += " " + word
            } else {
                lines.append(current)
                current = String(word)
            }
        }
        if !current.isEmpty || lines.isEmpty { lines.append(current) }
        return lines
    }
}

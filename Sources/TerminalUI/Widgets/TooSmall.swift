/// The screen shown instead of the UI when the terminal is below the minimum size:
/// "Terminal is 60x20; ddpm needs at least 80x24 — enlarge the window", word-wrapped and
/// centred in `warn` on the background.
public struct TooSmall: Widget, Hashable, Sendable {
    public var width: Int
    public var height: Int
    public var minWidth: Int
    public var minHeight: Int
    public var appName: String

    public init(width: Int, height: Int, minWidth: Int, minHeight: Int, appName: String = "ddpm") {
        self.width = width
        self.height = height
        self.minWidth = minWidth
        self.minHeight = minHeight
        self.appName = appName
    }

    /// True when a `width` x `height` terminal is too small for `minWidth` x `minHeight`.
    public static func applies(width: Int, height: Int, minWidth: Int, minHeight: Int) -> Bool {
        width < minWidth || height < minHeight
    }

    public func message(glyphs: Glyphs) -> String {
        let dash = glyphs == .unicode ? "—" : "-"
        return "Terminal is \(width)x\(height); \(appName) needs at least \(minWidth)x\(minHeight) \(dash) enlarge the window"
    }

    public func render(into grid: inout Grid, area: Rect, theme: Theme) {
        guard !area.isEmpty else { return }
        grid.fill(area, with: theme.blank)
        let lines = Paragraph.wordWrap(message(glyphs: grid.glyphs), width: area.width)
        let box = area.centered(width: area.width, height: lines.count)
        for (i, line) in lines.prefix(box.height).enumerated() {
            TextLine(line, fg: theme.warn, attributes: .bold, alignment: .center)
                .render(into: &grid, area: Rect(x: box.x, y: box.y + i, width: box.width, height: 1), theme: theme)
        }
    }
}

/// A bordered panel with a title: `╭─ Title ──── right ─╮`, rounded or square corners,
/// `+-|` in ASCII. Draw the block first, then its content into `inner(area)`.
public struct Block: Widget, Hashable, Sendable {
    public var title: String?
    /// A second label at the right end of the top border (e.g. a step counter).
    public var rightTitle: String?
    public var rounded: Bool
    /// A focused block draws its border in `focus_border` instead of `border`.
    public var focused: Bool
    /// Clear the inside to the theme background before drawing the border.
    public var fillsBackground: Bool

    public init(title: String? = nil, rightTitle: String? = nil, rounded: Bool = true,
                focused: Bool = false, fillsBackground: Bool = true) {
        self.title = title
        self.rightTitle = rightTitle
        self.rounded = rounded
        self.focused = focused
        self.fillsBackground = fillsBackground
    }

    /// The area inside the border.
    public func inner(_ area: Rect) -> Rect { area.inset(by: 1) }

    public func render(into grid: inout Grid, area: Rect, theme: Theme) {
        guard !area.isEmpty else { return }
        if fillsBackground { grid.fill(area, with: theme.blank) }
        // A border needs two rows and two columns; anything smaller only gets the background.
        guard area.width >= 2, area.height >= 2 else { return }
        let b = grid.glyphs.border(rounded: rounded)
        let color = focused ? theme.focusBorder : theme.border
        let x1 = area.maxX - 1, y1 = area.maxY - 1
        for x in area.x + 1..<x1 {
            grid.set(x: x, y: area.y, b.horizontal, fg: color, bg: theme.mainBg, attributes: [])
            grid.set(x: x, y: y1, b.horizontal, fg: color, bg: theme.mainBg, attributes: [])
        }
        for y in area.y + 1..<y1 {
            grid.set(x: area.x, y: y, b.vertical, fg: color, bg: theme.mainBg, attributes: [])
            grid.set(x: x1, y: y, b.vertical, fg: color, bg: theme.mainBg, attributes: [])
        }
        grid.set(x: area.x, y: area.y, b.topLeft, fg: color, bg: theme.mainBg, attributes: [])
        grid.set(x: x1, y: area.y, b.topRight, fg: color, bg: theme.mainBg, attributes: [])
        grid.set(x: area.x, y: y1, b.bottomLeft, fg: color, bg: theme.mainBg, attributes: [])
        grid.set(x: x1, y: y1, b.bottomRight, fg: color, bg: theme.mainBg, attributes: [])

        // Titles sit on the top border with one space of padding: "╭─ title ─ right ─╮".
        let room = area.width - 4  // corners and the border cell after each
        var used = 0
        if let title, !title.isEmpty, room >= 3 {
            let text = TextLine.truncate(title, width: room - 2, ellipsis: grid.glyphs.ellipsis)
            grid.write(" " + text + " ", x: area.x + 2, y: area.y,
                       style: Style(fg: theme.title, bg: theme.mainBg, attributes: .bold))
            used = text.count + 2
        }
        if let rightTitle, !rightTitle.isEmpty {
            let free = room - used - (used > 0 ? 1 : 0)
            if free >= 3 {
                let text = TextLine.truncate(rightTitle, width: free - 2, ellipsis: grid.glyphs.ellipsis)
                grid.write(" " + text + " ", x: x1 - 1 - (text.count + 2), y: area.y, style: theme.inactive)
            }
        }
    }
}

/// A width x height array of cells that widgets draw into; the terminal-independent frame.
///
/// Storage is row-major: `cells[y * width + x]`, shape (height, width). Every write is clipped
/// to the grid, so widgets may draw partly (or entirely) outside it and zero-size grids work.
/// `glyphs` says which character repertoire this frame may use (see `Glyphs`).
public struct Grid: Hashable, Sendable {
    public let width: Int
    public let height: Int
    public var glyphs: Glyphs
    /// Row-major cells, (height, width).
    public private(set) var cells: [Cell]

    /// A grid filled with `fill` (default: blank, white on black).
    public init(width: Int, height: Int, glyphs: Glyphs = .unicode,
                fill: Cell = Cell(" ", fg: .white, bg: .black)) {
        self.width = max(0, width)
        self.height = max(0, height)
        self.glyphs = glyphs
        self.cells = Array(repeating: fill, count: self.width * self.height)
    }

    /// The whole grid as a rectangle.
    public var bounds: Rect { Rect(width: width, height: height) }

    /// The cell at (x, y), or nil outside the grid.
    public func cell(x: Int, y: Int) -> Cell? {
        guard x >= 0, y >= 0, x < width, y < height else { return nil }
        return cells[y * width + x]
    }

    /// Direct access for code that has already clipped; traps outside the grid.
    public subscript(x: Int, y: Int) -> Cell {
        get {
            precondition(x >= 0 && y >= 0 && x < width && y < height,
                         "Grid(\(width)x\(height)): cell (\(x), \(y)) is outside")
            return cells[y * width + x]
        }
        set {
            precondition(x >= 0 && y >= 0 && x < width && y < height,
                         "Grid(\(width)x\(height)): cell (\(x), \(y)) is outside")
            cells[y * width + x] = newValue
        }
    }

    /// Replaces the cell at (x, y); ignored outside the grid.
    public mutating func set(x: Int, y: Int, cell: Cell) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        cells[y * width + x] = cell
    }

    /// Changes parts of the cell at (x, y): nil arguments keep what is there. Ignored outside.
    public mutating func set(x: Int, y: Int, _ character: Character? = nil, fg: RGB? = nil,
                             bg: RGB? = nil, attributes: CellAttributes? = nil) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let i = y * width + x
        if let character { cells[i].character = character }
        if let fg { cells[i].fg = fg }
        if let bg { cells[i].bg = bg }
        if let attributes { cells[i].attributes = attributes }
    }

    /// Fills the part of `area` inside the grid with `cell`.
    public mutating func fill(_ area: Rect, with cell: Cell) {
        let r = area.intersection(bounds)
        guard !r.isEmpty else { return }
        for y in r.y..<r.maxY {
            let row = y * width
            for x in r.x..<r.maxX { cells[row + x] = cell }
        }
    }

    /// Paints `style` over `area` (keeps the characters).
    public mutating func paint(_ area: Rect, style: Style) {
        let r = area.intersection(bounds)
        guard !r.isEmpty else { return }
        for y in r.y..<r.maxY {
            for x in r.x..<r.maxX {
                let i = y * width + x
                cells[i].fg = style.fg
                cells[i].bg = style.bg
                cells[i].attributes = style.attributes
            }
        }
    }

    /// Writes `text` left to right from (x, y), one character per cell, without wrapping.
    ///
    /// Control characters are shown as spaces. Characters past `maxWidth` cells or the grid edge
    /// are dropped (no ellipsis; `TextLine` does that).
    /// - Returns: the number of cells the text occupied (clipped or not), at most `maxWidth`.
    @discardableResult
    public mutating func write(_ text: String, x: Int, y: Int, style: Style,
                               maxWidth: Int = Int.max) -> Int {
        var column = 0
        for ch in text {
            if column >= maxWidth { break }
            let shown: Character = ch.isASCII && (ch.asciiValue! < 0x20 || ch.asciiValue! == 0x7F) ? " " : ch
            set(x: x + column, y: y, cell: Cell(shown, fg: style.fg, bg: style.bg, attributes: style.attributes))
            column += 1
        }
        return column
    }
}

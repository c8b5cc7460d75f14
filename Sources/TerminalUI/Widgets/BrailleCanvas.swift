/// A dot canvas of braille cells: 2 x 4 dots per terminal cell, (width*2, height*4) dots.
///
/// Dot (0, 0) is the top-left. Each cell remembers the colour of the last dot set in it (a cell
/// has one foreground colour). `render` turns masks into U+2800 + mask characters (or the ASCII
/// fallback of `Glyphs.braille`).
public struct BrailleCanvas: Hashable, Sendable {
    /// Size in cells.
    public let width: Int
    public let height: Int
    /// Dot masks, row-major (height, width).
    public private(set) var masks: [UInt8]
    /// The colour of the last dot set in each cell, row-major (height, width).
    public private(set) var colors: [RGB?]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        masks = Array(repeating: 0, count: self.width * self.height)
        colors = Array(repeating: nil, count: self.width * self.height)
    }

    public var dotWidth: Int { width * 2 }
    public var dotHeight: Int { height * 4 }

    /// The bit of dot (dx, dy) inside its cell (dx in 0...1, dy in 0...3), Unicode numbering:
    /// dots 1-3 go down the left column, 4-6 down the right, 7 and 8 are the bottom row.
    public static func bit(dx: Int, dy: Int) -> UInt8 {
        if dy == 3 { return dx == 0 ? 0x40 : 0x80 }
        return UInt8(1) << UInt8(dx * 3 + dy)
    }

    /// Sets one dot; ignored outside the canvas.
    public mutating func set(x: Int, y: Int, color: RGB) {
        guard x >= 0, y >= 0, x < dotWidth, y < dotHeight else { return }
        let i = (y / 4) * width + x / 2
        masks[i] |= BrailleCanvas.bit(dx: x % 2, dy: y % 4)
        colors[i] = color
    }

    /// Draws a straight line of dots between two dots (Bresenham), both ends included.
    public mutating func line(from a: (x: Int, y: Int), to b: (x: Int, y: Int), color: RGB) {
        var x = a.x, y = a.y
        let dx = abs(b.x - a.x), dy = -abs(b.y - a.y)
        let sx = a.x < b.x ? 1 : -1, sy = a.y < b.y ? 1 : -1
        var err = dx + dy
        while true {
            set(x: x, y: y, color: color)
            if x == b.x && y == b.y { break }
            let e2 = 2 * err
            if e2 >= dy { err += dy; x += sx }
            if e2 <= dx { err += dx; y += sy }
        }
    }

    /// Copies the cells that hold dots into `grid` at `origin`; empty cells are left alone.
    public func render(into grid: inout Grid, x originX: Int, y originY: Int, bg: RGB) {
        for cy in 0..<height {
            for cx in 0..<width {
                let i = cy * width + cx
                guard masks[i] != 0, let color = colors[i] else { continue }
                grid.set(x: originX + cx, y: originY + cy, cell: Cell(grid.glyphs.braille(masks[i]), fg: color, bg: bg))
            }
        }
    }
}

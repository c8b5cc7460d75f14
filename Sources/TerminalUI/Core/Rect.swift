/// An axis-aligned rectangle of cells: origin at the top-left, x to the right, y down.
///
/// Width and height are never negative (the initialiser clamps them to 0), so every helper can
/// be chained without checks: insetting a 2x2 area by 3 gives an empty area, not a crash.
public struct Rect: Hashable, Sendable, CustomStringConvertible {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }

    /// A rectangle at the origin.
    public init(width: Int, height: Int) {
        self.init(x: 0, y: 0, width: width, height: height)
    }

    public static let zero = Rect(x: 0, y: 0, width: 0, height: 0)

    public var isEmpty: Bool { width == 0 || height == 0 }
    public var area: Int { width * height }
    /// One past the last column.
    public var maxX: Int { x + width }
    /// One past the last row.
    public var maxY: Int { y + height }

    public var description: String { "Rect(x: \(x), y: \(y), \(width)x\(height))" }

    public func contains(x px: Int, y py: Int) -> Bool {
        px >= x && px < maxX && py >= y && py < maxY
    }

    /// The overlap of two rectangles (empty, at `self`'s origin, when they do not overlap).
    public func intersection(_ other: Rect) -> Rect {
        let x0 = max(x, other.x), y0 = max(y, other.y)
        let x1 = min(maxX, other.maxX), y1 = min(maxY, other.maxY)
        if x1 <= x0 || y1 <= y0 { return Rect(x: x0, y: y0, width: 0, height: 0) }
        return Rect(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
    }

    /// Shrinks every side by `margin` cells.
    public func inset(by margin: Int) -> Rect {
        inset(horizontal: margin, vertical: margin)
    }

    /// Shrinks left and right by `horizontal`, top and bottom by `vertical`.
    public func inset(horizontal: Int, vertical: Int) -> Rect {
        inset(top: vertical, left: horizontal, bottom: vertical, right: horizontal)
    }

    /// Shrinks each side by its own margin; never produces a negative size.
    public func inset(top: Int = 0, left: Int = 0, bottom: Int = 0, right: Int = 0) -> Rect {
        let w = max(0, width - left - right)
        let h = max(0, height - top - bottom)
        return Rect(x: x + min(left, width), y: y + min(top, height), width: w, height: h)
    }

    /// The first `count` rows (clamped to the height).
    public func top(_ count: Int) -> Rect {
        Rect(x: x, y: y, width: width, height: min(max(0, count), height))
    }

    /// The last `count` rows (clamped to the height).
    public func bottom(_ count: Int) -> Rect {
        let h = min(max(0, count), height)
        return Rect(x: x, y: maxY - h, width: width, height: h)
    }

    /// The first `count` columns (clamped to the width).
    public func left(_ count: Int) -> Rect {
        Rect(x: x, y: y, width: min(max(0, count), width), height: height)
    }

    /// The last `count` columns (clamped to the width).
    public func right(_ count: Int) -> Rect {
        let w = min(max(0, count), width)
        return Rect(x: maxX - w, y: y, width: w, height: height)
    }

    /// A `width` x `height` rectangle centred in this one (clamped to fit; odd slack goes right/down).
    public func centered(width w: Int, height h: Int) -> Rect {
        let cw = min(max(0, w), width), ch = min(max(0, h), height)
        return Rect(x: x + (width - cw) / 2, y: y + (height - ch) / 2, width: cw, height: ch)
    }

    /// Splits the area top to bottom; see `Constraint` for how sizes are resolved.
    /// - Parameters:
    ///   - constraints: one per segment, top first.
    ///   - spacing: empty rows left between consecutive segments.
    /// - Returns: exactly `constraints.count` rectangles (some possibly empty).
    public func rows(_ constraints: [Constraint], spacing: Int = 0) -> [Rect] {
        let sizes = Constraint.resolve(constraints, total: height, spacing: spacing)
        var out: [Rect] = []
        var cursor = y
        for size in sizes {
            out.append(Rect(x: x, y: min(cursor, maxY), width: width, height: size))
            cursor += size + max(0, spacing)
        }
        return out
    }

    /// Splits the area left to right; see `Constraint` for how sizes are resolved.
    /// - Returns: exactly `constraints.count` rectangles (some possibly empty).
    public func columns(_ constraints: [Constraint], spacing: Int = 0) -> [Rect] {
        let sizes = Constraint.resolve(constraints, total: width, spacing: spacing)
        var out: [Rect] = []
        var cursor = x
        for size in sizes {
            out.append(Rect(x: min(cursor, maxX), y: y, width: size, height: height))
            cursor += size + max(0, spacing)
        }
        return out
    }
}

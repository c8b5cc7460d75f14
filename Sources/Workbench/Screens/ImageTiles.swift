import DiffusionEngine
import TerminalUI

/// Tensors to terminal pictures: one (C,H,W) slice of an NCHW tensor as a `PixelImage`, and a
/// tiling of N equal images into an area at the largest whole scale that fits them all.
public enum ImageTiles {
    /// Image `index` of `x` (N,3,H,W) mapped from `range` to [0, 1] (values outside clamp when drawn).
    public static func pixelImage(_ x: Tensor, index: Int = 0, range: ClosedRange<Float> = -1...1) -> PixelImage {
        let (n, c, h, w) = x.nchw("ImageTiles.pixelImage")
        precondition(index >= 0 && index < n, "ImageTiles.pixelImage: image \(index) of N=\(n)")
        let plane = h * w
        let lo = range.lowerBound, span = max(range.upperBound - range.lowerBound, 1e-12)
        var planar = [Float](repeating: 0, count: 3 * plane)
        x.data.withUnsafeBufferPointer { d in
            let base = index * c * plane
            for ch in 0..<3 {
                let src = base + min(ch, c - 1) * plane  // grey images repeat their one channel
                for i in 0..<plane { planar[ch * plane + i] = (d[src + i] - lo) / span }
            }
        }
        return PixelImage(width: w, height: h, planar: planar)
    }

    /// A heat map of |a - b| averaged over channels for image `index`, (H,W), on the theme's ramp
    /// from 0 to `upper` (nil: the largest value, at least 1e-12).
    public static func differenceMap(_ a: Tensor, _ b: Tensor, index: Int = 0, ramp: ColorRamp, upper: Float? = nil) -> (image: HalfBlockImage, upper: Float) {
        let (_, c, h, w) = a.nchw("ImageTiles.differenceMap")
        precondition(a.shape == b.shape, "differenceMap: \(a.shapeDescription) vs \(b.shapeDescription)")
        let plane = h * w
        var values = [Float](repeating: 0, count: plane)
        let base = index * c * plane
        for ch in 0..<c {
            for i in 0..<plane { values[i] += abs(a.data[base + ch * plane + i] - b.data[base + ch * plane + i]) / Float(c) }
        }
        let hi = upper ?? max(values.max() ?? 0, 1e-12)
        return (HalfBlockImage.heatMap(width: w, height: h, values: values, ramp: ramp, lower: 0, upper: hi), hi)
    }

    /// `count` equal columns (the remainder left over at the right), so images placed in them get
    /// the same scale — `Rect.columns` would give the first ones an extra cell.
    public static func equalColumns(_ area: Rect, count: Int, spacing: Int = 1) -> [Rect] {
        let w = max(0, (area.width - spacing * (count - 1)) / max(count, 1))
        return (0..<count).map { Rect(x: area.x + $0 * (w + spacing), y: area.y, width: w, height: area.height) }
    }

    /// Blank rows between rows of tiles (one when tiles have a gap at all): stacked half-block
    /// images would otherwise read as one picture.
    static func rowGap(_ gap: Int) -> Int { gap > 0 ? 1 : 0 }

    /// Where N tiles of one size go.
    public struct Layout: Equatable, Sendable {
        /// Cells per tile (pixels wide, half the pixels high, rounded up).
        public var tileWidth: Int
        public var tileHeight: Int
        public var columns: Int
        public var rows: Int
        /// How many images are shown (all of them unless even the smallest size does not fit).
        public var shown: Int

        /// The area of tile `i` (row-major) inside `area`, the whole grid centred.
        public func rect(_ i: Int, in area: Rect, gap: Int) -> Rect {
            let usedW = columns * tileWidth + max(0, columns - 1) * gap
            let usedH = rows * tileHeight + max(0, rows - 1) * rowGap(gap)
            let origin = area.centered(width: usedW, height: usedH)
            return Rect(x: origin.x + (i % columns) * (tileWidth + gap), y: origin.y + (i / columns) * (tileHeight + rowGap(gap)),
                        width: tileWidth, height: tileHeight)
        }
    }

    /// Columns and rows of `width` x `height`-cell tiles that fit into `area`, `gap` columns apart.
    static func tiles(width: Int, height: Int, in area: Rect, gap: Int) -> (columns: Int, rows: Int) {
        (max(0, (area.width + gap) / max(1, width + gap)), max(0, (area.height + rowGap(gap)) / max(1, height + rowGap(gap))))
    }

    /// How many of `count` images of `width` x `height` pixels fit into `area` at their own size.
    public static func fittingNatively(count: Int, width: Int, height: Int, in area: Rect, gap: Int = 1) -> Int {
        guard width > 0, height > 0 else { return 0 }
        let t = tiles(width: width, height: (height + 1) / 2, in: area, gap: gap)
        return min(count, t.columns * t.rows)
    }

    /// The largest tile (whole enlargement, or whole reduction down to 1/4) that fits `count`
    /// images of `width` x `height` pixels into `area`, tiles `gap` columns apart — or, when that
    /// would shrink them, at least `minShown` of them at a larger size (the rest left out).
    public static func layout(count: Int, width: Int, height: Int, in area: Rect, gap: Int = 1, minShown: Int? = nil) -> Layout {
        let empty = Layout(tileWidth: 0, tileHeight: 0, columns: 0, rows: 0, shown: 0)
        guard count > 0, width > 0, height > 0, !area.isEmpty else { return empty }
        var sizes: [(Int, Int)] = (1...12).reversed().map { (width * $0, height * $0) }
        sizes += (2...4).map { ((width + $0 - 1) / $0, (height + $0 - 1) / $0) }
        func fit(_ s: (Int, Int)) -> Layout {
            let tw = s.0, th = (s.1 + 1) / 2
            let (cols, rows) = tiles(width: tw, height: th, in: area, gap: gap)
            return Layout(tileWidth: tw, tileHeight: th, columns: cols, rows: rows, shown: min(count, cols * rows))
        }
        let enough = min(count, max(1, minShown ?? count))
        for s in sizes {
            var l = fit(s)
            if l.shown >= enough {
                // Use as few rows as the images need, and spread columns evenly over them.
                l.rows = (count + l.columns - 1) / l.columns
                l.columns = (count + l.rows - 1) / l.rows
                return l
            }
        }
        var l = fit(sizes.last!)
        guard l.shown > 0 else { return empty }
        l.rows = (l.shown + l.columns - 1) / l.columns
        return l
    }

    /// Draws images into `area`, tiled by `layout(...)`. - Returns: how many were shown.
    @discardableResult
    public static func render(_ images: [PixelImage], into grid: inout Grid, area: Rect, theme: Theme, gap: Int = 1, minShown: Int? = nil) -> Int {
        guard let first = images.first else { return 0 }
        let l = layout(count: images.count, width: first.width, height: first.height, in: area, gap: gap, minShown: minShown)
        for i in 0..<l.shown {
            HalfBlockImage(images[i]).render(into: &grid, area: l.rect(i, in: area, gap: gap), theme: theme)
        }
        return l.shown
    }
}

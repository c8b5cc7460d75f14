/// An image drawn with half blocks: each cell is `▀` with fg = the upper pixel and bg = the
/// lower one, so a cell shows two square-ish pixels.
///
/// The image is scaled by a WHOLE factor with nearest neighbour (chafa/timg style, pixels stay
/// crisp): the largest factor that fits the area (capped by `maxScale`), or, when the image is
/// larger than the area, sampled every d-th pixel for the smallest d that fits. It is centred;
/// the rest of the area is background. An odd pixel height leaves the bottom half of the last
/// row at the background colour. ASCII glyphs: one density character per cell (`" .:-=+*#%@"`
/// by contrast against the background) coloured with the mean of its two pixels.
public struct HalfBlockImage: Widget, Hashable, Sendable {
    public var image: PixelImage
    /// The largest whole enlargement allowed (nil: as large as fits).
    public var maxScale: Int?

    public init(_ image: PixelImage, maxScale: Int? = nil) {
        self.image = image
        self.maxScale = maxScale
    }

    /// A heat map: a (height, width) scalar field through a colour ramp (pass `theme.graphRamp`
    /// for the theme's), between `lower` and `upper` (nil: the finite min and max).
    public static func heatMap(width: Int, height: Int, values: [Float], ramp: ColorRamp,
                               lower: Float? = nil, upper: Float? = nil, maxScale: Int? = nil) -> HalfBlockImage {
        HalfBlockImage(PixelImage(width: width, height: height, scalars: values, ramp: ramp, lower: lower, upper: upper),
                       maxScale: maxScale)
    }

    /// How the image maps onto an area of `columns` x `rows` cells.
    public struct Placement: Hashable, Sendable {
        /// Enlargement factor (≥ 1) — each source pixel becomes scale x scale pixels.
        public var scale: Int
        /// Sampling step (≥ 1) — every step-th source pixel is used when shrinking.
        public var step: Int
        /// Size of the drawn picture in pixels (cells: width x ceil(height / 2)).
        public var pixelWidth: Int
        public var pixelHeight: Int

        public init(scale: Int, step: Int, pixelWidth: Int, pixelHeight: Int) {
            self.scale = scale
            self.step = step
            self.pixelWidth = pixelWidth
            self.pixelHeight = pixelHeight
        }
    }

    /// The scale (or step) and drawn size for an area of `columns` x `rows` cells (2 pixels a row).
    public func placement(columns: Int, rows: Int) -> Placement {
        let w = image.width, h = image.height
        let availW = max(0, columns), availH = max(0, rows) * 2
        guard w > 0, h > 0, availW > 0, availH > 0 else { return Placement(scale: 1, step: 1, pixelWidth: 0, pixelHeight: 0) }
        if w <= availW && h <= availH {
            var scale = max(1, min(availW / w, availH / h))
            if let maxScale { scale = max(1, min(scale, maxScale)) }
            return Placement(scale: scale, step: 1, pixelWidth: w * scale, pixelHeight: h * scale)
        }
        let step = max((w + availW - 1) / availW, (h + availH - 1) / availH)
        return Placement(scale: 1, step: step, pixelWidth: (w + step - 1) / step, pixelHeight: (h + step - 1) / step)
    }

    public func render(into grid: inout Grid, area: Rect, theme: Theme) {
        guard !area.isEmpty else { return }
        grid.fill(area, with: theme.blank)
        let p = placement(columns: area.width, rows: area.height)
        guard p.pixelWidth > 0, p.pixelHeight > 0 else { return }
        let cellRows = (p.pixelHeight + 1) / 2
        let origin = area.centered(width: p.pixelWidth, height: cellRows)
        // Drawn pixel (px, py) comes from source pixel (px / scale * step, py / scale * step).
        func source(_ px: Int, _ py: Int) -> RGB {
            let sx = min(px / p.scale * p.step, image.width - 1)
            let sy = min(py / p.scale * p.step, image.height - 1)
            return image.color(x: sx, y: sy)
        }
        let ascii = grid.glyphs == .ascii
        let bgLuma = theme.mainBg.luma
        for row in 0..<cellRows {
            for px in 0..<p.pixelWidth {
                let upper = source(px, 2 * row)
                let lower = 2 * row + 1 < p.pixelHeight ? source(px, 2 * row + 1) : theme.mainBg
                let cell: Cell
                if ascii {
                    let mean = upper.mixed(with: lower, 0.5)
                    cell = Cell(grid.glyphs.density(abs(mean.luma - bgLuma)), fg: mean, bg: theme.mainBg)
                } else {
                    cell = Cell(grid.glyphs.upperHalf, fg: upper, bg: lower)
                }
                grid.set(x: origin.x + px, y: origin.y + row, cell: cell)
            }
        }
    }
}

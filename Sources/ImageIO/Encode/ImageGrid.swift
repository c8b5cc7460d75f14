/// Tiling images into one, like torchvision's `utils.make_grid`.
public enum ImageGrid {
    /// Lays `images` out in rows of `nrow`, each surrounded by `padding` pixels of `padValue`.
    ///
    /// Same geometry as torchvision's `make_grid(tensor, nrow, padding, pad_value)`: columns =
    /// min(nrow, count), rows = ceil(count / columns), output size
    /// (rows·(H + padding) + padding) x (columns·(W + padding) + padding), image k at row k / columns,
    /// column k % columns, top-left corner at (col·(W + padding) + padding, row·(H + padding) + padding).
    /// Unlike torchvision, a single image is padded too (torchvision returns it as is).
    ///
    /// - Parameters:
    ///   - images: at least one image, all the same size (a programmer mistake otherwise).
    ///   - nrow: images per row (torchvision's name; it counts columns), >= 1.
    ///   - padding: pixels between and around images, >= 0.
    ///   - padValue: gray level of the padding and of unused cells, in [0, 1].
    public static func makeGrid(_ images: [RGBImage], nrow: Int = 8, padding: Int = 2, padValue: Float = 0) -> RGBImage {
        precondition(!images.isEmpty, "makeGrid: no images")
        precondition(nrow >= 1 && padding >= 0, "makeGrid: nrow \(nrow) must be >= 1 and padding \(padding) >= 0")
        let w = images[0].width, h = images[0].height
        for (k, image) in images.enumerated() where image.width != w || image.height != h {
            preconditionFailure("makeGrid: image \(k) is \(image.width)x\(image.height), image 0 is \(w)x\(h)")
        }
        let columns = min(nrow, images.count)
        let rows = (images.count + columns - 1) / columns
        let cellW = w + padding, cellH = h + padding
        let gridW = columns * cellW + padding, gridH = rows * cellH + padding
        var pixels = [Float](repeating: padValue, count: 3 * gridW * gridH)  // (3, gridH, gridW)
        pixels.withUnsafeMutableBufferPointer { dst in
            for (k, image) in images.enumerated() {
                let x0 = (k % columns) * cellW + padding, y0 = (k / columns) * cellH + padding
                image.pixels.withUnsafeBufferPointer { src in
                    for c in 0..<3 {
                        for y in 0..<h {
                            let s = (c * h + y) * w
                            let d = (c * gridH + y0 + y) * gridW + x0
                            for x in 0..<w { dst[d + x] = src[s + x] }
                        }
                    }
                }
            }
        }
        return RGBImage(width: gridW, height: gridH, pixels: pixels)
    }

    /// The images of a grid `makeGrid` wrote, cut out again (the workbench shows the newest grid
    /// of a run another process writes).
    /// - Parameters:
    ///   - count: images in the grid; nil takes every full cell.
    ///   - tile: their side in pixels (square images).
    ///   - nrow, padding: as given to `makeGrid`; nrow nil is its default for `count`, the rounded-up
    ///     square root.
    /// - Returns: nil when the grid's size does not fit that geometry.
    public static func split(_ grid: RGBImage, count: Int?, tile: Int, nrow: Int? = nil, padding: Int = 2) -> [RGBImage]? {
        guard tile > 0, padding >= 0 else { return nil }
        let cell = tile + padding
        let columns = (grid.width - padding) / cell, rows = (grid.height - padding) / cell
        guard columns >= 1, rows >= 1, columns * cell + padding == grid.width, rows * cell + padding == grid.height else { return nil }
        let n = min(count ?? columns * rows, columns * rows)
        if let nrow, min(nrow, n) != columns { return nil }
        let plane = grid.width * grid.height
        return (0..<n).map { k in
            let x0 = (k % columns) * cell + padding, y0 = (k / columns) * cell + padding
            var px = [Float](repeating: 0, count: 3 * tile * tile)
            for c in 0..<3 {
                for y in 0..<tile {
                    let s = c * plane + (y0 + y) * grid.width + x0
                    for x in 0..<tile { px[(c * tile + y) * tile + x] = grid.pixels[s + x] }
                }
            }
            return RGBImage(width: tile, height: tile, pixels: px)
        }
    }
}

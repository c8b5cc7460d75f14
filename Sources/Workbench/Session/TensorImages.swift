import DiffusionEngine
import ImageIO

/// Conversions between the engine's tensors in [-1, 1] and ImageIO's images in [0, 1].
public enum TensorImages {
    /// (N,3,H,W) or (N,1,H,W) in [-1,1] -> N images in [0,1] (clamped; grey repeats its one
    /// plane as red, green and blue).
    public static func images(_ x: Tensor) -> [RGBImage] {
        let (n, c, h, w) = x.nchw("TensorImages.images")
        precondition(c == 3 || c == 1, "TensorImages.images: need 3 or 1 channels, got \(x.shapeDescription)")
        let plane = h * w, per = c * plane
        return (0..<n).map { i in
            let px = (0..<3 * plane).map { j in min(1, max(0, (x.data[i * per + (j % per)] + 1) / 2)) }
            return RGBImage(width: w, height: h, pixels: px)
        }
    }

    /// A torchvision-style grid PNG (2-pixel padding, `nrow` images a row) written atomically.
    public static func writeGrid(_ x: Tensor, nrow: Int? = nil, to path: String) throws {
        let imgs = images(x)
        let rowCount = nrow ?? max(1, Int(Double(imgs.count).squareRoot().rounded(.up)))
        try PNGEncoder.write(ImageGrid.makeGrid(imgs, nrow: rowCount, padding: 2), to: path)
    }
}

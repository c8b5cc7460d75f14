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

    /// Inputs and their reconstructions as one grid: a row of up to 8 inputs, the row of their
    /// reconstructions under it, and so on (2-pixel padding), written atomically.
    /// - Parameters: inputs, outputs: (K, C, H, W) each.
    public static func writePairs(inputs: Tensor, outputs: Tensor, to path: String) throws {
        let (rows, nrow) = pairRows(inputs: inputs, outputs: outputs)
        try writeGrid(rows, nrow: nrow, to: path)
    }

    /// (2K', C, H, W): chunks of `nrow` inputs, each followed by the same chunk of outputs; when
    /// K > nrow the last chunk is padded with white tiles (K' = K rounded up to nrow) so every
    /// reconstruction stays under its input.
    public static func pairRows(inputs: Tensor, outputs: Tensor, perRow: Int = 8) -> (images: Tensor, nrow: Int) {
        precondition(inputs.shape == outputs.shape, "pairRows: inputs \(inputs.shapeDescription) vs outputs \(outputs.shapeDescription)")
        let k = inputs.shape[0], per = inputs.count / max(k, 1), nrow = max(1, min(perRow, k))
        let padded = (k + nrow - 1) / nrow * nrow
        let blank = [Float](repeating: 1, count: (padded - k) * per)
        let a = inputs.data + blank, b = outputs.data + blank
        var data: [Float] = []
        data.reserveCapacity(2 * padded * per)
        for start in stride(from: 0, to: padded, by: nrow) {
            data += a[(start * per)..<((start + nrow) * per)]
            data += b[(start * per)..<((start + nrow) * per)]
        }
        return (Tensor(shape: [2 * padded] + Array(inputs.shape.dropFirst()), data: data), nrow)
    }
}

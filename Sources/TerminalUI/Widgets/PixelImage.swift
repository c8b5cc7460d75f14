/// An RGB image as the terminal widgets take it: floats in [0, 1], interleaved.
///
/// `pixels` has shape (height, width, 3), row-major, channels R, G, B interleaved — index
/// `(y * width + x) * 3 + c`. Values outside [0, 1] are clamped when drawn, NaN draws as 0.
/// `init(width:height:planar:)` converts the (3, height, width) layout of an NCHW tensor slice;
/// map a model's [-1, 1] output to [0, 1] before handing it over.
public struct PixelImage: Hashable, Sendable {
    public let width: Int
    public let height: Int
    /// (height, width, 3) interleaved RGB in [0, 1].
    public private(set) var pixels: [Float]

    /// - Parameter interleaved: (height, width, 3) values.
    public init(width: Int, height: Int, interleaved: [Float]) {
        precondition(width >= 0 && height >= 0 && interleaved.count == width * height * 3,
                     "PixelImage: \(interleaved.count) values do not make (H, W, 3) = (\(height), \(width), 3)")
        self.width = width
        self.height = height
        self.pixels = interleaved
    }

    /// - Parameter planar: (3, height, width) values: all of R, then all of G, then all of B.
    public init(width: Int, height: Int, planar: [Float]) {
        precondition(width >= 0 && height >= 0 && planar.count == width * height * 3,
                     "PixelImage: \(planar.count) values do not make (3, H, W) = (3, \(height), \(width))")
        let plane = width * height
        var out = [Float](repeating: 0, count: plane * 3)
        for i in 0..<plane {
            out[i * 3] = planar[i]
            out[i * 3 + 1] = planar[plane + i]
            out[i * 3 + 2] = planar[2 * plane + i]
        }
        self.init(width: width, height: height, interleaved: out)
    }

    /// A greyscale image from (height, width) values in [0, 1].
    public init(width: Int, height: Int, grey: [Float]) {
        precondition(width >= 0 && height >= 0 && grey.count == width * height,
                     "PixelImage: \(grey.count) values do not make (H, W) = (\(height), \(width))")
        var out = [Float](repeating: 0, count: grey.count * 3)
        for (i, v) in grey.enumerated() {
            out[i * 3] = v
            out[i * 3 + 1] = v
            out[i * 3 + 2] = v
        }
        self.init(width: width, height: height, interleaved: out)
    }

    /// A scalar field (height, width) coloured along `ramp` between `lower` and `upper`
    /// (nil bounds: the min and max of the finite values; NaN maps to the ramp's start).
    public init(width: Int, height: Int, scalars: [Float], ramp: ColorRamp, lower: Float? = nil, upper: Float? = nil) {
        precondition(width >= 0 && height >= 0 && scalars.count == width * height,
                     "PixelImage: \(scalars.count) values do not make (H, W) = (\(height), \(width))")
        let finite = scalars.filter(\.isFinite)
        let lo = lower ?? finite.min() ?? 0
        let hi = upper ?? finite.max() ?? 1
        var out = [Float](repeating: 0, count: scalars.count * 3)
        for (i, v) in scalars.enumerated() {
            let c = ramp.color(of: v.isFinite ? v : lo, lower: lo, upper: hi)
            out[i * 3] = Float(c.r) / 255
            out[i * 3 + 1] = Float(c.g) / 255
            out[i * 3 + 2] = Float(c.b) / 255
        }
        self.init(width: width, height: height, interleaved: out)
    }

    /// The colour of pixel (x, y) (clamped to 8 bits).
    public func color(x: Int, y: Int) -> RGB {
        let i = (y * width + x) * 3
        return RGB(unit: pixels[i], pixels[i + 1], pixels[i + 2])
    }
}

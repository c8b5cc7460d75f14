/// An RGB image with `Float` samples in [0, 1], stored planar (CHW) like one item of an NCHW batch.
///
/// `pixels` holds `3 * height * width` values: the whole red plane (row by row, top row first),
/// then green, then blue. Index of channel `c`, row `y`, column `x`: `(c * height + y) * width + x`.
/// Planar rather than interleaved because the engine's tensors are NCHW: a training batch is one
/// copy per image. Values are sRGB-encoded (as stored in the file, no gamma decoding); alpha is
/// gone by the time an image becomes an `RGBImage` (composited over white when decoding).
public struct RGBImage: Equatable, Sendable {
    /// Columns.
    public let width: Int
    /// Rows.
    public let height: Int
    /// Samples, planar CHW: (3, height, width), values in [0, 1].
    public var pixels: [Float]

    /// Number of colour planes (always 3: red, green, blue).
    public static let channels = 3

    /// Wraps existing planar samples.
    ///
    /// - Parameters:
    ///   - width: columns, >= 1.
    ///   - height: rows, >= 1.
    ///   - pixels: (3, height, width) planar samples in [0, 1].
    public init(width: Int, height: Int, pixels: [Float]) {
        precondition(width > 0 && height > 0, "RGBImage: size \(width)x\(height) must be positive")
        precondition(pixels.count == 3 * width * height,
                     "RGBImage: \(pixels.count) samples do not match (3,\(height),\(width))")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// An image filled with one colour.
    ///
    /// - Parameters:
    ///   - red, green, blue: the colour, each in [0, 1].
    public init(width: Int, height: Int, red: Float, green: Float, blue: Float) {
        precondition(width > 0 && height > 0, "RGBImage: size \(width)x\(height) must be positive")
        let plane = width * height
        var pixels = [Float](repeating: red, count: 3 * plane)
        for i in plane..<(2 * plane) { pixels[i] = green }
        for i in (2 * plane)..<(3 * plane) { pixels[i] = blue }
        self.init(width: width, height: height, pixels: pixels)
    }

    /// Samples per plane (`width * height`).
    public var planeSize: Int { width * height }

    /// The sample of channel `c` (0 red, 1 green, 2 blue) at column `x`, row `y`.
    public subscript(c: Int, y: Int, x: Int) -> Float {
        get { pixels[(c * height + y) * width + x] }
        set { pixels[(c * height + y) * width + x] = newValue }
    }

    /// Converts from interleaved 8-bit RGB (`r g b r g b ...`, rows top first), dividing by 255.
    ///
    /// - Parameter rgb8: `3 * width * height` bytes.
    public init(width: Int, height: Int, interleavedRGB8 rgb8: [UInt8]) {
        precondition(rgb8.count == 3 * width * height,
                     "RGBImage: \(rgb8.count) bytes do not match \(width)x\(height)x3")
        let plane = width * height
        let scale: Float = 1 / 255
        // Every value is written below: no zero fill first (a 512x512 image is 3 MB of floats).
        let pixels = [Float](unsafeUninitializedCapacity: 3 * plane) { dst, initialized in
            rgb8.withUnsafeBufferPointer { src in
                for i in 0..<plane {
                    dst[i] = Float(src[3 * i]) * scale
                    dst[plane + i] = Float(src[3 * i + 1]) * scale
                    dst[2 * plane + i] = Float(src[3 * i + 2]) * scale
                }
            }
            initialized = 3 * plane
        }
        self.init(width: width, height: height, pixels: pixels)
    }

    /// Interleaved 8-bit RGB (`r g b r g b ...`, rows top first), as PNG encoders and terminals want.
    ///
    /// Each sample is clamped to [0, 1] and rounded half up: `floor(v * 255 + 0.5)`, the same
    /// mapping as torchvision's `save_image`. NaN becomes 0.
    public func interleavedRGB8() -> [UInt8] {
        let plane = planeSize
        var out = [UInt8](repeating: 0, count: 3 * plane)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for i in 0..<plane {
                    dst[3 * i] = RGBImage.byte(src[i])
                    dst[3 * i + 1] = RGBImage.byte(src[plane + i])
                    dst[3 * i + 2] = RGBImage.byte(src[2 * plane + i])
                }
            }
        }
        return out
    }

    /// One [0, 1] sample to a byte, clamped, round half up; NaN -> 0.
    @inline(__always)
    public static func byte(_ value: Float) -> UInt8 {
        let scaled = value * 255 + 0.5
        guard scaled > 0 else { return 0 }  // also catches NaN
        return scaled >= 255 ? 255 : UInt8(scaled)
    }
}

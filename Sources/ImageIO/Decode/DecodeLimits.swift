/// Size limits checked from the header, before any pixel memory is allocated.
///
/// A 100000x100000 PNG is a few hundred bytes on disk and 40 GB in memory: a decompression bomb.
/// The defaults allow anything a photo dataset holds (16384 px a side, 64 Mpixels).
public struct DecodeLimits: Sendable, Equatable {
    /// Largest width or height in pixels.
    public var maxSide: Int
    /// Largest width * height.
    public var maxPixels: Int
    /// Most scans a progressive JPEG may have (a crafted file with thousands is a CPU bomb).
    public var maxJPEGScans: Int

    public init(maxSide: Int = 16384, maxPixels: Int = 64 * 1024 * 1024, maxJPEGScans: Int = 500) {
        self.maxSide = maxSide
        self.maxPixels = maxPixels
        self.maxJPEGScans = maxJPEGScans
    }

    public static let standard = DecodeLimits()

    /// Throws when `width` x `height` breaks a limit (or is empty).
    ///
    /// - Parameters:
    ///   - file: named in the error.
    ///   - format: "PNG" or "JPEG", named in the error.
    func check(width: Int, height: Int, file: String, format: String) throws {
        guard width > 0, height > 0 else {
            throw ImageError(file: file, reason: "\(format) header says \(width)x\(height) pixels; the image is empty")
        }
        if width > maxSide || height > maxSide {
            throw ImageError(file: file, reason: "\(format) is \(width)x\(height) pixels; the limit is \(maxSide) pixels a side (refused before decoding)")
        }
        if width * height > maxPixels {
            throw ImageError(file: file, reason: "\(format) is \(width)x\(height) = \(width * height) pixels; the limit is \(maxPixels) pixels (refused before decoding)")
        }
    }
}

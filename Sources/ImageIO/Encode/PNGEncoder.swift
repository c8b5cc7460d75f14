import CPNG

/// Encodes `RGBImage`s as 8-bit RGB PNG files through libpng's simplified write API.
///
/// `png_image_write_to_memory` reports failures in `png_image.message` (libpng's longjmp stays
/// inside libpng), so encoding errors are `ImageError`s, never crashes.
public enum PNGEncoder {
    private static let formatRGB: UInt32 = 0x02  // PNG_FORMAT_RGB: 8-bit, interleaved r g b

    /// The PNG file bytes for `image` (8-bit RGB, samples clamped to [0, 1] and rounded).
    ///
    /// - Parameter name: used in error messages only.
    /// - Throws: `ImageError` if libpng refuses (it should not for a valid image).
    public static func encode(_ image: RGBImage, name: String = "image") throws -> [UInt8] {
        let rgb = image.interleavedRGB8()  // (height, width, 3)
        var png = png_image()
        png.version = UInt32(PNG_IMAGE_VERSION)
        png.width = UInt32(image.width)
        png.height = UInt32(image.height)
        png.format = formatRGB
        defer { png_image_free(&png) }
        let stride = Int32(image.width * 3)

        // Upper bound on the encoded size: libpng's own PNG_IMAGE_PNG_SIZE_MAX is a macro Swift
        // cannot import, so ask once with a nil buffer (libpng compresses twice; the images here
        // are sample grids, small).
        var size = 0
        let sized = rgb.withUnsafeBytes { png_image_write_to_memory(&png, nil, &size, 0, $0.baseAddress, stride, nil) }
        guard sized != 0, size > 0 else {
            throw ImageError(file: name, reason: "PNG encoding failed (libpng: \(PNGDecoder.message(of: png)))")
        }
        var out = [UInt8](repeating: 0, count: size)
        var written = size
        let ok = out.withUnsafeMutableBytes { dst in
            rgb.withUnsafeBytes { src in
                png_image_write_to_memory(&png, dst.baseAddress, &written, 0, src.baseAddress, stride, nil)
            }
        }
        guard ok != 0 else {
            throw ImageError(file: name, reason: "PNG encoding failed (libpng: \(PNGDecoder.message(of: png)))")
        }
        if written < out.count { out.removeLast(out.count - written) }
        return out
    }

    /// Encodes `image` and writes it to `path` atomically (temp file, fsync, rename).
    ///
    /// - Throws: `ImageError` naming `path` and the system's reason.
    public static func write(_ image: RGBImage, to path: String) throws {
        try FileIO.writeAtomically(encode(image, name: path), to: path)
    }
}

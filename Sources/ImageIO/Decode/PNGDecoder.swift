import CPNG

/// PNG decoding through libpng's simplified API.
///
/// The simplified API (`png_image_begin_read_from_memory` / `png_image_finish_read`) keeps
/// libpng's setjmp/longjmp error handling inside libpng and reports failures in
/// `png_image.message`, so no longjmp ever crosses a Swift frame. It accepts every colour type
/// (gray, gray+alpha, palette with or without tRNS, RGB, RGBA), every bit depth and interlacing,
/// and converts to 8-bit RGBA, which is composited over white here.
enum PNGDecoder {
    // libpng's format macros are `|` expressions the importer may not bring in; spelled out:
    private static let formatRGBA: UInt32 = 0x03   // PNG_FORMAT_RGBA = COLOR | ALPHA, 8-bit, non-premultiplied
    private static let flag16BitSRGB: UInt32 = 0x04  // PNG_IMAGE_FLAG_16BIT_sRGB

    /// Decodes a whole PNG file held in memory.
    ///
    /// - Parameters:
    ///   - bytes: the file.
    ///   - file: named in errors.
    ///   - limits: checked against the header before the pixel buffer is allocated.
    /// - Throws: `ImageError` for a corrupt/truncated file or one over the limits.
    static func decode(_ bytes: UnsafeRawBufferPointer, file: String, limits: DecodeLimits) throws -> RGBImage {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }  // a no-op once finish_read has cleaned up
        guard png_image_begin_read_from_memory(&image, bytes.baseAddress, bytes.count) != 0 else {
            throw ImageError(file: file, reason: "not a readable PNG (libpng: \(message(of: image)))")
        }
        let width = Int(image.width), height = Int(image.height)
        try limits.check(width: width, height: height, file: file, format: "PNG")

        image.format = formatRGBA
        // 16-bit files without gAMA/sRGB: treat samples as sRGB like every viewer does (libpng's
        // default assumes linear and would brighten them).
        image.flags |= flag16BitSRGB
        var rgba = [UInt8](repeating: 0, count: width * height * 4)  // (height, width, 4)
        let ok = rgba.withUnsafeMutableBytes { buffer in
            png_image_finish_read(&image, nil, buffer.baseAddress, Int32(width * 4), nil)
        }
        guard ok != 0 else {
            throw ImageError(file: file, reason: "corrupt or truncated PNG (libpng: \(message(of: image)))")
        }
        return compositeOverWhite(rgba, width: width, height: height)
    }

    /// Interleaved 8-bit RGBA (straight alpha) -> planar RGB over a white background.
    ///
    /// Composited on the stored (sRGB) values, out = c·a + 1·(1 − a), as PIL's
    /// `alpha_composite` onto white does: datasets made with PIL look the same.
    static func compositeOverWhite(_ rgba: [UInt8], width: Int, height: Int) -> RGBImage {
        let plane = width * height
        var pixels = [Float](repeating: 0, count: 3 * plane)  // (3, height, width)
        let scale: Float = 1 / 255
        rgba.withUnsafeBufferPointer { src in
            pixels.withUnsafeMutableBufferPointer { dst in
                for i in 0..<plane {
                    let alpha = Float(src[4 * i + 3]) * scale
                    let white = 1 - alpha
                    dst[i] = Float(src[4 * i]) * scale * alpha + white
                    dst[plane + i] = Float(src[4 * i + 1]) * scale * alpha + white
                    dst[2 * plane + i] = Float(src[4 * i + 2]) * scale * alpha + white
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// The NUL-terminated text in `png_image.message`.
    static func message(of image: png_image) -> String {
        var copy = image.message
        let text = withUnsafeBytes(of: &copy) { raw -> String in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
        return text.isEmpty ? "unknown error" : text
    }
}

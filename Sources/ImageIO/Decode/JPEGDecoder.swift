import CJPEGShim

/// JPEG decoding through libjpeg-turbo, behind the setjmp guard in `CJPEGShim`.
///
/// Handles baseline and progressive files, grayscale, YCbCr/RGB and CMYK/YCCK (Adobe's inverted
/// CMYK included). A corrupt or truncated file is an `ImageError`; libjpeg's default error
/// handler (which calls `exit()`) is never installed.
enum JPEGDecoder {
    /// Decodes a whole JPEG file held in memory.
    ///
    /// - Parameters:
    ///   - bytes: the file.
    ///   - file: named in errors.
    ///   - limits: checked against the header before the pixel buffer is allocated.
    /// - Throws: `ImageError` for a corrupt/truncated file or one over the limits.
    static func decode(_ bytes: UnsafeRawBufferPointer, file: String, limits: DecodeLimits) throws -> RGBImage {
        let base = bytes.bindMemory(to: UInt8.self).baseAddress
        var info = ddpm_jpeg_info()
        guard ddpm_jpeg_read_info(base, bytes.count, &info) == 0 else {
            throw ImageError(file: file, reason: "not a readable JPEG (libjpeg: \(message(of: info)))")
        }
        let width = Int(info.width), height = Int(info.height), components = Int(info.components)
        try limits.check(width: width, height: height, file: file, format: "JPEG")

        var samples = [UInt8](repeating: 0, count: width * height * components)  // (height, width, components)
        let status = samples.withUnsafeMutableBufferPointer { out in
            ddpm_jpeg_decode(base, bytes.count, out.baseAddress, out.count, Int32(limits.maxJPEGScans), &info)
        }
        guard status == 0 else {
            throw ImageError(file: file, reason: "corrupt or truncated JPEG (libjpeg: \(message(of: info)))")
        }
        switch components {
        case 1: return expandGray(samples, width: width, height: height)
        case 4: return convertCMYK(samples, width: width, height: height, inverted: info.inverted_cmyk != 0)
        default: return RGBImage(width: width, height: height, interleavedRGB8: samples)
        }
    }

    /// One gray plane copied into all three planes.
    static func expandGray(_ gray: [UInt8], width: Int, height: Int) -> RGBImage {
        let plane = width * height
        var pixels = [Float](repeating: 0, count: 3 * plane)  // (3, height, width)
        for i in 0..<plane {
            let v = Float(gray[i]) / 255
            pixels[i] = v
            pixels[plane + i] = v
            pixels[2 * plane + i] = v
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// Naive CMYK -> RGB: r = (1 − c)(1 − k), and so on (no ICC profile, as PIL and browsers
    /// without colour management do).
    ///
    /// - Parameter inverted: samples are stored as 1 − ink (Adobe/Photoshop files, marked by an
    ///   APP14 marker), so r = c'·k' directly.
    static func convertCMYK(_ cmyk: [UInt8], width: Int, height: Int, inverted: Bool) -> RGBImage {
        let plane = width * height
        var pixels = [Float](repeating: 0, count: 3 * plane)  // (3, height, width)
        for i in 0..<plane {
            var c = Float(cmyk[4 * i]) / 255, m = Float(cmyk[4 * i + 1]) / 255
            var y = Float(cmyk[4 * i + 2]) / 255, k = Float(cmyk[4 * i + 3]) / 255
            if !inverted { c = 1 - c; m = 1 - m; y = 1 - y; k = 1 - k }  // now "paper left": 1 = no ink
            pixels[i] = c * k
            pixels[plane + i] = m * k
            pixels[2 * plane + i] = y * k
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// The NUL-terminated text in `ddpm_jpeg_info.message`.
    static func message(of info: ddpm_jpeg_info) -> String {
        var copy = info.message
        let text = withUnsafeBytes(of: &copy) { raw -> String in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return text.isEmpty ? "unknown error" : text
    }
}

/// Decodes PNG and JPEG files to `RGBImage`, choosing the decoder by magic bytes.
///
/// The file name is only used in messages: a JPEG saved as `cat.png` decodes as a JPEG.
/// Alpha is composited over white; gray becomes three equal planes; 16-bit becomes 8-bit.
public enum ImageDecoder {
    /// Decodes an image file held in memory.
    ///
    /// - Parameters:
    ///   - bytes: the whole file.
    ///   - name: the file's name or path, used in error messages.
    ///   - limits: size limits checked before any pixel memory is allocated.
    /// - Returns: the image, values in [0, 1].
    /// - Throws: `ImageError` ("<name>: <reason>") for unknown/unsupported formats, corrupt or
    ///   truncated data, and images over `limits`.
    public static func decode(_ bytes: [UInt8], name: String, limits: DecodeLimits = .standard) throws -> RGBImage {
        guard let format = ImageFormat.sniff(bytes) else {
            let what = bytes.isEmpty ? "is empty" : "is not a PNG or JPEG (unrecognised first bytes)"
            throw ImageError(file: name, reason: what)
        }
        return try bytes.withUnsafeBytes { raw in
            switch format {
            case .png: return try PNGDecoder.decode(raw, file: name, limits: limits)
            case .jpeg: return try JPEGDecoder.decode(raw, file: name, limits: limits)
            default:
                throw ImageError(file: name, reason: "is a \(format.rawValue) image; only PNG and JPEG are supported (convert it first)")
            }
        }
    }

    /// Reads and decodes an image file.
    ///
    /// - Throws: `ImageError` naming `path` for read failures and everything `decode` throws.
    public static func decodeFile(atPath path: String, limits: DecodeLimits = .standard) throws -> RGBImage {
        try decode(FileIO.readAll(path), name: path, limits: limits)
    }
}

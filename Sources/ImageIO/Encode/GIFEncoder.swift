import CGIF

/// Encodes frames as a looping animated GIF through giflib's encoder (EGif*).
///
/// Palette: one fixed global colour map, a 6x7x6 RGB cube (252 colours: 6 levels of red and
/// blue, 7 of green, to which the eye is most sensitive) plus 4 greys the cube lacks (it has only
/// black and white on its diagonal). Why fixed rather than median cut: every frame of a denoising
/// chain shares one map (no per-frame palette, no colour flicker as noise turns into an image),
/// each pixel maps in constant time, and a pixel's index is a pure function of its colour, which
/// is what makes the output testable. The cost is banding in smooth gradients (no dithering:
/// the frames are small and enlarged, where dither patterns would show as blocks).
///
/// Frames are enlarged by a whole `scale` with nearest neighbour: the palette index of each source
/// pixel is repeated `scale` times along a row and each row `scale` times.
public enum GIFEncoder {
    /// The 256 palette entries as (r, g, b): the cube, index `r·42 + g·6 + b`, then 4 greys.
    public static let palette: [(r: UInt8, g: UInt8, b: UInt8)] = {
        var p: [(r: UInt8, g: UInt8, b: UInt8)] = []
        for r in 0..<6 { for g in 0..<7 { for b in 0..<6 { p.append((level(r, of: 6), level(g, of: 7), level(b, of: 6))) } } }
        for grey in extraGreys { p.append((grey, grey, grey)) }
        return p
    }()

    static let extraGreys: [UInt8] = [51, 102, 153, 204]

    /// Level i of n spread over 0...255.
    static func level(_ i: Int, of n: Int) -> UInt8 { UInt8((Double(i) * 255 / Double(n - 1)).rounded()) }

    /// The palette index nearest to (r, g, b) in [0, 1] by squared RGB distance: the cube's
    /// nearest point (each channel rounded to its own levels), or one of the extra greys if closer.
    public static func index(r: Float, g: Float, b: Float) -> UInt8 {
        func q(_ v: Float, _ n: Int) -> Int { Int((min(1, max(0, v)) * Float(n - 1)).rounded()) }
        let (ri, gi, bi) = (q(r, 6), q(g, 7), q(b, 6))
        var best = ri * 42 + gi * 6 + bi
        let c = (Float(palette[best].r), Float(palette[best].g), Float(palette[best].b))
        let x = (min(1, max(0, r)) * 255, min(1, max(0, g)) * 255, min(1, max(0, b)) * 255)
        func d(_ p: (Float, Float, Float)) -> Float { (p.0 - x.0) * (p.0 - x.0) + (p.1 - x.1) * (p.1 - x.1) + (p.2 - x.2) * (p.2 - x.2) }
        var bestD = d(c)
        for (k, grey) in extraGreys.enumerated() where d((Float(grey), Float(grey), Float(grey))) < bestD {
            bestD = d((Float(grey), Float(grey), Float(grey)))
            best = 252 + k
        }
        return UInt8(best)
    }

    /// The GIF file bytes of `frames` (all one size), looping forever (NETSCAPE2.0).
    /// - Parameters:
    ///   - delays: each frame's display time in hundredths of a second (one per frame).
    ///   - scale: whole enlargement factor, ≥ 1.
    ///   - name: used in error messages only.
    /// - Throws: `ImageError` when giflib refuses.
    public static func encode(_ frames: [RGBImage], delays: [Int], scale: Int = 1, name: String = "animation") throws -> [UInt8] {
        precondition(!frames.isEmpty && delays.count == frames.count && scale >= 1, "GIFEncoder: frames \(frames.count), delays \(delays.count), scale \(scale)")
        let w = frames[0].width, h = frames[0].height
        precondition(frames.allSatisfy { $0.width == w && $0.height == h }, "GIFEncoder: frames of different sizes")
        let W = w * scale, H = h * scale
        guard W <= 65535 && H <= 65535 else { throw ImageError(file: name, reason: "\(W)x\(H) is larger than GIF's 65535 pixels a side") }
        let sink = Sink()
        var error: Int32 = 0
        let gif: UnsafeMutablePointer<GifFileType>? = withExtendedLifetime(sink) {
            EGifOpen(Unmanaged.passUnretained(sink).toOpaque(), { file, data, count in
                let s = Unmanaged<Sink>.fromOpaque(file!.pointee.UserData).takeUnretainedValue()
                s.bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(count)))
                return count
            }, &error)
        }
        guard let gif else { throw failure(name, error) }
        var open = true
        defer { if open { EGifCloseFile(gif, &error) } }
        EGifSetGifVersion(gif, true)  // GIF89a: the loop and delay extensions need it
        let colours = palette.map { GifColorType(Red: $0.r, Green: $0.g, Blue: $0.b) }
        guard let map = GifMakeMapObject(256, colours) else { throw ImageError(file: name, reason: "GIF encoding failed (no memory for the palette)") }
        defer { GifFreeMapObject(map) }
        try check(EGifPutScreenDesc(gif, Int32(W), Int32(H), 8, 0, map), gif, name)
        // NETSCAPE2.0 application extension: sub-block 1, loop count 0 = forever.
        try check(EGifPutExtensionLeader(gif, APPLICATION_EXT_FUNC_CODE), gif, name)
        try check(EGifPutExtensionBlock(gif, 11, Array("NETSCAPE2.0".utf8)), gif, name)
        try check(EGifPutExtensionBlock(gif, 3, [1, 0, 0]), gif, name)
        try check(EGifPutExtensionTrailer(gif), gif, name)
        var row = [GifPixelType](repeating: 0, count: W)
        for (frame, delay) in zip(frames, delays) {
            var gcb = GraphicsControlBlock(DisposalMode: DISPOSE_DO_NOT, UserInputFlag: false, DelayTime: Int32(delay), TransparentColor: NO_TRANSPARENT_COLOR)
            var ext = [GifByteType](repeating: 0, count: 4)
            let n = EGifGCBToExtension(&gcb, &ext)
            try check(EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, Int32(n), ext), gif, name)
            try check(EGifPutImageDesc(gif, 0, 0, Int32(W), Int32(H), false, nil), gif, name)
            let plane = w * h, px = frame.pixels
            for y in 0..<h {
                for x in 0..<w {
                    let i = index(r: px[y * w + x], g: px[plane + y * w + x], b: px[2 * plane + y * w + x])
                    for k in 0..<scale { row[x * scale + k] = i }
                }
                for _ in 0..<scale { try check(EGifPutLine(gif, &row, Int32(W)), gif, name) }
            }
        }
        open = false
        guard EGifCloseFile(gif, &error) == GIF_OK else { throw failure(name, error) }
        return sink.bytes
    }

    /// Encodes and writes atomically (`FileIO.writeAtomically`).
    public static func write(_ frames: [RGBImage], delays: [Int], scale: Int = 1, to path: String) throws {
        try FileIO.writeAtomically(encode(frames, delays: delays, scale: scale, name: path), to: path)
    }

    /// Collects the bytes giflib writes.
    private final class Sink { var bytes: [UInt8] = [] }

    private static func check(_ rc: Int32, _ gif: UnsafeMutablePointer<GifFileType>, _ name: String) throws {
        if rc != GIF_OK { throw failure(name, gif.pointee.Error) }
    }

    private static func failure(_ name: String, _ code: Int32) -> ImageError {
        ImageError(file: name, reason: "GIF encoding failed (giflib: \(GifErrorString(code).map { String(cString: $0) } ?? "error \(code)"))")
    }
}

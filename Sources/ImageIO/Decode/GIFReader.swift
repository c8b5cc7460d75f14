import CGIF

/// What a GIF file holds, read whole with giflib's decoder (`DGifSlurp`): what tests and tools
/// check written animations against.
public struct GIFFile: Sendable {
    /// The logical screen.
    public let width: Int
    public let height: Int
    /// Each frame's palette indices, row-major (frame size as its image descriptor says).
    public let frames: [[UInt8]]
    /// Each frame's size.
    public let frameSizes: [(width: Int, height: Int)]
    /// Each frame's delay in hundredths of a second (0 without a graphics control extension).
    public let delays: [Int]
    /// The global colour map as (r, g, b).
    public let palette: [(r: UInt8, g: UInt8, b: UInt8)]
    /// The NETSCAPE2.0 loop count (0 = forever), nil without the extension.
    public let loopCount: Int?

    /// Reads and decodes `path`.
    /// - Throws: `ImageError` with giflib's reason.
    public init(path: String) throws {
        var error: Int32 = 0
        guard let gif = DGifOpenFileName(path, &error) else { throw Self.failure(path, error) }
        defer { DGifCloseFile(gif, &error) }
        guard DGifSlurp(gif) == GIF_OK else { throw Self.failure(path, gif.pointee.Error) }
        let g = gif.pointee
        width = Int(g.SWidth)
        height = Int(g.SHeight)
        var palette: [(r: UInt8, g: UInt8, b: UInt8)] = []
        if let map = g.SColorMap?.pointee {
            palette = (0..<Int(map.ColorCount)).map { (map.Colors[$0].Red, map.Colors[$0].Green, map.Colors[$0].Blue) }
        }
        self.palette = palette
        var frames: [[UInt8]] = [], sizes: [(width: Int, height: Int)] = [], delays: [Int] = []
        var loop: Int?
        for i in 0..<Int(g.ImageCount) {
            let image = g.SavedImages[i]
            let (w, h) = (Int(image.ImageDesc.Width), Int(image.ImageDesc.Height))
            frames.append(Array(UnsafeBufferPointer(start: image.RasterBits, count: w * h)))
            sizes.append((w, h))
            var gcb = GraphicsControlBlock()
            delays.append(DGifSavedExtensionToGCB(gif, Int32(i), &gcb) == GIF_OK ? Int(gcb.DelayTime) : 0)
            let blocks = (0..<Int(image.ExtensionBlockCount)).map { image.ExtensionBlocks[$0] }
            for (k, b) in blocks.enumerated() where b.Function == APPLICATION_EXT_FUNC_CODE && b.ByteCount == 11 {
                let id = String(decoding: UnsafeBufferPointer(start: b.Bytes, count: 11), as: UTF8.self)
                if id == "NETSCAPE2.0", k + 1 < blocks.count, blocks[k + 1].ByteCount >= 3 {
                    let d = blocks[k + 1].Bytes!
                    loop = Int(d[1]) | Int(d[2]) << 8
                }
            }
        }
        self.frames = frames
        frameSizes = sizes
        self.delays = delays
        loopCount = loop
    }

    private static func failure(_ path: String, _ code: Int32) -> ImageError {
        ImageError(file: path, reason: "GIF decoding failed (giflib: \(GifErrorString(code).map { String(cString: $0) } ?? "error \(code)"))")
    }
}

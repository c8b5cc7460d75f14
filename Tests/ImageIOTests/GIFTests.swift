import Foundation
import ImageIO
import Testing

/// Animated GIFs written with `GIFEncoder`, read back with giflib's decoder (`GIFFile`, DGifSlurp).
@Suite struct GIFTests {
    func temp(_ name: String) -> String {
        FileManager.default.temporaryDirectory.path + "/ddpm-gif-\(name)-" + UUID().uuidString + ".gif"
    }

    @Test func paletteIsTheCubeAndFourGreys() {
        #expect(GIFEncoder.palette.count == 256)
        #expect(GIFEncoder.index(r: 0, g: 0, b: 0) == 0 && GIFEncoder.index(r: 1, g: 1, b: 1) == 251)
        #expect(GIFEncoder.index(r: 1, g: 0, b: 0) == 210 && GIFEncoder.palette[210] == (255, 0, 0))
        #expect(GIFEncoder.index(r: 0, g: 0.5, b: 0) == 18, "green has 7 levels: 0.5 is level 3 (128)")
        #expect(GIFEncoder.palette[18].g == 128)
        #expect(GIFEncoder.index(r: 0.4, g: 0.4, b: 0.4) == 253 && GIFEncoder.palette[253] == (102, 102, 102), "a grey the cube lacks")
        #expect(GIFEncoder.index(r: 2, g: -1, b: 0.2) == GIFEncoder.index(r: 1, g: 0, b: 0.2), "clamped")
    }

    /// Three 3x2 frames enlarged 2x: the screen size, the loop, the delays and one frame's pixels.
    @Test func framesLoopScaleAndPixelsRoundTrip() throws {
        let colours: [(Float, Float, Float)] = [(1, 0, 0), (0, 0, 1), (1, 1, 1), (0, 0, 0), (0.4, 0.4, 0.4), (0, 0.5, 0)]
        var px = [Float](repeating: 0, count: 18)
        for (i, c) in colours.enumerated() { (px[i], px[6 + i], px[12 + i]) = c }
        let middle = RGBImage(width: 3, height: 2, pixels: px)
        let frames = [RGBImage(width: 3, height: 2, red: 1, green: 1, blue: 1), middle, RGBImage(width: 3, height: 2, red: 0, green: 0, blue: 0)]
        let path = temp("roundtrip")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try GIFEncoder.write(frames, delays: [5, 6, 200], scale: 2, to: path)
        let gif = try GIFFile(path: path)
        #expect(gif.width == 6 && gif.height == 4 && gif.frames.count == 3)
        #expect(gif.loopCount == 0, "NETSCAPE2.0, looping forever")
        #expect(gif.delays == [5, 6, 200])
        #expect(gif.palette.count == 256 && gif.palette[251] == (255, 255, 255))
        let indices = colours.map { GIFEncoder.index(r: $0.0, g: $0.1, b: $0.2) }
        #expect(indices == [210, 5, 251, 0, 253, 18])
        let expected: [UInt8] = (0..<4).flatMap { y in (0..<6).map { x in indices[(y / 2) * 3 + x / 2] } }
        #expect(gif.frames[1] == expected)
        #expect(gif.frames[0].allSatisfy { $0 == 251 } && gif.frames[2].allSatisfy { $0 == 0 })
    }

    /// The budget: 64 frames of a 32px chain (x_t | x̂_0 on a 67x34 frame, 4x: 268x136), even of
    /// pure noise, the worst case for LZW, stay under 2 MB.
    @Test func sixtyFourNoiseFramesOfA32PixelChainStayUnderTwoMegabytes() throws {
        var state: UInt64 = 7
        func next() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(state >> 40) / Float(1 << 24)
        }
        let frames = (0..<64).map { _ in RGBImage(width: 67, height: 34, pixels: (0..<3 * 67 * 34).map { _ in next() }) }
        let bytes = try GIFEncoder.encode(frames, delays: [Int](repeating: 6, count: 64), scale: 4)
        #expect(bytes.count < 2_000_000, "\(bytes.count) bytes")
        #expect(Array(bytes.prefix(6)) == Array("GIF89a".utf8))
    }

    @Test func unreadableAndUnwritableFilesAreOneLineErrors() throws {
        #expect(throws: ImageError.self) { try GIFFile(path: "/no/such/file.gif") }
        do {
            try GIFEncoder.write([RGBImage(width: 1, height: 1, red: 0, green: 0, blue: 0)], delays: [1], to: "/no/such/folder/a.gif")
            Issue.record("writing into a missing folder must fail")
        } catch {
            #expect("\(error)".hasPrefix("/no/such/folder/a.gif: cannot create ") && !"\(error)".contains("\n"))
        }
    }
}

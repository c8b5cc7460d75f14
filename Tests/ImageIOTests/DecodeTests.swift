import Testing
import ImageIO

@Suite struct PNGDecodeTests {
    @Test func gray8() throws {
        let image = try Fixture.decode("gray8.png")
        #expect(image.width == 4 && image.height == 3)
        for y in 0..<3 { for x in 0..<4 {
            let v = Double(20 * (y * 4 + x))
            expectPixel(image, x, y, (v, v, v))
        } }
    }

    @Test func gray2BitExpandsToFullRange() throws {
        let image = try Fixture.decode("gray2.png")
        #expect(image.width == 5 && image.height == 2)
        for y in 0..<2 { for x in 0..<5 {
            let v = Double(85 * ((x + y) % 4))
            expectPixel(image, x, y, (v, v, v))
        } }
    }

    @Test func gray16IsTreatedAsSRGB() throws {
        // No gAMA chunk: libpng's default would assume linear data and brighten it.
        let image = try Fixture.decode("gray16.png")
        for y in 0..<2 { for x in 0..<3 {
            let v = Double(40 * x + 100 * y)
            expectPixel(image, x, y, (v, v, v))
        } }
    }

    @Test func grayAlphaCompositesOverWhite() throws {
        let image = try Fixture.decode("gray_alpha.png")
        expectPixel(image, 0, 0, (0, 0, 0))          // opaque black
        expectPixel(image, 1, 0, (255, 255, 255))    // transparent -> white
        expectPixel(image, 2, 0, (153, 153, 153))    // black at alpha 102/255 -> 255·(1 − 0.4)
    }

    @Test func palette() throws {
        let image = try Fixture.decode("palette.png")
        let colours: [(Double, Double, Double)] = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0)]
        for y in 0..<2 { for x in 0..<4 { expectPixel(image, x, y, colours[(x + 2 * y) % 4]) } }
    }

    @Test func paletteWithTRNS() throws {
        let image = try Fixture.decode("palette_trns.png")
        expectPixel(image, 0, 0, (255, 0, 0))
        expectPixel(image, 1, 0, (255, 255, 255))
        expectPixel(image, 2, 0, (153, 153, 255))  // blue at 0.4 over white
    }

    @Test func rgb16() throws {
        let image = try Fixture.decode("rgb16.png")
        for y in 0..<2 { for x in 0..<2 { expectPixel(image, x, y, (Double(200 * x), Double(150 * y), 60)) } }
    }

    @Test func rgbaOverWhite() throws {
        let image = try Fixture.decode("rgba.png")
        expectPixel(image, 0, 0, (255, 0, 0))
        expectPixel(image, 1, 0, (255, 255, 255))
        expectPixel(image, 2, 0, (153, 153, 255))
        let image16 = try Fixture.decode("rgba16.png")
        expectPixel(image16, 0, 0, (0, 0, 0))
        expectPixel(image16, 1, 0, (255, 255, 255))
    }

    @Test func adam7Interlaced() throws {
        let image = try Fixture.decode("interlaced.png")
        #expect(image.width == 9 && image.height == 7)
        for y in 0..<7 { for x in 0..<9 {
            expectPixel(image, x, y, (Double(25 * x), Double(30 * y), Double(10 * (x + y))))
        } }
    }

    @Test func truncatedPNGIsAnError() throws {
        let bytes = try Fixture.bytes("interlaced.png")
        for cut in [bytes.count - 20, bytes.count / 2, 40, 12, 3] {
            #expect(throws: ImageError.self) { try ImageDecoder.decode(Array(bytes[0..<cut]), name: "cut.png") }
        }
    }

    @Test func corruptPNGIsAnError() throws {
        var bytes = try Fixture.bytes("interlaced.png")
        for i in 60..<bytes.count - 20 { bytes[i] ^= 0x5A }  // scramble the compressed data
        let error = #expect(throws: ImageError.self) { try ImageDecoder.decode(bytes, name: "scrambled.png") }
        #expect(error?.file == "scrambled.png")
        #expect(error?.description.hasPrefix("scrambled.png: ") == true)
    }

    @Test func bombIsRefusedBeforeDecoding() throws {
        let error = #expect(throws: ImageError.self) { try Fixture.decode("bomb.png") }
        #expect(error?.reason.contains("100000x100000") == true)
        #expect(error?.reason.contains("limit") == true)
    }

    @Test func customLimits() throws {
        let limits = DecodeLimits(maxSide: 8)
        #expect(throws: ImageError.self) { try ImageDecoder.decodeFile(atPath: Fixture.path("interlaced.png"), limits: limits) }
        let pixels = DecodeLimits(maxSide: 100, maxPixels: 62)  // 9x7 = 63
        #expect(throws: ImageError.self) { try ImageDecoder.decodeFile(atPath: Fixture.path("interlaced.png"), limits: pixels) }
        _ = try ImageDecoder.decodeFile(atPath: Fixture.path("interlaced.png"), limits: DecodeLimits(maxSide: 9, maxPixels: 63))
    }
}

@Suite struct JPEGDecodeTests {
    @Test func baselineRGB() throws {
        let image = try Fixture.decode("rgb.jpg")
        #expect(image.width == 32 && image.height == 16)
        expectPixel(image, 4, 4, (220, 30, 40), tolerance: 4)
        expectPixel(image, 28, 12, (30, 60, 200), tolerance: 4)
    }

    @Test func progressive() throws {
        let image = try Fixture.decode("progressive.jpg")
        #expect(image.width == 32 && image.height == 16)
        expectPixel(image, 4, 4, (220, 30, 40), tolerance: 4)
        expectPixel(image, 28, 12, (30, 60, 200), tolerance: 4)
    }

    @Test func grayscale() throws {
        let image = try Fixture.decode("gray.jpg")
        #expect(image.width == 16 && image.height == 8)
        expectPixel(image, 2, 2, (50, 50, 50), tolerance: 3)
        expectPixel(image, 13, 5, (200, 200, 200), tolerance: 3)
    }

    @Test func adobeInvertedCMYK() throws {
        let image = try Fixture.decode("cmyk.jpg")
        #expect(image.width == 16 && image.height == 8)
        expectPixel(image, 2, 3, (255, 0, 0), tolerance: 4)          // C=0 M=Y=255 K=0
        expectPixel(image, 13, 3, (127, 127, 127), tolerance: 4)     // K=128 only
    }

    @Test func sniffedNotNamed() throws {
        // A JPEG called .png decodes as JPEG.
        let image = try Fixture.decode("really_a_jpeg.png")
        expectPixel(image, 4, 4, (220, 30, 40), tolerance: 4)
        #expect(ImageFormat.sniff(try Fixture.bytes("really_a_jpeg.png")) == .jpeg)
    }

    @Test func truncatedJPEGIsAnError() throws {
        for name in ["rgb.jpg", "progressive.jpg"] {
            let bytes = try Fixture.bytes(name)
            for cut in [bytes.count - 2, bytes.count * 2 / 3, bytes.count / 3, 4] {
                let error = #expect(throws: ImageError.self, "\(name) cut at \(cut)") {
                    try ImageDecoder.decode(Array(bytes[0..<cut]), name: "cut.jpg")
                }
                #expect(error?.file == "cut.jpg")
            }
        }
    }

    @Test func corruptHeaderIsAnError() throws {
        var bytes = try Fixture.bytes("rgb.jpg")
        // Find SOF0 and claim 0 components: libjpeg's error_exit must come back as an error.
        var i = 2
        while i + 9 < bytes.count {
            let marker = bytes[i + 1], length = Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
            if marker == 0xC0 { bytes[i + 9] = 0; break }
            i += 2 + length
        }
        #expect(throws: ImageError.self) { try ImageDecoder.decode(bytes, name: "bad-sof.jpg") }
        // Garbage after a valid SOI.
        let garbage: [UInt8] = [0xFF, 0xD8, 0xFF] + (0..<200).map { UInt8(truncatingIfNeeded: $0 &* 37) }
        #expect(throws: ImageError.self) { try ImageDecoder.decode(garbage, name: "garbage.jpg") }
    }

    @Test func tooManyProgressiveScansIsAnError() throws {
        // Pillow's progressive file has ~10 scans; a limit of 2 must stop it in the progress hook.
        let limits = DecodeLimits(maxJPEGScans: 2)
        let error = #expect(throws: ImageError.self) {
            try ImageDecoder.decodeFile(atPath: Fixture.path("progressive.jpg"), limits: limits)
        }
        #expect(error?.reason.contains("more than 2 scans") == true)
        _ = try ImageDecoder.decodeFile(atPath: Fixture.path("rgb.jpg"), limits: limits)  // baseline: 1 scan
    }

    @Test func bombIsRefusedBeforeDecoding() throws {
        let error = #expect(throws: ImageError.self) { try Fixture.decode("bomb.jpg") }
        #expect(error?.reason.contains("60000x60000") == true)
    }
}

@Suite struct SniffTests {
    @Test func formats() {
        #expect(ImageFormat.sniff([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0]) == .png)
        #expect(ImageFormat.sniff([0xFF, 0xD8, 0xFF, 0xE0]) == .jpeg)
        #expect(ImageFormat.sniff(Array("GIF89a".utf8)) == .gif)
        #expect(ImageFormat.sniff(Array("RIFF\0\0\0\0WEBPVP8 ".utf8)) == .webp)
        #expect(ImageFormat.sniff(Array("hello".utf8)) == nil)
        #expect(ImageFormat.sniff([UInt8]()) == nil)
    }

    @Test func unsupportedAndUnknownAreErrors() {
        let gif = #expect(throws: ImageError.self) { try ImageDecoder.decode(Array("GIF89a......".utf8), name: "a.gif") }
        #expect(gif?.reason.contains("GIF") == true)
        #expect(throws: ImageError.self) { try ImageDecoder.decode([], name: "empty.png") }
        #expect(throws: ImageError.self) { try ImageDecoder.decode(Array("not an image".utf8), name: "x.png") }
    }

    @Test func missingFileNamesTheFile() {
        let error = #expect(throws: ImageError.self) { try ImageDecoder.decodeFile(atPath: "/nonexistent/cat.png") }
        #expect(error?.description.hasPrefix("/nonexistent/cat.png: ") == true)
    }
}

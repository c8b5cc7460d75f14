import Foundation
import Testing
import ImageIO

@Suite struct PNGEncodeTests {
    @Test func roundTripIsExactAt8Bit() throws {
        // Values on the 8-bit grid survive encode + decode exactly.
        var image = solid(7, 5, 0, 0, 0)
        for c in 0..<3 { for y in 0..<5 { for x in 0..<7 {
            image[c, y, x] = Float((x * 37 + y * 11 + c * 90) % 256) / 255
        } } }
        let png = try PNGEncoder.encode(image)
        #expect(ImageFormat.sniff(png) == .png)
        let back = try ImageDecoder.decode(png, name: "roundtrip.png")
        #expect(back.width == 7 && back.height == 5)
        #expect(back.interleavedRGB8() == image.interleavedRGB8())
        let maxDiff = zip(back.pixels, image.pixels).map { abs($0 - $1) }.max() ?? 1
        #expect(maxDiff < 1e-6)
    }

    @Test func outOfRangeIsClampedAndRounded() {
        let image = RGBImage(width: 2, height: 1, pixels: [-0.5, 1.5, 0.5, .nan, 0.2 / 255, 0.6 / 255])
        // planes: R = [-0.5, 1.5], G = [0.5, nan], B = [0.2/255, 0.6/255]
        #expect(image.interleavedRGB8() == [0, 128, 0, 255, 0, 1])
    }

    @Test func atomicWriteReplacesFileAndLeavesNoTemporary() throws {
        let folder = try TempFolder()
        defer { folder.cleanup() }
        let path = folder.path + "/grid.png"
        try folder.write("grid.png", Array("old content".utf8))
        try PNGEncoder.write(solid(3, 2, 1, 0, 0), to: path)
        let back = try ImageDecoder.decodeFile(atPath: path)
        expectPixel(back, 2, 1, (255, 0, 0))
        let entries = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(entries == ["grid.png"])
    }

    @Test func writeIntoMissingFolderIsAnError() {
        let error = #expect(throws: ImageError.self) {
            try PNGEncoder.write(solid(1, 1, 0, 0, 0), to: "/nonexistent-folder/x.png")
        }
        #expect(error?.file == "/nonexistent-folder/x.png")
    }
}

@Suite struct GridTests {
    @Test func torchvisionGeometry() {
        // 5 images of 3x2, nrow 3, padding 2: 3 columns, 2 rows,
        // width 3·(3+2)+2 = 17, height 2·(2+2)+2 = 10.
        let images = (0..<5).map { k in solid(3, 2, Float(k + 1) / 10, 0.5, 1) }
        let grid = ImageGrid.makeGrid(images, nrow: 3, padding: 2, padValue: 0.25)
        #expect(grid.width == 17 && grid.height == 10)
        // Image k's top-left at ((k % 3)·5 + 2, (k / 3)·4 + 2).
        for k in 0..<5 {
            let x0 = (k % 3) * 5 + 2, y0 = (k / 3) * 4 + 2
            for y in 0..<2 { for x in 0..<3 {
                #expect(grid[0, y0 + y, x0 + x] == Float(k + 1) / 10)
            } }
            #expect(grid[0, y0 - 1, x0] == 0.25)   // padding above
            #expect(grid[0, y0, x0 + 3] == 0.25)   // padding to the right
        }
        // The sixth cell is empty: pad value.
        #expect(grid[1, 7, 13] == 0.25)
        #expect(grid[2, 0, 0] == 0.25)
    }

    @Test func fewerImagesThanNrowUsesOneRow() {
        let grid = ImageGrid.makeGrid([solid(4, 4, 1, 1, 1), solid(4, 4, 1, 1, 1)], nrow: 8, padding: 1)
        #expect(grid.width == 2 * 5 + 1 && grid.height == 6)
    }

    @Test func zeroPadding() {
        let a = solid(2, 2, 1, 0, 0), b = solid(2, 2, 0, 1, 0)
        let grid = ImageGrid.makeGrid([a, b], nrow: 1, padding: 0)
        #expect(grid.width == 2 && grid.height == 4)
        #expect(grid[0, 1, 1] == 1 && grid[1, 2, 0] == 1 && grid[0, 2, 0] == 0)
    }
}

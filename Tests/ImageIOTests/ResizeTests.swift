import Testing
@testable import ImageIO

@Suite struct ResizeTests {
    /// A 1-pixel checkerboard of 0 and 1.
    func checkerboard(_ width: Int, _ height: Int) -> RGBImage {
        var image = solid(width, height, 0, 0, 0)
        for c in 0..<3 { for y in 0..<height { for x in 0..<width { image[c, y, x] = Float((x + y) % 2) } } }
        return image
    }

    @Test(arguments: [ResizeFilter.bilinear, .box])
    func constantStaysConstant(filter: ResizeFilter) {
        let image = solid(37, 23, 0.2, 0.5, 0.9)
        for (w, h) in [(10, 7), (5, 50), (72, 46), (1, 1), (37, 60), (100, 3)] {
            let out = image.resized(width: w, height: h, filter: filter)
            #expect(out.width == w && out.height == h)
            let plane = w * h
            let worst = (0..<3).map { c -> Float in
                let want: Float = [0.2, 0.5, 0.9][c]
                return out.pixels[(c * plane)..<((c + 1) * plane)].map { abs($0 - want) }.max()!
            }.max()!
            #expect(worst < 1e-5, "\(filter) to \(w)x\(h): off by \(worst)")
        }
    }

    /// The resize is the textbook separable sum, bit for bit, whatever the row blocking inside it
    /// (3·H rows: 15 leave a block of 3, 24 none).
    @Test(arguments: [(17, 5, 6, 4), (64, 8, 9, 3), (40, 30, 7, 11), (5, 5, 12, 12)])
    func resizeIsTheTextbookSum(w: Int, h: Int, outW: Int, outH: Int) {
        var image = solid(w, h, 0, 0, 0)
        for i in 0..<image.pixels.count { image.pixels[i] = Float((i * 7919) % 1000) / 999 }
        let across = ResampleTaps(from: w, to: outW, filter: .bilinear), down = ResampleTaps(from: h, to: outH, filter: .bilinear)
        var mid = [Float](repeating: 0, count: 3 * h * outW), want = [Float](repeating: 0, count: 3 * outH * outW)
        for row in 0..<(3 * h) {
            for x in 0..<outW {
                var acc: Float = 0
                for t in 0..<across.count[x] { acc += across.weights[x * across.stride + t] * image.pixels[row * w + across.start[x] + t] }
                mid[row * outW + x] = acc
            }
        }
        for c in 0..<3 {
            for y in 0..<outH {
                for t in 0..<down.count[y] {
                    for x in 0..<outW { want[(c * outH + y) * outW + x] += down.weights[y * down.stride + t] * mid[(c * h + down.start[y] + t) * outW + x] }
                }
            }
        }
        #expect(image.resized(width: outW, height: outH).pixels == want)
    }

    @Test func boxHalvingAveragesCheckerboardExactly() {
        let out = checkerboard(16, 12).resized(width: 8, height: 6, filter: .box)
        #expect(out.pixels.allSatisfy { abs($0 - 0.5) < 1e-6 })
    }

    @Test func bilinearShrinkAveragesCheckerboardAwayFromEdges() {
        // Antialiased: the triangle is widened to the shrink factor, so no aliasing to 0 or 1.
        let out = checkerboard(32, 32).resized(width: 8, height: 8, filter: .bilinear)
        for y in 1..<7 { for x in 1..<7 { #expect(abs(out[0, y, x] - 0.5) < 1e-5) } }
        #expect(out.pixels.allSatisfy { $0 > 0.3 && $0 < 0.7 })  // edges renormalised, still grey
    }

    @Test func nonIntegerShrinkOfCheckerboardStaysGrey() {
        let out = checkerboard(72, 72).resized(width: 36 + 5, height: 36 + 5)
        #expect(out.pixels.allSatisfy { $0 > 0.35 && $0 < 0.65 })
    }

    @Test func bilinearUpscaleInterpolates() {
        // 2 pixels 0 and 1 -> 4 pixels at centres 0.25, 0.75, 1.25, 1.75 in input units:
        // half-pixel bilinear gives 0, 0.25, 0.75, 1 (edges clamp).
        var image = solid(2, 1, 0, 0, 0)
        image[0, 0, 1] = 1
        let out = image.resized(width: 4, height: 1)
        let row = (0..<4).map { out[0, 0, $0] }
        for (got, want) in zip(row, [Float(0), 0.25, 0.75, 1]) { #expect(abs(got - want) < 1e-6, "\(row)") }
    }

    @Test func shorterSide() {
        let wide = solid(200, 100, 0, 0, 0).resized(shorterSide: 36)
        #expect(wide.width == 72 && wide.height == 36)
        let tall = solid(50, 75, 0, 0, 0).resized(shorterSide: 36)
        #expect(tall.width == 36 && tall.height == 54)
    }

    @Test func cropFlipAndCentreCrop() {
        var image = solid(4, 3, 0, 0, 0)
        for y in 0..<3 { for x in 0..<4 { image[0, y, x] = Float(10 * y + x) } }
        let crop = image.cropped(x: 1, y: 1, width: 2, height: 2)
        #expect(crop.pixels[0..<4] == [11, 12, 21, 22])
        let flipped = image.cropped(x: 1, y: 1, width: 2, height: 2, flipHorizontally: true)
        #expect(flipped.pixels[0..<4] == [12, 11, 22, 21])
        let mirror = image.cropped(x: 0, y: 0, width: 4, height: 3, flipHorizontally: true)
        #expect(mirror[0, 2, 0] == 23 && mirror[0, 2, 3] == 20)
        let centre = image.centreCropped(width: 2, height: 1)
        #expect(centre.pixels[0..<2] == [11, 12])
    }

    @Test func courseRecipe() {
        #expect(ImagePreparation.oversizeSide(for: 32) == 36)
        #expect(ImagePreparation.oversizeSide(for: 64) == 72)
        let photo = solid(300, 200, 0.1, 0.2, 0.3)
        let eval = ImagePreparation(size: 32, mode: .eval).prepare(photo)
        #expect(eval.width == 32 && eval.height == 32)
        let train = ImagePreparation(size: 32, mode: .train).prepare(photo)
        #expect(train.width == 54 && train.height == 36)
        expectPixel(eval, 16, 16, (25.5, 51, 76.5), tolerance: 0.01)
    }
}

import Testing
import TerminalUI

let red = RGB(255, 0, 0), green = RGB(0, 255, 0), blue = RGB(0, 0, 255)

/// 2x2: red, green / blue, white.
let tiny = PixelImage(width: 2, height: 2, interleaved: [1, 0, 0, 0, 1, 0,
                                                         0, 0, 1, 1, 1, 1])

@Suite struct PixelImageTests {
    @Test func planarMatchesInterleaved() {
        let planar = PixelImage(width: 2, height: 2, planar: [1, 0, 0, 1,   // R plane
                                                             0, 1, 0, 1,   // G plane
                                                             0, 0, 1, 1])  // B plane
        #expect(planar == tiny)
        #expect(tiny.color(x: 1, y: 1) == .white)
        #expect(PixelImage(width: 1, height: 1, grey: [0.5]).color(x: 0, y: 0) == RGB(128, 128, 128))
        #expect(PixelImage(width: 1, height: 1, interleaved: [2, -1, .nan]).color(x: 0, y: 0) == RGB(255, 0, 0))
    }

    @Test func scalarsThroughRamp() {
        let img = PixelImage(width: 3, height: 1, scalars: [0, 5, 10], ramp: ColorRamp([.black, .white]))
        #expect((0..<3).map { img.color(x: $0, y: 0) } == [.black, RGB(128, 128, 128), .white])
        let fixed = PixelImage(width: 1, height: 1, scalars: [5], ramp: ColorRamp([.black, .white]), lower: 0, upper: 20)
        #expect(fixed.color(x: 0, y: 0) == RGB(64, 64, 64))
    }
}

@Suite struct HalfBlockImageTests {
    @Test func upperPixelIsForegroundLowerIsBackground() {
        let g = rendered(HalfBlockImage(tiny), width: 2, height: 1)
        expectLines(g, ["▀▀"])
        #expect(g.fgRuns(row: 0) == [ColorRun(red, 1), ColorRun(green, 1)])
        #expect(g.bgRuns(row: 0) == [ColorRun(blue, 1), ColorRun(.white, 1)])
    }

    @Test func wholeFactorScalingCentred() {
        let widget = HalfBlockImage(tiny)
        #expect(widget.placement(columns: 6, rows: 2) == .init(scale: 2, step: 1, pixelWidth: 4, pixelHeight: 4))
        let g = rendered(widget, width: 6, height: 2)
        expectLines(g, [" ▀▀▀▀ ", " ▀▀▀▀ "])
        #expect(g.fgRuns(row: 0) == [ColorRun(t.mainFg, 1), ColorRun(red, 2), ColorRun(green, 2), ColorRun(t.mainFg, 1)])
        #expect(g.bgRuns(row: 0) == [ColorRun(t.mainBg, 1), ColorRun(red, 2), ColorRun(green, 2), ColorRun(t.mainBg, 1)])
        #expect(g.bgRuns(row: 1) == [ColorRun(t.mainBg, 1), ColorRun(blue, 2), ColorRun(.white, 2), ColorRun(t.mainBg, 1)])
        // 5 columns cannot take factor 3 (6 pixels): still 2, centred with the odd slack on the right.
        #expect(widget.placement(columns: 5, rows: 9).scale == 2)
    }

    @Test func maxScaleAndVerticalCentring() {
        let g = rendered(HalfBlockImage(tiny, maxScale: 1), width: 6, height: 3)
        expectLines(g, ["      ", "  ▀▀  ", "      "])
    }

    @Test func largerImagesAreSampledByWholeSteps() {
        // 4x4 with distinct greys; into 2x1 cells (2x2 pixels) every 2nd pixel is kept.
        let values = (0..<16).map { Float($0) / 15 }
        let big = PixelImage(width: 4, height: 4, grey: values)
        let widget = HalfBlockImage(big)
        #expect(widget.placement(columns: 2, rows: 1) == .init(scale: 1, step: 2, pixelWidth: 2, pixelHeight: 2))
        let g = rendered(widget, width: 2, height: 1)
        #expect(g[0, 0].fg == big.color(x: 0, y: 0) && g[0, 0].bg == big.color(x: 0, y: 2))
        #expect(g[1, 0].fg == big.color(x: 2, y: 0) && g[1, 0].bg == big.color(x: 2, y: 2))
        // 5 wide into 2 columns: step 3, 2 pixels drawn.
        let five = PixelImage(width: 5, height: 1, grey: [0, 0, 0, 0, 0])
        #expect(HalfBlockImage(five).placement(columns: 2, rows: 1) == .init(scale: 1, step: 3, pixelWidth: 2, pixelHeight: 1))
    }

    @Test func oddHeightLeavesBackgroundBelow() {
        let img = PixelImage(width: 1, height: 3, interleaved: [1, 0, 0, 0, 1, 0, 0, 0, 1])
        let g = rendered(HalfBlockImage(img), width: 1, height: 2)
        expectLines(g, ["▀", "▀"])
        #expect(g[0, 1].fg == blue && g[0, 1].bg == t.mainBg)
    }

    @Test func asciiUsesDensityCharacters() {
        let img = PixelImage(width: 2, height: 2, grey: [1, 0, 1, 0])
        let g = rendered(HalfBlockImage(img), width: 2, height: 1, glyphs: .ascii)
        // Density = contrast with the background: white on the dark default is dense ('%', 8 of 9);
        // black differs from #0e1116 by a luma of 0.06, the lightest mark ('.').
        expectLines(g, ["%."])
        #expect(g[0, 0].fg == .white && g[0, 0].bg == t.mainBg)
    }

    @Test func heatMapVariant() {
        let w = HalfBlockImage.heatMap(width: 2, height: 1, values: [0, 1], ramp: ColorRamp([.black, .white]))
        let g = rendered(w, width: 2, height: 1)
        #expect(g.fgRuns(row: 0) == [ColorRun(.black, 1), ColorRun(.white, 1)])
        #expect(g.bgRuns(row: 0) == [ColorRun(t.mainBg, 2)])
    }

    @Test func emptyImagesAndAreas() {
        _ = rendered(HalfBlockImage(PixelImage(width: 0, height: 0, interleaved: [])), width: 4, height: 4)
        _ = rendered(HalfBlockImage(tiny), width: 0, height: 0)
        _ = rendered(HalfBlockImage(tiny), width: 1, height: 0)
        expectLines(rendered(HalfBlockImage(tiny), width: 1, height: 1), ["▀"])
    }
}

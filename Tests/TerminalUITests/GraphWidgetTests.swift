import Foundation
import Testing
import TerminalUI

@Suite struct SparklineTests {
    @Test func eightLevelsAndRampColours() {
        let g = rendered(Sparkline([0, 1, 2, 3, 4, 5, 6, 7]), width: 8, height: 1)
        expectLines(g, ["▁▂▃▄▅▆▇█"])
        #expect(g[7, 0].fg == t.graphHigh)
        #expect(g[0, 0].fg == t.graphRamp.color(at: 0.125))
        #expect(g.bgRuns(row: 0) == [ColorRun(t.mainBg, 8)])
    }

    @Test func showsTheLastValuesThatFit() {
        expectLines(rendered(Sparkline([0, 1, 2, 3, 4, 5, 6, 7]), width: 4, height: 1), ["▁▃▆█"])
        expectLines(rendered(Sparkline([1, 2]), width: 4, height: 1), ["▁█  "])
    }

    @Test func multipleRows() {
        let g = rendered(Sparkline([0, 1]), width: 2, height: 2)
        expectLines(g, [" █", "▁█"])
        #expect(g[1, 1].fg == t.graphMid)
        #expect(g[1, 0].fg == t.graphHigh)
    }

    @Test func logScaleRangesAndGaps() {
        expectLines(rendered(Sparkline([1, 10, 100, 0, -1, .nan], logScale: true), width: 6, height: 1), ["▁▅█   "])
        expectLines(rendered(Sparkline([5], range: 0...10), width: 1, height: 1), ["▅"])
        expectLines(rendered(Sparkline([3, 3, 3]), width: 3, height: 1), ["▁▁▁"])
        expectLines(rendered(Sparkline([.infinity, .nan]), width: 2, height: 1), ["  "])
        let red = RGB(255, 0, 0)
        #expect(rendered(Sparkline([1, 2], color: red), width: 2, height: 1).fgRuns(row: 0) == [ColorRun(red, 2)])
    }

    @Test func asciiAndEmpty() {
        expectLines(rendered(Sparkline([0, 1, 2, 3, 4, 5, 6, 7]), width: 8, height: 1, glyphs: .ascii), [".:-+*#%@"])
        expectLines(rendered(Sparkline([]), width: 3, height: 1), ["   "])
        _ = rendered(Sparkline([1, 2, 3]), width: 0, height: 0)
        _ = rendered(Sparkline([1, 2, 3]), width: 3, height: 0)
    }
}

@Suite struct GaugeTests {
    @Test func eighthsAndCentredLabel() {
        let g = rendered(Gauge(ratio: 0.55), width: 10, height: 1)
        expectLines(g, ["███55%    "])
        // Label cells over the filled part invert: dark text on the bar colour.
        #expect(g.bgRuns(row: 0) == [ColorRun(t.meterBg, 3), ColorRun(t.hiFg, 3), ColorRun(t.meterBg, 4)])
        #expect(g.fgRuns(row: 0) == [ColorRun(t.hiFg, 3), ColorRun(.black, 3), ColorRun(t.inactiveFg, 4)])
        expectLines(rendered(Gauge(ratio: 0.55, label: ""), width: 10, height: 1), ["█████▌    "])
    }

    @Test func labelOverEmptyPart() {
        let g = rendered(Gauge(ratio: 0.3), width: 10, height: 1)
        expectLines(g, ["███30%    "])
        #expect(g.fgRuns(row: 0, columns: 3..<6) == [ColorRun(t.mainFg, 3)])
        #expect(Gauge(ratio: 0.29).percentText == "29%")
        #expect(Gauge(ratio: .nan).percentText == "0%")
        #expect(Gauge(ratio: 7).percentText == "100%")
    }

    @Test func rowsAsciiAndClamping() {
        expectLines(rendered(Gauge(ratio: 1, label: "ok", color: .white), width: 4, height: 3), ["████", "█ok█", "████"])
        expectLines(rendered(Gauge(ratio: 0.55, label: ""), width: 10, height: 1, glyphs: .ascii), ["######...."])
        expectLines(rendered(Gauge(ratio: -1, label: ""), width: 3, height: 1), ["   "])
        _ = rendered(Gauge(ratio: 0.5), width: 0, height: 1)
        expectLines(rendered(Gauge(ratio: 0.5), width: 2, height: 1), ["5…"])
    }
}

@Suite struct HeatRowTests {
    @Test func oneCellPerValue() {
        let g = rendered(HeatRow([0, 0.5, 1, .nan]), width: 5, height: 1)
        expectLines(g, ["     "])
        #expect(g.bgRuns(row: 0) == [ColorRun(t.graphLow, 1), ColorRun(t.graphMid, 1), ColorRun(t.graphHigh, 1), ColorRun(t.mainBg, 2)])
        let ramp = ColorRamp([.black, .white])
        let h = rendered(HeatRow([5, 10, 20], range: 0...10, ramp: ramp), width: 2, height: 2)
        #expect(h.bgRuns(row: 0) == [ColorRun(RGB(128, 128, 128), 1), ColorRun(.white, 1)])
        #expect(h.bgRuns(row: 1) == [ColorRun(t.mainBg, 2)])
        _ = rendered(HeatRow([]), width: 3, height: 1)
        _ = rendered(HeatRow([1]), width: 0, height: 0)
    }
}

@Suite struct BrailleTests {
    @Test func dotBitsFollowUnicodeNumbering() {
        #expect((0...3).map { BrailleCanvas.bit(dx: 0, dy: $0) } == [0x01, 0x02, 0x04, 0x40])
        #expect((0...3).map { BrailleCanvas.bit(dx: 1, dy: $0) } == [0x08, 0x10, 0x20, 0x80])
        #expect(Glyphs.unicode.braille(0xFF) == "⣿")
        #expect(Glyphs.unicode.braille(0) == "⠀")
        #expect([0x09, 0x44, 0x47, 0].map { Glyphs.ascii.braille($0) } == ["'", ".", ":", " "])
    }

    @Test func linesOnTheCanvas() {
        var c = BrailleCanvas(width: 2, height: 1)
        c.line(from: (0, 0), to: (3, 0), color: .white)
        var g = Grid(width: 2, height: 1)
        c.render(into: &g, x: 0, y: 0, bg: .black)
        #expect(g.textLines() == ["⠉⠉"])
        var v = BrailleCanvas(width: 1, height: 1)
        v.line(from: (0, 3), to: (0, 0), color: .white)
        v.set(x: 9, y: 9, color: .white)  // outside: ignored
        #expect(v.masks == [0x47])
    }
}

@Suite struct LinePlotTests {
    @Test func diagonalSeries() {
        let g = rendered(LinePlot([.init([0, 1])], showsYLabels: false), width: 2, height: 1)
        expectLines(g, ["⡠⠊"])
        #expect(g.fgRuns(row: 0) == [ColorRun(t.seriesA, 2)])
    }

    @Test func cursorLineOverSeries() {
        let plot = LinePlot([.init([0, 0, 0])], yRange: 0...1, cursorX: 1, showsYLabels: false)
        let g = rendered(plot, width: 3, height: 2)
        expectLines(g, [" ⢸ ", "⣀⣸⣀"])
        #expect(g.fgRuns(row: 1) == [ColorRun(t.seriesA, 1), ColorRun(t.cursor, 1), ColorRun(t.seriesA, 1)])
    }

    @Test func gapsAtNonFiniteValues() {
        expectLines(rendered(LinePlot([.init([0, .nan, 0])], yRange: 0...1, showsYLabels: false), width: 3, height: 1), ["⡀ ⢀"])
    }

    @Test func logYEqualsLinearPlotOfLogs() {
        let values = [1.0, 30, 100, 7, 1000]
        let log = rendered(LinePlot([.init(values)], logY: true, showsYLabels: false), width: 6, height: 3)
        let linear = rendered(LinePlot([.init(values.map(log10))], showsYLabels: false), width: 6, height: 3)
        #expect(log.textLines() == linear.textLines())
        #expect(log.textLines().joined().contains { $0 != " " })
    }

    @Test func axisLabelsAndSecondSeriesColour() {
        let plot = LinePlot([.init([1, 3]), .init([3, 1])], xLabels: (left: "0", right: "9"))
        let g = rendered(plot, width: 10, height: 4)
        #expect(g.textLines(in: Rect(width: 2, height: 3)) == ["3 ", "  ", "1 "])
        #expect(g.text(row: 3) == "  0      9")
        #expect(g.fgRuns(row: 0, columns: 0..<1) == [ColorRun(t.inactiveFg, 1)])
        // The falling series B starts at the top-left of the plot, drawn after A.
        #expect(g[2, 0].fg == t.seriesB)
        #expect(g[2, 2].fg == t.seriesA)
    }

    @Test func labelFormat() {
        #expect([0.0123, 2.5, 1234, 0.00012, 300000, 0, -5].map(LinePlot.format) == ["0.0123", "2.5", "1234", "1.2e-4", "3e5", "0", "-5"])
    }

    @Test func emptyAndTinyAreas() {
        _ = rendered(LinePlot([]), width: 5, height: 5)
        _ = rendered(LinePlot([.init([1, 2, 3])], cursorX: 2), width: 0, height: 0)
        _ = rendered(LinePlot([.init([1])], cursorX: 0, xLabels: (left: "a", right: "b")), width: 1, height: 1)
        expectLines(rendered(LinePlot([.init([.nan])]), width: 2, height: 1), ["  "])
        expectLines(rendered(LinePlot([.init([0, 1])], showsYLabels: false), width: 2, height: 1, glyphs: .ascii), [".'"])
    }
}

@Suite struct LinePlotBandTests {
    @Test func bandsAreVerticalRunsUnderTheLines() {
        let red = RGB(255, 0, 0)
        let band = LinePlot.Band(lower: [0, 0.5], upper: [1, 0.5], color: red)
        let g = rendered(LinePlot([], yRange: 0...1, showsYLabels: false, bands: [band]), width: 1, height: 1)
        // x 0: dots 0 to 3 of the left column; x 1: the middle value (dot 1.5 rounds to 2) on the right.
        expectLines(g, ["⡧"])
        #expect(g[0, 0].fg == red)
        let line = LinePlot([.init([1, 1])], yRange: 0...1, showsYLabels: false, bands: [band])
        #expect(rendered(line, width: 1, height: 1)[0, 0].fg == t.seriesA, "the line, drawn last, colours the cell")
        #expect(LinePlot([], bands: [band]).resolvedYRange() == 0...1)
    }

    @Test func plotAreaLeavesTheGutterAndTheLabelRow() {
        let plot = LinePlot([.init([0.5, 20])], xLabels: (left: "a", right: "b"))
        // "0.5" and "20": a gutter of 3 + 1 columns.
        #expect(plot.plotArea(in: Rect(x: 2, y: 1, width: 20, height: 5)) == Rect(x: 6, y: 1, width: 16, height: 4))
        #expect(LinePlot([.init([1])], showsYLabels: false).plotArea(in: Rect(width: 9, height: 3)) == Rect(width: 9, height: 3))
    }
}

@Suite struct HeatMapTests {
    @Test func rowsStackInHalfBlocks() {
        // 2 rows x 3 columns in one cell row: the upper half is row 0, the lower half row 1.
        let map = HeatMap([0, 1, .nan, 2, 2, 2], rows: 2, columns: 3, range: 0...2)
        let g = rendered(map, width: 4, height: 1)
        expectLines(g, ["▀▀▀ "])
        #expect(g.fgRuns(row: 0) == [ColorRun(t.graphLow, 1), ColorRun(t.graphMid, 1), ColorRun(t.mainBg, 1), ColorRun(t.mainFg, 1)])
        #expect(g.bgRuns(row: 0) == [ColorRun(t.graphHigh, 3), ColorRun(t.mainBg, 1)])
        // Two cell rows: each data row gets a whole cell row.
        let tall = rendered(map, width: 3, height: 2)
        #expect(tall[0, 0].fg == t.graphLow && tall[0, 0].bg == t.graphLow)
        #expect(tall[0, 1].fg == t.graphHigh && tall[0, 1].bg == t.graphHigh)
        #expect(map.pixelsPerRow(height: 5) == 5)
    }

    @Test func logScaleAsciiAndTinyAreas() {
        let map = HeatMap([1, 10, 100, 0], rows: 1, columns: 4, logScale: true)
        let colors = map.colors(theme: t)
        #expect(colors == [t.graphLow, t.graphMid, t.graphHigh, nil], "decades evenly spaced; 0 has no log")
        let ascii = rendered(map, width: 4, height: 1, glyphs: .ascii)
        expectLines(ascii, ["    "])
        #expect(ascii[1, 0].bg == t.graphMid, "a blank on the colour (both halves are the one row)")
        let halves = rendered(HeatMap([0, 1], rows: 2, columns: 1, range: 0...1), width: 1, height: 1, glyphs: .ascii)
        #expect(halves[0, 0].bg == t.graphLow.mixed(with: t.graphHigh, 0.5), "two rows a cell: their mean")
        _ = rendered(map, width: 0, height: 0)
        _ = rendered(HeatMap([], rows: 0, columns: 0), width: 3, height: 3)
        _ = rendered(HeatMap([1, 2, 3], rows: 3, columns: 1), width: 2, height: 1)
    }
}

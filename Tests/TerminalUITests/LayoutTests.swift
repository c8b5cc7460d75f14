import Testing
import TerminalUI

@Suite struct RectTests {
    @Test func insetNeverGoesNegative() {
        let r = Rect(x: 3, y: 4, width: 2, height: 2)
        #expect(r.inset(by: 1) == Rect(x: 4, y: 5, width: 0, height: 0))
        #expect(r.inset(by: 3).isEmpty)
        #expect(r.inset(top: 1, left: 0, bottom: 0, right: 1) == Rect(x: 3, y: 5, width: 1, height: 1))
        #expect(Rect(x: 0, y: 0, width: -5, height: 3).width == 0)
    }

    @Test func edgesAndCentering() {
        let r = Rect(x: 10, y: 10, width: 10, height: 5)
        #expect(r.top(2) == Rect(x: 10, y: 10, width: 10, height: 2))
        #expect(r.bottom(9) == r)
        #expect(r.right(3) == Rect(x: 17, y: 10, width: 3, height: 5))
        #expect(r.left(-1).isEmpty)
        #expect(r.centered(width: 4, height: 2) == Rect(x: 13, y: 11, width: 4, height: 2))
        #expect(r.centered(width: 40, height: 40) == r)
    }

    @Test func intersection() {
        let a = Rect(x: 0, y: 0, width: 5, height: 5)
        #expect(a.intersection(Rect(x: 3, y: 3, width: 5, height: 5)) == Rect(x: 3, y: 3, width: 2, height: 2))
        #expect(a.intersection(Rect(x: 9, y: 9, width: 1, height: 1)).isEmpty)
    }
}

@Suite struct ConstraintTests {
    @Test func fixedPercentageFill() {
        #expect(Constraint.resolve([.fixed(3), .percentage(50), .fill], total: 20) == [3, 10, 7])
        #expect(Constraint.resolve([.fill, .fill, .fill], total: 10) == [4, 3, 3])
        #expect(Constraint.resolve([.fill(1), .fill(3)], total: 8) == [2, 6])
    }

    @Test func minGrowsWithLeftover() {
        #expect(Constraint.resolve([.min(2), .fixed(3)], total: 10) == [7, 3])
        #expect(Constraint.resolve([.min(2), .fill], total: 10) == [6, 4])
    }

    @Test func overflowShortensLaterSegmentsFirst() {
        #expect(Constraint.resolve([.fixed(1), .fill, .fixed(1)], total: 1) == [1, 0, 0])
        #expect(Constraint.resolve([.fixed(4), .fixed(4)], total: 6) == [4, 2])
        #expect(Constraint.resolve([.fixed(4), .fixed(4)], total: 0) == [0, 0])
        #expect(Constraint.resolve([], total: 5) == [])
    }

    @Test func leftoverWithoutGrowableSegmentsStaysUnused() {
        #expect(Constraint.resolve([.fixed(2), .percentage(10)], total: 20) == [2, 2])
    }

    @Test func rowsAndColumnsWithSpacing() {
        let r = Rect(x: 1, y: 2, width: 11, height: 4)
        let cols = r.columns([.fixed(3), .fill, .fixed(3)], spacing: 1)
        #expect(cols.map(\.x) == [1, 5, 9])
        #expect(cols.map(\.width) == [3, 3, 3])
        let rows = r.rows([.fixed(1), .fill])
        #expect(rows == [Rect(x: 1, y: 2, width: 11, height: 1), Rect(x: 1, y: 3, width: 11, height: 3)])
        let empty = Rect.zero.rows([.fill, .fixed(2)])
        #expect(empty.count == 2 && empty.allSatisfy { $0.isEmpty })
    }
}

@Suite struct GridTests {
    @Test func writesOutsideAreClipped() {
        var g = Grid(width: 4, height: 2)
        let s = Style(fg: .white, bg: .black)
        g.write("abcdef", x: 2, y: 0, style: s)
        g.write("zz", x: -1, y: 1, style: s)
        g.write("no", x: 0, y: 5, style: s)
        g.set(x: -1, y: -1, "X")
        g.fill(Rect(x: 3, y: 1, width: 10, height: 10), with: Cell("#", fg: .white, bg: .black))
        #expect(g.textLines() == ["  ab", "z  #"])
        #expect(g.cell(x: 4, y: 0) == nil)
    }

    @Test func zeroSizeGridAcceptsEverything() {
        var g = Grid(width: 0, height: 0)
        g.write("hello", x: 0, y: 0, style: Style(fg: .white, bg: .black))
        g.fill(Rect(width: 10, height: 10), with: Cell("x", fg: .white, bg: .black))
        #expect(g.textLines() == [])
        #expect(g.styleRuns(row: 0) == [])
        let negative = Grid(width: -3, height: 2)
        #expect(negative.width == 0 && negative.textLines() == ["", ""])
    }

    @Test func controlCharactersBecomeSpaces() {
        var g = Grid(width: 3, height: 1)
        g.write("a\tb", x: 0, y: 0, style: Style(fg: .white, bg: .black))
        #expect(g.textLines() == ["a b"])
    }

    @Test func runsGroupEqualStyles() {
        var g = Grid(width: 5, height: 1)
        let red = RGB(255, 0, 0)
        g.paint(Rect(x: 1, y: 0, width: 2, height: 1), style: Style(fg: red, bg: .black))
        #expect(g.fgRuns(row: 0) == [ColorRun(.white, 1), ColorRun(red, 2), ColorRun(.white, 2)])
        #expect(g.bgRuns(row: 0) == [ColorRun(.black, 5)])
        #expect(g.styleRuns(row: 0).map(\.x) == [0, 1, 3])
        #expect(g.fgRuns(row: 0, columns: 2..<9) == [ColorRun(red, 1), ColorRun(.white, 2)])
    }
}

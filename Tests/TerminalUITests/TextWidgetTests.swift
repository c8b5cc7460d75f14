import Testing
import TerminalUI

@Suite struct BlockTests {
    @Test func roundedWithTitles() {
        let g = rendered(Block(title: "Loss", rightTitle: "step 12"), width: 24, height: 3)
        expectLines(g, [
            "╭─ Loss ───── step 12 ─╮",
            "│                      │",
            "╰──────────────────────╯",
        ])
        // Border colour, then the bold title, then border again.
        #expect(g.fgRuns(row: 0, columns: 0..<9) == [ColorRun(t.border, 2), ColorRun(t.title, 6), ColorRun(t.border, 1)])
        #expect(g[3, 0].attributes == .bold)
        #expect(g.fgRuns(row: 0, columns: 13..<22) == [ColorRun(t.inactiveFg, 9)])
    }

    @Test func squareFocusedAndInner() {
        let block = Block(title: "A", rounded: false, focused: true)
        let g = rendered(block, width: 7, height: 4)
        expectLines(g, ["┌─ A ─┐", "│     │", "│     │", "└─────┘"])
        #expect(g.fgRuns(row: 3) == [ColorRun(t.focusBorder, 7)])
        // One cell short: the title needs a border cell after it, so it is left out.
        expectLines(rendered(block, width: 6, height: 2), ["┌────┐", "└────┘"])
        #expect(block.inner(Rect(x: 2, y: 3, width: 6, height: 4)) == Rect(x: 3, y: 4, width: 4, height: 2))
    }

    @Test func asciiFallbackAndLongTitle() {
        let g = rendered(Block(title: "a very long title"), width: 12, height: 3, glyphs: .ascii)
        expectLines(g, ["+- a v... -+", "|          |", "+----------+"])
    }

    @Test func tinyAndEmptyAreas() {
        expectLines(rendered(Block(title: "x"), width: 1, height: 1), [" "])
        expectLines(rendered(Block(title: "x"), width: 2, height: 2), ["╭╮", "╰╯"])
        expectLines(rendered(Block(title: "xyz"), width: 5, height: 2), ["╭───╮", "╰───╯"])
        _ = rendered(Block(title: "x"), width: 0, height: 0)
        var g = Grid(width: 3, height: 3)
        Block(title: "x").render(into: &g, area: Rect(x: 2, y: 2, width: 5, height: 5), theme: t)
        #expect(g.text(row: 2) == "  ╭")
    }
}

@Suite struct TextLineTests {
    @Test func truncationWithEllipsis() {
        #expect(TextLine.truncate("hello world", width: 8, ellipsis: "…") == "hello w…")
        #expect(TextLine.truncate("hello", width: 5, ellipsis: "…") == "hello")
        #expect(TextLine.truncate("hello", width: 4, ellipsis: "...") == "h...")
        #expect(TextLine.truncate("hello", width: 2, ellipsis: "...") == "..")
        #expect(TextLine.truncate("hello", width: 0, ellipsis: "…") == "")
    }

    @Test func alignmentAndSpanColours() {
        let red = RGB(200, 0, 0)
        let line = TextLine([Span("ab", fg: red), Span("cd")], alignment: .right)
        let g = rendered(line, width: 6, height: 1)
        expectLines(g, ["  abcd"])
        #expect(g.fgRuns(row: 0) == [ColorRun(t.mainFg, 2), ColorRun(red, 2), ColorRun(t.mainFg, 2)])
        expectLines(rendered(TextLine("ab", alignment: .center), width: 5, height: 1), [" ab  "])
    }

    @Test func ellipsisTakesStyleOfCutSpan() {
        let red = RGB(200, 0, 0), blue = RGB(0, 0, 200)
        let g = rendered(TextLine([Span("abc", fg: red), Span("defgh", fg: blue)]), width: 5, height: 1)
        expectLines(g, ["abcd…"])
        #expect(g.fgRuns(row: 0) == [ColorRun(red, 3), ColorRun(blue, 2)])
        let h = rendered(TextLine([Span("abcdef", fg: red), Span("gh", fg: blue)]), width: 5, height: 1)
        #expect(h.fgRuns(row: 0) == [ColorRun(red, 5)])
    }

    @Test func nilBackgroundKeepsCellBackground() {
        var g = Grid(width: 4, height: 1, fill: Cell(" ", fg: .white, bg: RGB(1, 2, 3)))
        TextLine("ab").render(into: &g, area: g.bounds, theme: t)
        #expect(g.bgRuns(row: 0) == [ColorRun(RGB(1, 2, 3), 4)])
    }
}

@Suite struct ParagraphTests {
    @Test func wordWrap() {
        #expect(Paragraph.wordWrap("the quick brown fox", width: 9) == ["the quick", "brown fox"])
        #expect(Paragraph.wordWrap("abcdefghij k", width: 4) == ["abcd", "efgh", "ij k"])
        #expect(Paragraph.wordWrap("", width: 4) == [""])
        #expect(Paragraph.wordWrap("abc", width: 0) == [])
    }

    @Test func linesCutOrWrapped() {
        expectLines(rendered(Paragraph(text: "one two three\nfour"), width: 7, height: 3), ["one tw…", "four   ", "       "])
        expectLines(rendered(Paragraph(text: "one two three\nfour", wrap: true), width: 7, height: 3), ["one two", "three  ", "four   "])
        expectLines(rendered(Paragraph(text: "a\nb\nc"), width: 1, height: 2), ["a", "b"])
    }
}

@Suite struct KeyHintBarTests {
    let bar = KeyHintBar([("q", "quit"), ("tab", "next"), ("←/→", "step")])

    @Test func fullBarAndColours() {
        let g = rendered(bar, width: 34, height: 1)
        expectLines(g, ["[q] quit  [tab] next  [←/→] step  "])
        #expect(g.fgRuns(row: 0, columns: 0..<9) == [ColorRun(t.inactiveFg, 1), ColorRun(t.hiFg, 1), ColorRun(t.inactiveFg, 1), ColorRun(t.mainFg, 6)])
        #expect(g[1, 0].attributes == .bold)
    }

    @Test func hintsThatDoNotFitAreDroppedWhole() {
        expectLines(rendered(bar, width: 24, height: 1), ["[q] quit  [tab] next  … "])
        expectLines(rendered(bar, width: 12, height: 1), ["[q] quit  … "])
        expectLines(rendered(bar, width: 3, height: 1), ["…  "])
        expectLines(rendered(bar, width: 12, height: 1, glyphs: .ascii), ["[q] quit    "])
        expectLines(rendered(bar, width: 13, height: 1, glyphs: .ascii), ["[q] quit  ..."])
        _ = rendered(bar, width: 0, height: 1)
    }
}

@Suite struct TableTests {
    @Test func headerRowsAndSelection() {
        let table = Table(header: ["name", "value"], textRows: [["alpha", "1"], ["beta", "22"], ["gamma-long", "3"]],
                          widths: [.fixed(6), .fill], alignments: [.left, .right], selected: 1)
        let g = rendered(table, width: 10, height: 4)
        expectLines(g, [
            "name   va…",
            "alpha    1",
            "beta    22",
            "gamma…   3",
        ])
        #expect(g.fgRuns(row: 0, columns: 0..<4) == [ColorRun(t.title, 4)])
        #expect(g.fgRuns(row: 0, columns: 7..<10) == [ColorRun(t.title, 3)])
        #expect(g.bgRuns(row: 2) == [ColorRun(t.selectedBg, 10)])
        #expect(g.bgRuns(row: 1) == [ColorRun(t.mainBg, 10)])
        #expect(g.fgRuns(row: 2, columns: 0..<4) == [ColorRun(t.selectedFg, 4)])
    }

    @Test func scrollsToKeepSelectionVisible() {
        let rows = (0..<10).map { ["row \($0)"] }
        let table = Table(header: ["h"], textRows: rows, selected: 7)
        expectLines(rendered(table, width: 5, height: 4), ["h    ", "row 5", "row 6", "row 7"])
        #expect(table.firstVisibleRow(visibleRows: 3) == 5)
        #expect(Table(header: [], textRows: rows, selected: 9).firstVisibleRow(visibleRows: 20) == 0)
    }

    @Test func emptyInputsAndAreas() {
        _ = rendered(Table(header: [], textRows: []), width: 5, height: 5)
        _ = rendered(Table(header: ["a"], textRows: [["b"]]), width: 0, height: 0)
        expectLines(rendered(Table(header: ["a"], textRows: [["b"]]), width: 3, height: 1), ["a  "])
    }
}

@Suite struct TooSmallTests {
    @Test func messageIsWrappedAndCentred() {
        let w = TooSmall(width: 30, height: 6, minWidth: 80, minHeight: 24)
        #expect(w.message(glyphs: .unicode) == "Terminal is 30x6; ddpm needs at least 80x24 — enlarge the window")
        let g = rendered(w, width: 30, height: 6)
        expectLines(g, [
            "                              ",
            " Terminal is 30x6; ddpm needs ",
            " at least 80x24 — enlarge the ",
            "            window            ",
            "                              ",
            "                              ",
        ])
        #expect(g.fgRuns(row: 1, columns: 1..<29) == [ColorRun(t.warn, 28)])
        #expect(TooSmall.applies(width: 79, height: 30, minWidth: 80, minHeight: 24))
        #expect(!TooSmall.applies(width: 80, height: 24, minWidth: 80, minHeight: 24))
        _ = rendered(w, width: 1, height: 1)
        _ = rendered(w, width: 0, height: 3)
    }
}

import Testing
import TerminalUI

@Suite struct ANSIWriterTests {
    @Test func twoByTwoImageInEveryMode() {
        let esc = "\u{1B}["
        #expect(ANSIWriter(mode: .direct).render(image: tiny) ==
                "\(esc)0;38;2;255;0;0;48;2;0;0;255m▀\(esc)0;38;2;0;255;0;48;2;255;255;255m▀\(esc)0m\n")
        #expect(ANSIWriter(mode: .xterm256).render(image: tiny) ==
                "\(esc)0;38;5;196;48;5;21m▀\(esc)0;38;5;46;48;5;231m▀\(esc)0m\n")
        #expect(ANSIWriter(mode: .ansi16).render(image: tiny) ==
                "\(esc)0;91;44m▀\(esc)0;92;107m▀\(esc)0m\n")
    }

    @Test func stylesEmittedOnlyOnChangeAndAttributes() {
        var g = Grid(width: 3, height: 2, fill: Cell("x", fg: .white, bg: .black))
        g.set(x: 2, y: 0, attributes: [.bold, .underline])
        g.set(x: 0, y: 1, attributes: [.dim, .reverse])
        let out = ANSIWriter(mode: .direct).render(g)
        let plain = "\u{1B}[0;38;2;255;255;255;48;2;0;0;0m"
        let boldUnderline = "\u{1B}[0;1;4;38;2;255;255;255;48;2;0;0;0m"
        let dimReverse = "\u{1B}[0;2;7;38;2;255;255;255;48;2;0;0;0m"
        #expect(out == "\(plain)xx\(boldUnderline)x\u{1B}[0m\n\(dimReverse)x\(plain)xx\u{1B}[0m\n")
        #expect(ANSIWriter(mode: .direct).render(Grid(width: 0, height: 0)) == "")
    }

    @Test func largeImagesShrinkToLimits() {
        let img = PixelImage(width: 8, height: 8, grey: [Float](repeating: 0.5, count: 64))
        let out = ANSIWriter(mode: .ansi16).render(image: img, maxColumns: 4, maxRows: 2)
        #expect(out.split(separator: "\n").count == 2)
        #expect(out.filter { $0 == "▀" }.count == 8)
    }
}

@Suite struct MemoryBackendTests {
    @Test func keepsTheLastFlushedFrame() {
        let backend = MemoryBackend(width: 8, height: 2)
        var grid = backend.makeGrid(theme: t)
        #expect(grid.width == 8 && grid.height == 2 && grid[0, 0].bg == t.mainBg)
        KeyHintBar([("q", "quit")]).render(into: &grid, area: grid.bounds, theme: t)
        backend.draw(grid)
        #expect(backend.textLines() == [])  // not flushed yet
        backend.flush()
        #expect(backend.textLines() == ["[q] quit", "        "])
        #expect(backend.fgRuns(row: 0).first == ColorRun(t.inactiveFg, 1))
        #expect(backend.bgRuns(row: 1) == [ColorRun(t.mainBg, 8)])
        #expect(backend.styleRuns(row: 0).count == 4)
        #expect(backend.flushCount == 1)
        #expect(MemoryBackend(width: 2, height: 2, glyphs: .ascii).makeGrid(theme: t).glyphs == .ascii)
    }

    /// The scripted input a run-loop test drives: keys in order, a resize that changes `size`,
    /// then nothing (after waiting the timeout, as a terminal with no key pressed).
    @Test func scriptedInputQueue() {
        let backend = MemoryBackend(width: 8, height: 2)
        backend.send(.character("2"), .right)
        backend.resize(width: 5, height: 3)
        #expect(backend.readEvent(timeoutMs: 0) == .key(.character("2")))
        #expect(backend.readEvent(timeoutMs: 0) == .key(.right))
        #expect(backend.readEvent(timeoutMs: 0) == .resize)
        #expect(backend.size.width == 5 && backend.size.height == 3 && backend.makeGrid(theme: t).width == 5)
        #expect(backend.pendingEvents.isEmpty)
        #expect(backend.readEvent(timeoutMs: 1) == nil)
        #expect(backend.readEvent(timeoutMs: -1) == nil)
    }
}

@Suite struct FrameDiffTests {
    @Test func onlyChangedCells() {
        var a = Grid(width: 3, height: 2)
        #expect(FrameDiff.changedIndices(previous: nil, current: a) == [0, 1, 2, 3, 4, 5])
        #expect(FrameDiff.changedIndices(previous: a, current: a) == [])
        var b = a
        b.set(x: 1, y: 1, "z")
        b.set(x: 0, y: 0, fg: RGB(1, 1, 1))
        #expect(FrameDiff.changedIndices(previous: a, current: b) == [0, 4])
        a = Grid(width: 2, height: 3)
        #expect(FrameDiff.changedIndices(previous: a, current: b).count == 6)  // size changed
    }
}

@Suite struct PairCacheTests {
    let k1 = PairCache.Key(fg: 1, bg: 2), k2 = PairCache.Key(fg: 3, bg: 4), k3 = PairCache.Key(fg: 5, bg: 6)

    @Test func assignsCachesAndOverflows() {
        var cache = PairCache(firstPair: 1, capacity: 2)
        cache.beginFrame()
        #expect(cache.pair(for: k1) == .assigned(1))
        #expect(cache.pair(for: k2) == .assigned(2))
        #expect(cache.pair(for: k1) == .cached(1))
        #expect(cache.pair(for: k3) == nil)  // both pairs live in this frame
        #expect(cache.overflows == 1)
    }

    @Test func neverEvictsPairsOfTheCurrentFrame() {
        var cache = PairCache(firstPair: 10, capacity: 2)
        cache.beginFrame()
        _ = cache.pair(for: k1)
        _ = cache.pair(for: k2)
        cache.beginFrame()
        cache.touch(k2)                              // k2 is on screen in this frame too
        #expect(cache.pair(for: k3) == .assigned(10))  // so k1's pair is the one recycled
        #expect(cache.pair(for: k1) == nil)          // k2 and k3 are both live now
        cache.beginFrame()
        #expect(cache.pair(for: k1) == .assigned(11))  // least recent of the two: k2's slot
        #expect(cache.pair(for: k3) == .cached(10))
    }

    @Test func longSessionNeverRunsOut() {
        var cache = PairCache(capacity: 8)
        var assigned = Set<Int32>()
        for frame in 0..<1000 {
            cache.beginFrame()
            for j in 0..<4 {
                let key = PairCache.Key(fg: Int32(frame * 4 + j), bg: 0)
                switch cache.pair(for: key) {
                case .assigned(let p)?, .cached(let p)?: assigned.insert(p)
                case nil: Issue.record("ran out of pairs at frame \(frame)")
                }
            }
        }
        #expect(cache.count == 8)
        #expect(assigned == Set(1...8))
        #expect(cache.overflows == 0)
        #expect(cache.assignments == 4000)
    }

    @Test func zeroCapacityAlwaysOverflows() {
        var cache = PairCache(capacity: 0)
        cache.beginFrame()
        #expect(cache.pair(for: k1) == nil)
    }
}

@Suite struct KeyTests {
    @Test func controlCharactersMapToNamedKeys() {
        #expect(Key(character: "\t") == .tab)
        #expect(Key(character: "\r") == .enter)
        #expect(Key(character: "\n") == .enter)
        #expect(Key(character: "\u{1B}") == .escape)
        #expect(Key(character: "\u{7F}") == .backspace)
        #expect(Key(character: "\u{0C}") == .control("l"))
        #expect(Key(character: "q") == .character("q"))
        #expect(Key(character: "é") == .character("é"))
    }
}

@Suite struct GlyphsTests {
    @Test func detectionFromLocale() {
        #expect(Glyphs.detect(environment: ["LANG": "en_US.UTF-8"]) == .unicode)
        #expect(Glyphs.detect(environment: ["LC_ALL": "C", "LANG": "en_US.UTF-8"]) == .ascii)
        #expect(Glyphs.detect(environment: ["LC_CTYPE": "C.utf8"]) == .unicode)
        #expect(Glyphs.detect(environment: ["LC_ALL": "", "LANG": "C.UTF-8"]) == .unicode)
        #expect(Glyphs.detect(environment: [:]) == .ascii)
    }

    @Test func rampsAndFallbacks() {
        #expect((0...8).map { Glyphs.unicode.verticalEighths($0) } == Array(" ▁▂▃▄▅▆▇█"))
        #expect((0...8).map { Glyphs.unicode.horizontalEighths($0) } == Array(" ▏▎▍▌▋▊▉█"))
        #expect(Glyphs.ascii.verticalEighths(0) == " " && Glyphs.ascii.verticalEighths(8) == "@")
        #expect(Glyphs.ascii.border(rounded: true).topLeft == "+")
        #expect(Glyphs.ascii.density(0) == " " && Glyphs.ascii.density(1) == "@")
        #expect(Glyphs.ascii.ellipsis == "..." && Glyphs.unicode.ellipsis == "…")
    }
}

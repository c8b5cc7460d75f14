import DiffusionEngine
import Foundation
import Testing
import TerminalUI
import Workbench

/// The Train screen's whole-run charts, native-size samples and overlaid runs, in whole frames.
@Suite struct TrainScreenTests {
    let theme = Theme.default

    func isBraille(_ c: Character) -> Bool { c.unicodeScalars.first.map { (0x2801...0x28FF).contains($0.value) } ?? false }

    /// The cell column where `s` starts in `line` (a frame's line has one character a cell).
    func column(of s: String, in line: String) -> Int? {
        line.range(of: s).map { line.distance(from: line.startIndex, to: $0.lowerBound) }
    }

    /// The rows of the block whose top border carries `title`, borders included.
    func block(_ g: Grid, _ title: String) throws -> Range<Int> {
        let lines = g.textLines()
        let top = try #require(lines.firstIndex { $0.contains(title) })
        let tx = try #require(column(of: title, in: lines[top]))
        let x = try #require((0...tx).last { g[$0, top].character == "╭" })
        let bottom = try #require((top + 1..<g.height).first { g[x, $0].character == "╰" })
        return top..<bottom + 1
    }

    func trainInput(_ snapshot: TrainingSnapshot, overlays: [RunOverlay] = []) -> FrameInput {
        var input = AppFixture.input(AppFixture.state(.train))
        input.snapshot = snapshot
        input.overlays = overlays
        return input
    }

    @Test func theLossChartCoversTheWholeRun() throws {
        var s = AppFixture.snapshot()
        s.losses = []
        s.history = StepHistory()
        for k in 1...10_000 { s.record(step: k, loss: k == 5 ? 2 : 0.1 + 0.01 * Float(k % 3), buckets: []) }
        let g = AppFixture.frame(trainInput(s), width: 160, height: 50)
        let rows = try block(g, "Loss (log scale)")
        let chart = rows.dropFirst().dropLast()
        let xs = chart.flatMap { y in (0..<g.width).filter { isBraille(g[$0, y].character) } }
        // The spike at step 5 of 10,000 reaches the top row, in the chart's first column, alone.
        let top = (0..<g.width).filter { isBraille(g[$0, chart.first!].character) }
        #expect(top == [xs.min()!])
        #expect(g[top[0], chart.first!].fg != theme.loss, "raw points are drawn faded, not in the smoothed line's colour")
        #expect(chart.contains { y in g.fgRuns(row: y).contains { $0.color == theme.loss } })
        let text = g.textLines()[rows].joined(separator: "\n")
        #expect(text.contains("step 1") && text.contains("step 10000"))
        #expect(text.contains("2 ") && text.contains("0.1"), "y labels: the loss range")
        #expect(text.contains("raw min-max") && text.contains("this run (smoothed, EMA 0.98)"))
    }

    @Test func theHeatMapShowsEveryBucketOverTheRun() throws {
        var s = AppFixture.snapshot()
        s.history = StepHistory(bucketCount: 10)
        // Bucket b: 10^(b/9), twice that in the first half of the run.
        for k in 1...200 { s.record(step: k, loss: 0.5, buckets: (0..<10).map { Float(pow(10, Double($0) / 9)) * (k <= 100 ? 2 : 1) }) }
        let g = AppFixture.frame(trainInput(s), width: 160, height: 50)
        let lines = g.textLines()
        func row(_ label: String) throws -> (y: Int, first: Int, last: Int) {
            let y = try #require(lines.firstIndex { $0.hasPrefix("│\(label) ") })
            let xs = (0..<g.width).filter { g[$0, y].character == "▀" }
            return (y, try #require(xs.first), try #require(xs.last))
        }
        let easy = try row("t 9-9"), hard = try row("t 0-0")
        #expect(hard.y < easy.y, "t 0 at the top")
        // Log colours over the whole map: the largest value (bucket 9, early) at the ramp's top,
        // the smallest (bucket 0, late) at its bottom.
        #expect(g[easy.first, easy.y].fg == theme.graphHigh && g[easy.first, easy.y].bg == theme.graphHigh)
        #expect(g[hard.last, hard.y].fg == theme.graphLow)
        #expect(g[hard.first, hard.y].fg == theme.graphRamp.color(of: Float(log10(2.0)), lower: 0, upper: Float(log10(20.0))))
        #expect(lines[easy.y].contains("20") || lines[easy.y].contains("10"), "the bucket's current value on the right")
        #expect(lines.contains { $0.contains("step 200") })
    }

    /// A (16, 3, side, side) grid of smooth patterns.
    func samples(side: Int) -> Tensor {
        let n = 16 * 3 * side * side
        return Tensor(shape: [16, 3, side, side], data: (0..<n).map { Float($0 % 97) / 48.5 - 1 })
    }

    func halfBlocks(_ g: Grid, below title: String) throws -> Int {
        let top = try #require(g.textLines().firstIndex { $0.contains(title) })
        return g.cells[(top * g.width)...].filter { $0.character == "▀" }.count
    }

    @Test func samplesAtTheirOwnResolutionWhenThereIsRoom() throws {
        for (side, w, h, shown, drawnSide) in [(32, 160, 50, 4, 32), (32, 200, 60, 6, 32), (64, 240, 80, 3, 64), (64, 160, 50, 4, 32)] {
            var s = AppFixture.snapshot()
            (s.options.model.imageSize, s.options.sampleCount, s.samples) = (side, 16, samples(side: side))
            let g = AppFixture.frame(trainInput(s), width: w, height: h)
            // Whole tiles of drawnSide x drawnSide pixels: drawnSide columns, drawnSide / 2 rows each.
            #expect(try halfBlocks(g, below: "Samples (") == shown * drawnSide * drawnSide / 2, "\(side)px at \(w)x\(h)")
            #expect(g.text.contains("Samples (\(shown) of 16)"), "\(side)px at \(w)x\(h)")
        }
    }

    func overlay(steps: Int = 200, label: String = "baseline") -> RunOverlay {
        var b = TrainingSnapshot.initial(options: AppFixture.options, data: "b")
        for k in 1...steps { b.record(step: k, loss: Float(0.6 * exp(-Double(k) / 80) + 0.15), buckets: []) }
        b.record(MilestoneMetrics(step: 50, nearestNeighbourRMSE: 0.7, swd: 0.25))
        b.record(MilestoneMetrics(step: 150, nearestNeighbourRMSE: 0.5, swd: 0.2))
        return RunOverlay(label: label, snapshot: b, color: .seriesB)
    }

    @Test func overlaysDrawOverTheChartWithALegendAndJoinTheTable() throws {
        let g = AppFixture.frame(trainInput(AppFixture.snapshot(), overlays: [overlay()]), width: 160, height: 50)
        let rows = try block(g, "Loss (log scale)")
        let text = g.textLines()[rows].joined(separator: "\n")
        #expect(text.contains("── baseline"), "the legend names the overlay")
        #expect(text.contains("step 200"), "the x axis covers the longer run")
        #expect(rows.contains { y in g.fgRuns(row: y).contains { $0.color == theme.seriesB } })
        let legend = try #require(rows.first { g.text(row: $0).contains("── baseline") })
        let dash = try #require(column(of: "── baseline", in: g.text(row: legend)))
        #expect(g[dash, legend].fg == theme.seriesB)
        // The milestone table: each step once, this run first, the overlay's rows in its colour.
        let lines = g.textLines()
        let header = try #require(lines.firstIndex { $0.contains("step run") && $0.contains("NN-RMSE") })
        let table = lines[(header + 1)...].prefix(4).map { $0.split(separator: "│").last.map(String.init) ?? "" }
        #expect(table[0].contains("50 this run") && table[0].contains("0.789"))
        #expect(!table[1].contains("50") && table[1].contains("baseline") && table[1].contains("0.7"))
        #expect(table[2].contains("100 this run"))
        #expect(table[3].contains("150 baseline") && table[3].contains("0.2"))
        let y = header + 2
        #expect(g.fgRuns(row: y).contains { $0.color == theme.seriesB })

        // At 80x24 the legend keeps the overlay's entry, and with no room for the table the
        // overlay's newest quality follows this run's.
        let small = AppFixture.frame(trainInput(AppFixture.snapshot(), overlays: [overlay()]), width: 80, height: 24)
        #expect(try block(small, "Loss (log scale)").contains { small.text(row: $0).contains("── baseline") })
        let swd = try #require(small.textLines().first { $0.contains("SWD ") })
        #expect(swd.contains("0.123 · baseline 0.2"), "\(swd)")
        #expect(!small.text.contains("NN-RMSE      SWD"), "no table header without a row under it")
    }

    @Test func aCheckpointOpenedForViewingHasNoBucketHistoryNorGrids() throws {
        var input = AppFixture.input(AppFixture.state(.train), viewOnly: true)
        input.snapshot.samples = nil
        input.snapshot.history = StepHistory(losses: input.snapshot.losses, bucketCount: 10)  // as ModelSource reads it
        let g = AppFixture.frame(input, width: 160, height: 50)
        #expect(try block(g, "Samples").count == 4, "a short panel for the message")
        #expect(g.text.contains("view-only: no training samples here"))
        // The buckets' current values as one heat row (no map of an empty history).
        let buckets = try block(g, "Loss by timestep")
        #expect(!buckets.contains { g.text(row: $0).contains("▀") })
        #expect(buckets.contains { g.text(row: $0).contains("0.5") && g.text(row: $0).contains("0.14") })
        #expect(try block(g, "Loss (log scale)").count > 20, "the chart takes the room")
    }

    @Test func everySizeRendersWithOverlaysAndLongHistories() throws {
        var s = AppFixture.snapshot()
        let buckets = s.bucketLoss
        for k in 121...3000 { s.record(step: k, loss: .nan, buckets: k % 2 == 0 ? buckets : Array(repeating: .nan, count: 10)) }
        let input = trainInput(s, overlays: [overlay(steps: 5000), overlay(steps: 1, label: "B")])
        for (w, h) in [(0, 0), (80, 24), (100, 30), (119, 35), (120, 36), (160, 50), (200, 60), (300, 90)] {
            let g = AppFixture.frame(input, width: w, height: h)
            #expect(g.width == w && g.height == h)
            if w >= 120 { #expect(g.text.contains("Loss (log scale)") && g.text.contains("hardest")) }
        }
        for w in stride(from: 0, through: 130, by: 7) {
            for h in stride(from: 0, through: 45, by: 4) { _ = AppFixture.frame(input, width: w, height: h, glyphs: .ascii) }
        }
    }
}

import DiffusionEngine
import Foundation
import Testing
import TerminalUI
import Workbench

/// Whole frames rendered into memory: text lines, colours, sizes from too small to large, ASCII.
@Suite struct ScreenTests {
    let sizes = [(80, 24), (120, 40), (160, 50), (200, 60)]

    func inputs() throws -> [FrameInput] {
        let d = try AppFixture.denoise(steps: 4)
        var b = FixSet.fixed
        b.finalStep = .xRecon
        let c = try AppFixture.compare(b: b)
        return Screen.allCases.map { screen in
            var s = AppFixture.state(screen)
            s.compare.b = b
            return AppFixture.input(s, denoise: d, compare: c)
        }
    }

    @Test func everyScreenAtEverySizeHasTabsAndKeyHints() throws {
        for input in try inputs() {
            for (w, h) in sizes {
                let g = AppFixture.frame(input, width: w, height: h)
                let lines = g.textLines()
                for s in Screen.allCases { #expect(lines[0].contains("\(s.rawValue) \(s.title)"), "\(input.state.screen) \(w)x\(h)") }
                #expect(lines[h - 1].hasSuffix("[?] keys  [q] quit"), "\(input.state.screen) \(w)x\(h): \(lines[h - 1])")
                #expect(lines[h - 1].hasPrefix("["))
            }
        }
    }

    @Test func asciiFramesAreAllASCII() throws {
        for input in try inputs() {
            for (w, h) in [(80, 24), (200, 60)] {
                let g = AppFixture.frame(input, width: w, height: h, glyphs: .ascii)
                let bad = g.cells.filter { !$0.character.isASCII }.map(\.character)
                #expect(bad.isEmpty, "\(input.state.screen) \(w)x\(h): \(Set(bad))")
            }
        }
        let schedule = AppFixture.frame(try inputs()[1], width: 200, height: 60, glyphs: .ascii).text
        #expect(schedule.contains("sqrt(abar_t)"))
        #expect(schedule.contains("beta_t"))
    }

    @Test func tooSmallSaysTheSizeNeeded() throws {
        let input = try inputs()[0]
        for (w, h) in [(79, 24), (80, 23), (30, 6)] {
            let g = AppFixture.frame(input, width: w, height: h)
            #expect(g.text.contains("80x24") && g.text.contains("Terminal is \(w)x\(h)"), "\(w)x\(h)")
        }
        for (w, h) in [(0, 0), (1, 1), (0, 30), (200, 0)] { _ = AppFixture.frame(input, width: w, height: h) }
    }

    /// Any size from nothing to just above the minimum, either glyph set, every screen: the frame
    /// has exactly that size and rendering never traps (the checks of the removed TerminalUI demo,
    /// now on the renderer the app uses).
    @Test func everyScreenRendersAtManySizesWithoutTrapping() throws {
        for input in try inputs() {
            for glyphs in [Glyphs.unicode, .ascii] {
                for w in stride(from: 0, through: 91, by: 13) {
                    for h in stride(from: 0, through: 31, by: 5) {
                        let g = AppFixture.frame(input, width: w, height: h, glyphs: glyphs)
                        #expect(g.width == w && g.height == h, "\(input.state.screen) \(w)x\(h)")
                    }
                }
            }
        }
    }

    @Test func screensStayInsideTheirAreaAndSurviveTinyAreas() throws {
        let areas = [Rect.zero, Rect(x: 5, y: 5, width: 0, height: 3), Rect(x: 3, y: 2, width: 1, height: 1),
                     Rect(x: 10, y: 4, width: 7, height: 3), Rect(x: 2, y: 1, width: 30, height: 9)]
        for input in try inputs() {
            for area in areas {
                var g = Grid(width: 60, height: 20, fill: Cell("·", fg: .white, bg: .black))
                let blank = g
                switch input.state.screen {
                case .train: TrainScreen.render(input, into: &g, area: area)
                case .schedule: ScheduleScreen.render(input, into: &g, area: area)
                case .denoise: DenoiseScreen.render(input, into: &g, area: area)
                case .compare: CompareScreen.render(input, into: &g, area: area)
                case .help: HelpScreen.render(input, into: &g, area: area)
                case .vae: VAEScreen.render(input, into: &g, area: area)
                }
                for y in 0..<g.height {
                    for x in 0..<g.width where !area.contains(x: x, y: y) {
                        #expect(g[x, y] == blank[x, y], "\(input.state.screen) wrote (\(x),\(y)) outside \(area)")
                    }
                }
            }
        }
    }

    // MARK: Train

    @Test func trainShowsLossProgressBucketsSamplesCheckpoint() throws {
        let input = try inputs()[0]
        let g = AppFixture.frame(input, width: 160, height: 50)
        let text = g.text
        #expect(text.contains("Loss (log scale)"))
        #expect(text.contains("smoothed"))
        #expect(text.contains("step 120 / 200"))
        #expect(text.contains("60% · ETA 1m35s"))
        #expect(text.contains("images/s  123.4"))
        #expect(text.contains("hardest: t 0-0"))
        #expect(text.contains("step 100 · EMA"))
        #expect(text.contains("/runs/a/checkpoint.safetensors"))
        #expect(text.contains("SWD        0.123"))
        #expect(text.contains("▀"))  // samples as half blocks
        // The smoothed loss is drawn in the theme's loss colour (braille, in the loss chart).
        let lossRows = g.textLines().indices.filter { g.text(row: $0).contains { $0.unicodeScalars.first!.value & 0xFF00 == 0x2800 } }
        #expect(lossRows.contains { g.fgRuns(row: $0).contains { $0.color == Theme.default.loss } })
    }

    @Test func trainBeforeTheFirstStep() {
        var input = AppFixture.input(AppFixture.state(.train))
        input.snapshot = TrainingSnapshot.initial(options: AppFixture.options, data: "d")
        let text = AppFixture.frame(input).text
        #expect(text.contains("waiting for the first step"))
        #expect(text.contains("no samples yet: the next come at step 50"))
        #expect(text.contains("not yet (c saves now)"))
    }

    @Test func smoothingAndColumns() {
        #expect(TrainScreen.smoothed([]) == nil)
        #expect(TrainScreen.smoothed([2, 2, 2]) == 2)
        // The chart's columns (the mean of the steps each covers) come from the run's history now.
        #expect(StepHistory(losses: [1, 2, 3, 4]).lossColumns(atMost: 2).map(\.mean) == [1.5, 3.5])
        #expect(StepHistory(losses: [1, 2]).lossColumns(atMost: 5).map(\.mean) == [1, 2])
        #expect(StepHistory(losses: Array(repeating: 1, count: 1000)).lossColumns(atMost: 100).count == 100)
    }

    @Test func tilesPreferFewerLargerImages() {
        let area = Rect(x: 0, y: 0, width: 158, height: 33)
        let all = ImageTiles.layout(count: 16, width: 32, height: 32, in: area)
        #expect(all.shown == 16 && all.tileWidth == 16)  // every image, at half size
        let half = ImageTiles.layout(count: 16, width: 32, height: 32, in: area, minShown: 8)
        #expect(half.shown == 8 && half.tileWidth == 32 && half.tileHeight == 16)
        let big = ImageTiles.layout(count: 4, width: 8, height: 8, in: Rect(width: 80, height: 20))
        #expect(big.shown == 4 && big.tileWidth == 16 && big.rows == 1)  // 4x would not fit 4 across, 2x does
        #expect(ImageTiles.layout(count: 3, width: 8, height: 8, in: .zero).shown == 0)
        let wide = ImageTiles.layout(count: 4, width: 8, height: 8, in: Rect(width: 200, height: 10))
        #expect(wide.rows == 1 && wide.columns == 4)
    }

    // MARK: Schedule

    @Test func scheduleShowsExactValuesAtTheCursor() throws {
        var s = AppFixture.state(.schedule)
        s.schedule.cursor = 5
        let sched = try NoiseSchedule(.linear, timesteps: AppFixture.T)
        let text = AppFixture.frame(AppFixture.input(s), width: 200, height: 60).text
        #expect(text.contains("t = 5 of 0-9"))
        #expect(text.contains("β_t        \(AppRenderer.number(Double(sched.betas[5])))"))
        #expect(text.contains("√ᾱ_t       \(AppRenderer.number(Double(sched.sqrtAlphasCumprod[5])))"))
        #expect(text.contains("t=5 ◂cursor"))
        #expect(text.contains("t=9 (99%)"))
    }

    @Test func scheduleOverlays() throws {
        var s = AppFixture.state(.schedule)
        s.schedule.overlay = .kind(.cosine)
        var text = AppFixture.frame(AppFixture.input(s), width: 200, height: 60).text
        #expect(text.contains("overlay (o): cosine schedule"))
        #expect(text.contains("bottom: cosine"))
        s.schedule.overlay = .fourthRoot
        text = AppFixture.frame(AppFixture.input(s), width: 200, height: 60).text
        #expect(text.contains("signal²+noise²"))
        #expect(text.contains("bottom: 4th root"))
    }

    // MARK: Denoise

    @Test func denoiseShowsTheStepAndItsCoefficients() throws {
        var s = AppFixture.state(.denoise)
        let h = try AppFixture.denoise()
        s.denoise.position = 0
        var text = AppFixture.frame(AppFixture.input(s, denoise: h), width: 160, height: 50).text
        #expect(text.contains("x_t  (t = 9)"))
        #expect(text.contains("t = 9 → t = 8   step 1 of 10"))
        #expect(text.contains("posterior_mean_coef1"))
        #expect(text.contains("predicted x̂_0"))
        #expect(text.contains("EMA, from step 42"))
        #expect(text.contains("DDPM ancestral · seed 1"))
        #expect(text.contains("σ_t"))
        s.denoise.position = AppFixture.T
        text = AppFixture.frame(AppFixture.input(s, denoise: h), width: 160, height: 50).text
        #expect(text.contains("x_0  (final)"))
        #expect(text.contains("the chain's result"))
    }

    @Test func denoiseWaitsForItsChain() throws {
        var s = AppFixture.state(.denoise)
        s.denoise.settings.seed = 99
        let text = AppFixture.frame(AppFixture.input(s, denoise: try AppFixture.denoise())).text
        #expect(text.contains("starting the chain (seed 99)"))
        s.denoise.settings.seed = 1
        s.denoise.position = 7
        let partial = try AppFixture.denoise(steps: 3)
        #expect(AppFixture.frame(AppFixture.input(s, denoise: partial)).text.contains("computing… (3/10 ready)"))
    }

    // MARK: Compare

    @Test func compareShowsSwitchesAndTheVerdict() throws {
        let input = try inputs()[3]
        let g = AppFixture.frame(input, width: 160, height: 50)
        let text = g.text
        #expect(text.contains("2  final step t=0 (FIX 3)"))
        #expect(text.contains("x_recon"))
        #expect(text.contains("differs"))
        #expect(text.contains("final step t=0: identical within float rounding (max |Δ| 0)"))
        #expect(text.contains("every step: exactly 0"))
        let row = g.textLines().firstIndex { $0.contains("identical within float rounding") }!
        #expect(g.fgRuns(row: row).contains { $0.color == Theme.default.ok })
    }

    @Test func comparedImagesShareOneScale() throws {
        let input = try inputs()[3]
        for (w, h) in sizes {
            let cells = AppFixture.frame(input, width: w, height: h).cells.filter { $0.character == "▀" }.count
            // Three 8x8 images at one whole scale k: 3 · 8k columns · 4k rows.
            let k = (1...12).first { 3 * 32 * $0 * $0 == cells }
            #expect(k != nil, "\(w)x\(h): \(cells) half-block cells")
        }
    }

    @Test func compareReportsADifference() throws {
        var b = FixSet.fixed
        b.reverseVariance = .beta
        var s = AppFixture.state(.compare)
        s.compare.b = b
        let g = AppFixture.frame(AppFixture.input(s, compare: try AppFixture.compare(b: b)), width: 160, height: 50)
        let row = try #require(g.textLines().firstIndex { $0.contains("reverse variance: differs from t=") })
        #expect(g.fgRuns(row: row).contains { $0.color == Theme.default.warn })
    }

    // MARK: Help, themes, status

    @Test func helpListsEveryKeyAndSwitch() throws {
        let g = AppFixture.frame(try inputs()[4], width: 200, height: 160)
        let text = g.text
        for e in KeyGuide.global + KeyGuide.schedule + KeyGuide.denoise + KeyGuide.compare + KeyGuide.train {
            #expect(text.contains(e.keys), "\(e.keys)")
        }
        for s in FixSwitch.allCases {
            #expect(text.contains(s.displayName))
            #expect(text.contains("[\(s.checklistItem)]"))
            #expect(text.contains(String(s.explanation.prefix(30))))
        }
        #expect(text.contains("[FIX 2]"))
    }

    @Test func helpScrolls() throws {
        var s = AppFixture.state(.help)
        s.helpScroll = 5
        let top = AppFixture.frame(AppFixture.input(s), width: 80, height: 24).textLines()[2]
        #expect(!top.contains("Keys on every screen"))
        #expect(HelpScreen.maxScroll(area: Rect(x: 0, y: 1, width: 80, height: 22), theme: .default, glyphs: .unicode) > 50)
    }

    @Test func themeColoursTheWholeFrame() throws {
        let light = try #require(Theme.named("light"))
        let g = AppFixture.frame(AppFixture.input(AppFixture.state(.train), theme: light))
        #expect(g[60, 30].bg == light.mainBg || g[60, 30].character == "▀")
        #expect(g.bgRuns(row: 0).contains { $0.color == light.selectedBg })
        #expect(!g.cells.contains { $0.bg == Theme.default.mainBg })
    }

    @Test func headerShowsStatusNoticeAndQuitting() {
        var s = AppFixture.state(.train)
        var text = AppFixture.frame(AppFixture.input(s)).textLines()[0]
        #expect(text.contains("training · step 120/200 · 123.4 img/s"))
        s.notice = "saving a checkpoint…"
        text = AppFixture.frame(AppFixture.input(s)).textLines()[0]
        #expect(text.contains("saving a checkpoint…"))
        s.quitting = true
        #expect(AppFixture.frame(AppFixture.input(s)).text.contains("saving — training"))
        let view = AppFixture.frame(AppFixture.input(AppFixture.state(.denoise, viewOnly: true), viewOnly: true)).textLines()[0]
        #expect(view.contains("viewing /runs/a/checkpoint.safetensors"))
    }

    @Test func themeListHandlesNamesFilesAndMistakes() {
        let builtin = WorkbenchApp.themeList("light")
        #expect(builtin.themes[builtin.index].name == "light" && builtin.warnings.isEmpty)
        let missing = WorkbenchApp.themeList("/no/such.theme")
        #expect(missing.index == 0 && missing.warnings.count == 1)
        let path = NSTemporaryDirectory() + "ddpm-test-\(getpid()).theme"
        try? "theme[main_bg]=\"#102030\"\ntheme[nonsense]=\"#ffffff\"\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = WorkbenchApp.themeList(path)
        #expect(file.themes[file.index].mainBg == RGB(hex: 0x102030))
        #expect(file.themes[file.index].hiFg == Theme.default.hiFg)  // missing key: default
        #expect(file.warnings.isEmpty)  // unknown key: ignored
    }
}

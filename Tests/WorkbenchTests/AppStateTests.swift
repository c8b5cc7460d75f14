import DiffusionEngine
import Testing
import TerminalUI
import Workbench

/// The key map as a state machine: keys in, state and commands out, no terminal involved.
@Suite struct AppStateTests {
    let T = 100

    /// Presses a key (a function, so `#expect` can look at what it returned).
    func press(_ s: inout AppState, _ key: Key) -> [AppCommand] { s.handle(key) }

    func state(_ screen: Screen = .train, viewOnly: Bool = false) -> AppState {
        var s = AppState(timesteps: T, viewOnly: viewOnly, themeCount: 3)
        s.screen = screen
        return s
    }

    @Test func tabVisitsEveryScreenAndWraps() {
        var s = state()
        var seen: [Screen] = [s.screen]
        for _ in 0..<6 { _ = s.handle(.tab); seen.append(s.screen) }
        #expect(seen == [.train, .schedule, .denoise, .compare, .help, .vae, .train])
        _ = s.handle(.backTab)
        #expect(s.screen == .vae)
    }

    @Test func digitsSwitchScreensWhereTheyHaveNoLocalMeaning() {
        var s = state(.train)
        _ = s.handle(.character("3"))
        #expect(s.screen == .denoise)
        // On Denoise, 2 jumps to t = 50% of T instead.
        _ = s.handle(.character("2"))
        #expect(s.screen == .denoise)
        #expect(s.denoise.position == T - 1 - s.t(atFraction: 0.5))
        // F-keys switch from anywhere.
        _ = s.handle(.function(4))
        #expect(s.screen == .compare)
        _ = s.handle(.character("5"))  // on Compare: a switch number (there are 7), not the Help screen
        #expect(s.screen == .compare)
        _ = s.handle(.function(2))
        _ = s.handle(.character("5"))
        #expect(s.screen == .help)
    }

    @Test func questionMarkOpensHelpAndReturns() {
        var s = state(.schedule)
        _ = s.handle(.character("?"))
        #expect(s.screen == .help)
        _ = s.handle(.character("?"))
        #expect(s.screen == .schedule)
        _ = s.handle(.character("?"))
        _ = s.handle(.escape)
        #expect(s.screen == .schedule)
    }

    @Test func quitAsksOnceThenIgnoresKeys() {
        var s = state()
        #expect(press(&s, .character("q")) == [.quit])
        #expect(s.quitting)
        let before = s
        #expect(press(&s, .tab).isEmpty)
        #expect(s == before)
    }

    @Test func aSecondQSkipsTheFinalGridOnce() {
        var s = state()
        #expect(press(&s, .character("q")) == [.quit])
        #expect(s.notice?.contains("q again skips the grid") == true)
        #expect(press(&s, .character("q")) == [.skipFinalGrid])
        #expect(s.skippingFinalGrid)
        #expect(press(&s, .character("q")).isEmpty)
        var view = state(viewOnly: true)
        #expect(press(&view, .character("q")) == [.quit])
        #expect(press(&view, .character("q")).isEmpty, "viewing has no grid to skip")
    }

    @Test func trainingCommands() {
        var s = state()
        #expect(press(&s, .character("p")) == [.setPaused(true)])
        #expect(press(&s, .character("p")) == [.setPaused(false)])
        #expect(press(&s, .character("c")) == [.saveNow])
        #expect(press(&s, .character("s")) == [.sampleNow])
    }

    @Test func viewOnlyHasNoTrainingCommands() {
        var s = state(.train, viewOnly: true)
        #expect(press(&s, .character("p")).isEmpty)
        #expect(press(&s, .character("c")).isEmpty)
        #expect(s.notice?.contains("view-only") == true)
        #expect(AppState(timesteps: T, viewOnly: true).screen == .denoise)
    }

    @Test func unknownKeysChangeNothing() {
        for screen in Screen.allCases {
            var s = state(screen)
            let before = s
            for k: Key in [.character("z"), .character("Z"), .insert, .function(9), .control("x"), .character("é")] {
                #expect(press(&s, k).isEmpty)
            }
            #expect(s == before, "screen \(screen)")
        }
    }

    @Test func themesCycle() {
        var s = state()
        var seen: [Int] = []
        for _ in 0..<4 { _ = s.handle(.character("t")); seen.append(s.themeIndex) }
        #expect(seen == [1, 2, 0, 1])
    }

    // MARK: Schedule

    @Test func scheduleCursorMovesAndClamps() {
        var s = state(.schedule)
        let start = s.schedule.cursor
        _ = s.handle(.right)
        #expect(s.schedule.cursor == start + 1)
        _ = s.handle(.pageDown)
        #expect(s.schedule.cursor == start + 1 + T / 20)
        _ = s.handle(.end)
        _ = s.handle(.right)
        #expect(s.schedule.cursor == T - 1)
        _ = s.handle(.home)
        _ = s.handle(.left)
        _ = s.handle(.pageUp)
        #expect(s.schedule.cursor == 0)
    }

    @Test func overlayCyclesThroughKindsAndFourthRoot() {
        var s = state(.schedule)
        var seen: [ScheduleOverlay] = []
        for _ in 0..<6 { _ = s.handle(.character("o")); seen.append(s.schedule.overlay) }
        #expect(seen == [.kind(.linear), .kind(.cosine), .kind(.quadratic), .kind(.sigmoid), .fourthRoot, .none])
    }

    // MARK: Denoise

    @Test func denoiseStepsBackAndForthWithinTheChain() {
        var s = state(.denoise)
        _ = s.handle(.right)
        _ = s.handle(.character("l"))
        #expect(s.denoise.position == 2)
        _ = s.handle(.left)
        #expect(s.denoise.position == 1)
        _ = s.handle(.character("h"))
        _ = s.handle(.character("h"))
        #expect(s.denoise.position == 0)
        _ = s.handle(.character("G"))
        #expect(s.denoise.position == T)  // x_0, after the last step
        _ = s.handle(.right)
        #expect(s.denoise.position == T)
        _ = s.handle(.character("g"))
        #expect(s.denoise.position == 0)
    }

    @Test func denoiseJumpsByFractionOfT() {
        var s = state(.denoise)
        // DDPM visits t = T-1 ... 0, so the frame of t is T-1-t.
        for (key, fraction) in zip(["0", "1", "2", "3", "4"], AppState.jumpFractions) {
            _ = s.handle(.character(Character(key)))
            #expect(s.denoise.position == T - 1 - s.t(atFraction: fraction))
        }
        _ = s.handle(.character("0"))
        #expect(s.denoise.position == T - 1)  // the last step, at t = 0
    }

    @Test func newSeedSamplerOrWeightsRestartTheChain() {
        var s = state(.denoise)
        _ = s.handle(.right)
        _ = s.handle(.right)
        #expect(press(&s, .character("r")) == [.refreshWeights])
        #expect(s.denoise.settings.seed == 2)
        #expect(s.denoise.position == 0)
        _ = s.handle(.character("e"))
        #expect(s.denoise.settings.ema == false)
        _ = s.handle(.character("d"))
        #expect(s.denoise.settings.sampler == .ddim)
        _ = s.handle(.character("G"))
        #expect(s.denoise.position == AppState.defaultDDIMSteps)
        _ = s.handle(.character("w"))
        #expect(s.denoise.settings.weightsGeneration == 1)
        #expect(s.denoise.position == 0)
    }

    @Test func speedStaysInRange() {
        var s = state(.denoise)
        for _ in 0..<20 { _ = s.handle(.character("+")) }
        #expect(s.denoise.stepsPerSecond == AppState.speeds.last)
        for _ in 0..<20 { _ = s.handle(.character("-")) }
        #expect(s.denoise.stepsPerSecond == AppState.speeds.first)
    }

    @Test func playingAdvancesWithTimeButWaitsForTheWorker() {
        var s = state(.denoise)
        _ = s.handle(.character(" "))
        #expect(s.denoise.playing)
        let speed = s.denoise.stepsPerSecond  // 50 steps/s by default
        let moved = s.tick(seconds: 0.1, available: 100)
        #expect(moved)
        #expect(s.denoise.position == Int(speed * 0.1))
        // Only 7 frames computed: the player stops at the last of them (6) and does not bank time.
        s.tick(seconds: 1, available: 7)
        #expect(s.denoise.position == 6)
        let stuck = s.tick(seconds: 1, available: 7)
        #expect(!stuck)
        // Plays to the end, then stops.
        s.tick(seconds: 100, available: T)
        #expect(s.denoise.position == T)
        #expect(!s.denoise.playing)
        // Space at the end starts over.
        _ = s.handle(.character(" "))
        #expect(s.denoise.position == 0 && s.denoise.playing)
    }

    @Test func workerTargetLooksAhead() {
        var s = state(.denoise)
        #expect(s.denoiseTarget == 33)
        _ = s.handle(.character("G"))
        #expect(s.denoiseTarget == T)
    }

    // MARK: Compare

    @Test func numberKeysFlipSwitchesOfB() {
        var s = state(.compare)
        _ = s.handle(.character("2"))
        #expect(s.compare.b.finalStep == .xRecon)
        #expect(s.compare.a == .fixed)
        #expect(s.notice?.contains("x_recon") == true)
        _ = s.handle(.character("1"))
        _ = s.handle(.character("1"))
        #expect(s.compare.b.forwardCoefficients == .sqrtOfSqrt)
        _ = s.handle(.character("1"))
        #expect(s.compare.b.forwardCoefficients == .precomputed)
        _ = s.handle(.character("9"))  // no switch 9
        _ = s.handle(.character("x"))
        #expect(s.compare.a.finalStep == .xRecon && s.compare.b.finalStep == .posteriorMean)
        _ = s.handle(.character("b"))
        #expect(s.compare.a == s.compare.b)
    }

    @Test func compareBrowsingStartsFromTheNewestFrame() {
        var s = state(.compare)
        s.compareAvailable = 40
        _ = s.handle(.left)
        #expect(s.compare.position == 39)
        _ = s.handle(.right)
        #expect(s.compare.position == nil)  // back to following
        _ = s.handle(.character("g"))
        #expect(s.compare.position == 0)
        _ = s.handle(.character("f"))
        #expect(s.compare.position == nil)
        _ = s.handle(.left)
        _ = s.handle(.character("2"))  // new switches: follow the new run
        #expect(s.compare.position == nil)
    }

    @Test func workerWantsOnlyTheVisibleScreensChain() {
        #expect(WorkbenchApp.wants(state(.train)) == ChainWorker.Wants())
        #expect(WorkbenchApp.wants(state(.denoise)).denoise != nil)
        #expect(WorkbenchApp.wants(state(.denoise)).compare == nil)
        #expect(WorkbenchApp.wants(state(.compare)).compare?.b == .fixed)
    }
}

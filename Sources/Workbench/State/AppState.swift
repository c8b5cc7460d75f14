import DiffusionEngine
import TerminalUI

/// The screens of the workbench, in tab order.
public enum Screen: Int, CaseIterable, Sendable {
    case train = 1, schedule, denoise, compare, help, vae

    public var title: String {
        switch self {
        case .train: return "Train"
        case .schedule: return "Schedule"
        case .denoise: return "Denoise"
        case .compare: return "Compare"
        case .help: return "Help"
        case .vae: return "VAE"
        }
    }

    /// The screen after this one (wrapping), for Tab.
    public var next: Screen { Screen(rawValue: rawValue % Self.allCases.count + 1)! }
    /// The screen before this one (wrapping), for Shift-Tab.
    public var previous: Screen { Screen(rawValue: (rawValue + Self.allCases.count - 2) % Self.allCases.count + 1)! }
}

/// Something the key handler asks the run loop to do that is not part of the app state: talk to
/// the training session, or quit.
public enum AppCommand: Equatable, Sendable {
    case setPaused(Bool)
    case saveNow
    case sampleNow
    /// Ask the session for a fresh copy of the weights (before restarting a chain on them).
    case refreshWeights
    /// Stop training (it saves) and leave.
    case quit
    /// `q` again while stopping: the checkpoint is already safe, leave without the final grid.
    case skipFinalGrid
}

/// The whole interactive state of the workbench as a value: which screen, cursors, chain settings,
/// theme. `handle(_:)` is the key map (a pure state machine: it changes the state and returns what
/// the run loop must do); `tick(seconds:available:)` advances the Denoise player. Screens read it,
/// never change it.
public struct AppState: Equatable, Sendable {
    public var screen: Screen = .train
    /// Where `?` came from, so a second `?` (or Esc) goes back.
    public var returnScreen: Screen?
    /// Index into the run loop's theme list; `themeCount` bounds it.
    public var themeIndex = 0
    public var themeCount = 1
    /// No training session (a checkpoint opened with `--view`): pause/save/sample do nothing.
    public var viewOnly = false
    /// The pause state asked of the session (the snapshot reports the real one).
    public var paused = false
    /// `q` was pressed (or a stop signal arrived): the loop is winding down.
    public var quitting = false
    /// `q` was pressed a second time while stopping: the final grid is being skipped.
    public var skippingFinalGrid = false
    /// A one-line note for the status bar ("saving requested", "view-only: …"); the loop expires it.
    public var notice: String?
    /// First line of the Help screen shown.
    public var helpScroll = 0
    /// The newest Compare frame the worker has computed (the loop keeps it current), so `←` from
    /// "follow newest" knows where it starts.
    public var compareAvailable = 0

    public var schedule: ScheduleView
    public var denoise: DenoiseView
    public var compare: CompareView
    public var vae: VAEView
    /// The family of the model opened: a VAE has no reverse chain for Denoise and Compare.
    public let family: ModelFamily

    /// The switches the model was trained with (Compare's A, and B's start).
    public let trainedFixes: FixSet
    /// A second model beside this one (an A/B pair's B, or `--checkpoint-b`): the switches it
    /// was trained with and its differences from A ("input=x0"); nil for one model. Compare's
    /// `m` runs chain B on it.
    public let modelB: SecondModel?

    public struct SecondModel: Equatable, Sendable {
        public var fixes: FixSet
        public var label: String
        public init(fixes: FixSet, label: String) {
            self.fixes = fixes
            self.label = label
        }
    }

    /// T and the number of DDIM steps the viewer uses (fixed for a model).
    public let timesteps: Int
    public let ddimSteps: Int

    /// - Parameters:
    ///   - timesteps: the model's T.
    ///   - fixes: the switches the model was trained with (Compare's A, and B's start).
    ///   - seed: the first seed of the Denoise and Compare chains.
    ///   - family: the model's; a VAE opens on the VAE screen.
    ///   - vaeImages: training images the VAE screen can pick from.
    ///   - modelB: a second model for Compare's `m`.
    public init(timesteps: Int, fixes: FixSet = .fixed, seed: UInt64 = 1, viewOnly: Bool = false, themeCount: Int = 1, themeIndex: Int = 0,
                family: ModelFamily = .diffusion, vaeImages: Int = 16, modelB: SecondModel? = nil) {
        self.timesteps = max(2, timesteps)
        self.ddimSteps = min(self.timesteps, AppState.defaultDDIMSteps)
        self.viewOnly = viewOnly
        self.themeCount = max(1, themeCount)
        self.themeIndex = min(max(0, themeIndex), self.themeCount - 1)
        let chain = ChainSettings(seed: seed)
        schedule = ScheduleView(cursor: self.timesteps / 2)
        denoise = DenoiseView(settings: chain)
        compare = CompareView(settings: chain, a: fixes, b: fixes)
        trainedFixes = fixes
        self.modelB = modelB
        vae = VAEView(imageCount: vaeImages)
        self.family = family
        if viewOnly { screen = .denoise }
        if family == .vae { screen = .vae }
    }

    /// DDIM steps for the viewer's `d` toggle (capped by T).
    public static let defaultDDIMSteps = 100
    /// Denoise play speeds, steps per second.
    public static let speeds: [Double] = [1, 2, 5, 10, 20, 50, 100, 200, 500]
    /// The fractions of T that `0`-`4` jump to (Denoise) and the forward strip shows (Schedule).
    public static let jumpFractions: [Double] = [0, 0.25, 0.5, 0.75, 0.99]

    /// The t at fraction `f` of the schedule: round(f·(T-1)).
    public func t(atFraction f: Double) -> Int { Int((f * Double(timesteps - 1)).rounded()) }

    /// The (t, tPrev) pairs a chain with `sampler` visits.
    public func stepPairs(_ sampler: SamplerChoice) -> [(t: Int, tPrev: Int)] {
        (try? sampler.sampler(ddimSteps: ddimSteps).stepPairs(timesteps: timesteps)) ?? []
    }

    /// Steps in a chain with `sampler` (positions run 0...length; `length` is the final x_0).
    public func chainLength(_ sampler: SamplerChoice) -> Int { sampler == .ddpm ? timesteps : ddimSteps }

    // MARK: Keys

    /// Applies one key press.
    /// - Returns: what the run loop must do besides redrawing (usually nothing).
    public mutating func handle(_ key: Key) -> [AppCommand] {
        if quitting {
            // The checkpoint is written before the final grid, so a second q only gives up the grid.
            if !viewOnly && !skippingFinalGrid && (key == .character("q") || key == .character("Q")) {
                skippingFinalGrid = true
                notice = "stopping: skipping the final sample grid…"
                return [.skipFinalGrid]
            }
            return []
        }
        // Screen-local keys first: digits mean different things on Denoise and Compare.
        switch screen {
        case .schedule: if handleSchedule(key) { return [] }
        case .denoise:
            // A VAE has no chain: its Denoise and Compare screens only say so, and keys are global.
            if family == .diffusion, let commands = handleDenoise(key) { return commands }
        case .compare:
            if family == .diffusion, let commands = handleCompare(key) { return commands }
        case .help: if handleHelp(key) { return [] }
        case .vae: if handleVAE(key) { return [] }
        case .train: break
        }
        return handleGlobal(key)
    }

    mutating func handleGlobal(_ key: Key) -> [AppCommand] {
        switch key {
        case .character("q"), .character("Q"):
            quitting = true
            notice = viewOnly ? "closing…" : "stopping: saving the checkpoint, then a final sample grid (q again skips the grid)…"
            return [.quit]
        case .tab: go(to: screen.next)
        case .backTab: go(to: screen.previous)
        case .function(let n) where n >= 1 && n <= Screen.allCases.count: go(to: Screen(rawValue: n)!)
        case .character(let c) where ("1"..."6").contains(c) && (family == .vae || (screen != .denoise && screen != .compare)):
            go(to: Screen(rawValue: Int(String(c))!)!)
        case .character("?"):
            if screen == .help, let back = returnScreen {
                screen = back
                returnScreen = nil
            } else if screen != .help {
                returnScreen = screen
                screen = .help
            }
        case .escape:
            if screen == .help, let back = returnScreen {
                screen = back
                returnScreen = nil
            }
        case .character("t"):
            themeIndex = (themeIndex + 1) % themeCount
        case .character("p"):
            guard !viewOnly else { notice = "view-only: no training to pause"; return [] }
            paused.toggle()
            notice = paused ? "pausing after the step in flight" : "resuming training"
            return [.setPaused(paused)]
        case .character("c"):
            guard !viewOnly else { notice = "view-only: nothing to save"; return [] }
            notice = "saving a checkpoint…"
            return [.saveNow]
        case .character("s"):
            guard !viewOnly else { notice = "view-only: samples come from training"; return [] }
            notice = "sampling…"
            return [.sampleNow]
        default: break
        }
        return []
    }

    mutating func go(to s: Screen) {
        returnScreen = nil
        screen = s
    }

    // MARK: Schedule

    mutating func handleSchedule(_ key: Key) -> Bool {
        let page = max(1, timesteps / 20)
        switch key {
        case .left, .character("h"): schedule.cursor -= 1
        case .right, .character("l"): schedule.cursor += 1
        case .pageUp: schedule.cursor -= page
        case .pageDown: schedule.cursor += page
        case .home, .character("g"): schedule.cursor = 0
        case .end, .character("G"): schedule.cursor = timesteps - 1
        case .character("o"): schedule.overlay = schedule.overlay.next
        case .character("i"): schedule.imageIndex += 1
        case .character("n"): schedule.noiseSeed &+= 1
        default: return false
        }
        schedule.cursor = min(max(0, schedule.cursor), timesteps - 1)
        return true
    }

    // MARK: Help

    mutating func handleHelp(_ key: Key) -> Bool {
        switch key {
        case .down, .character("j"): helpScroll += 1
        case .up, .character("k"): helpScroll = max(0, helpScroll - 1)
        case .pageDown, .character(" "): helpScroll += 10
        case .pageUp: helpScroll = max(0, helpScroll - 10)
        case .home, .character("g"): helpScroll = 0
        default: return false
        }
        return true
    }
}

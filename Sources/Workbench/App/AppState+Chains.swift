import DiffusionEngine
import TerminalUI

/// DDPM ancestral or DDIM, as the viewer's `d` key toggles them.
public enum SamplerChoice: String, Hashable, Sendable {
    case ddpm, ddim

    public func sampler(ddimSteps: Int) -> Sampler { self == .ddpm ? .ddpm : .ddim(steps: ddimSteps, eta: 0) }
    public var toggled: SamplerChoice { self == .ddpm ? .ddim : .ddpm }
}

/// What identifies one reverse chain: change any field and the chain starts over.
public struct ChainSettings: Hashable, Sendable {
    public var seed: UInt64
    public var ema = true
    public var sampler = SamplerChoice.ddpm
    /// Bumped by `w`: restart on the newest weights with everything else equal.
    public var weightsGeneration = 0

    public init(seed: UInt64, ema: Bool = true, sampler: SamplerChoice = .ddpm, weightsGeneration: Int = 0) {
        self.seed = seed
        self.ema = ema
        self.sampler = sampler
        self.weightsGeneration = weightsGeneration
    }
}

/// The Schedule screen's cursor and overlay.
public struct ScheduleView: Equatable, Sendable {
    /// The t whose exact values are shown, 0..<T.
    public var cursor: Int
    public var overlay = ScheduleOverlay.none
    /// Which training image the forward strip shows (wraps over the data set).
    public var imageIndex = 0
    /// Seed of the forward strip's noise ε.
    public var noiseSeed: UInt64 = 7
}

/// A second curve drawn over the schedule plots.
public enum ScheduleOverlay: Hashable, Sendable {
    case none
    /// Another schedule kind with the same T.
    case kind(ScheduleKind)
    /// The 4th-root forward variant (FIX 1's feared mistake): √ applied to the √ buffers.
    case fourthRoot

    /// `o` cycles: none → linear → cosine → quadratic → sigmoid → 4th root → none.
    public var next: ScheduleOverlay {
        let order: [ScheduleOverlay] = [.none] + ScheduleKind.allCases.map { .kind($0) } + [.fourthRoot]
        let i = order.firstIndex(of: self) ?? 0
        return order[(i + 1) % order.count]
    }

    public var label: String {
        switch self {
        case .none: return "none"
        case .kind(let k): return "\(k.rawValue) schedule"
        case .fourthRoot: return "4th-root forward (√ of √ buffers)"
        }
    }
}

/// The Denoise screen's player: where in the chain, playing or not, how fast.
public struct DenoiseView: Equatable, Sendable {
    public var settings: ChainSettings
    /// 0...length: frame k shows step k (x_t and the model's predictions at t); `length` is x_0.
    public var position = 0
    public var playing = false
    public var speedIndex = 5
    /// Fractional steps carried between ticks while playing.
    public var carry = 0.0

    public var stepsPerSecond: Double { AppState.speeds[min(max(0, speedIndex), AppState.speeds.count - 1)] }
}

/// The Compare screen: two chains on the same seed and noise, A and B switch sets.
public struct CompareView: Equatable, Sendable {
    public var settings: ChainSettings
    public var a: FixSet
    public var b: FixSet
    /// The frame shown (0 = x_T, k = after k steps); nil follows the newest computed frame.
    public var position: Int?
}

extension AppState {
    /// The switches numbered on the Compare screen (`1`...`7` flip them in B).
    public static var compareSwitches: [FixSwitch] { FixSwitch.allCases }

    // MARK: Denoise

    mutating func handleDenoise(_ key: Key) -> [AppCommand]? {
        let length = chainLength(denoise.settings.sampler)
        var d = denoise
        var commands: [AppCommand] = []
        switch key {
        case .right, .character("l"): d.position += 1; d.playing = false
        case .left, .character("h"): d.position -= 1; d.playing = false
        case .character(" "):
            if d.position >= length { d.position = 0 }
            d.playing.toggle()
            d.carry = 0
        case .character("+"), .character("="): d.speedIndex = min(d.speedIndex + 1, AppState.speeds.count - 1)
        case .character("-"), .character("_"): d.speedIndex = max(d.speedIndex - 1, 0)
        case .character("g"), .home: d.position = 0; d.playing = false
        case .character("G"), .end: d.position = length; d.playing = false
        case .character(let c) where ("0"..."4").contains(c):
            d.position = position(ofT: t(atFraction: AppState.jumpFractions[Int(String(c))!]), sampler: d.settings.sampler)
            d.playing = false
        case .character("r"): restart(&d.settings) { $0.seed &+= 1 }; commands = [.refreshWeights]
        case .character("e"): restart(&d.settings) { $0.ema.toggle() }; commands = [.refreshWeights]
        case .character("d"): restart(&d.settings) { $0.sampler = $0.sampler.toggled }
        case .character("w"): restart(&d.settings) { $0.weightsGeneration += 1 }; commands = [.refreshWeights]
        default: return nil
        }
        if d.settings != denoise.settings { d.position = 0; d.playing = false; d.carry = 0 }
        d.position = min(max(0, d.position), chainLength(d.settings.sampler))
        denoise = d
        return commands
    }

    private func restart(_ s: inout ChainSettings, _ change: (inout ChainSettings) -> Void) { change(&s) }

    /// The frame index of the step whose t is `t` (or the first step at or below it, for DDIM).
    public func position(ofT t: Int, sampler: SamplerChoice) -> Int {
        let pairs = stepPairs(sampler)
        return pairs.firstIndex(where: { $0.t <= t }) ?? pairs.count
    }

    /// Advances a playing Denoise chain by `seconds` of wall time, never past the last of the
    /// `available` frames the worker has computed (the player waits for more) nor past the end.
    /// - Returns: true when the position changed.
    @discardableResult
    public mutating func tick(seconds: Double, available: Int) -> Bool {
        guard denoise.playing else { return false }
        let length = chainLength(denoise.settings.sampler)
        denoise.carry += max(0, seconds) * denoise.stepsPerSecond
        let whole = Int(denoise.carry)
        guard whole > 0 else { return false }
        denoise.carry -= Double(whole)
        let before = denoise.position
        // Play only through frames the worker has finished (x_t with its predictions); the end
        // (x_0) once every step is done.
        let limit = available >= length ? length : max(before, available - 1)
        denoise.position = min(denoise.position + whole, limit)
        if denoise.position >= length { denoise.playing = false; denoise.carry = 0 }
        if denoise.position == before { denoise.carry = 0 }  // waiting for the worker: don't bank time
        return denoise.position != before
    }

    /// How many Denoise frames the worker should have: the one shown, plus a lookahead so `→`
    /// is instant (more while playing), all of them for the end.
    public var denoiseTarget: Int {
        let length = chainLength(denoise.settings.sampler)
        let ahead = 32 + (denoise.playing ? Int(denoise.stepsPerSecond) : 0)
        return min(length, denoise.position + 1 + ahead)
    }

    // MARK: Compare

    mutating func handleCompare(_ key: Key) -> [AppCommand]? {
        var c = compare
        var commands: [AppCommand] = []
        let length = chainLength(c.settings.sampler)
        switch key {
        case .character(let ch) where ("1"..."9").contains(ch):
            let i = Int(String(ch))! - 1
            guard i < AppState.compareSwitches.count else { return [] }
            let s = AppState.compareSwitches[i]
            c.b = s.cycled(c.b)
            notice = "B: \(s.displayName) → \(s.choiceNames[s.choiceIndex(in: c.b)])"
        case .character("b"): c.b = c.a; notice = "B reset to A"
        case .character("x"): swap(&c.a, &c.b); notice = "A and B swapped"
        case .left, .character("h"): c.position = max(0, (c.position ?? compareAvailable) - 1)
        case .right, .character("l"):
            let next = (c.position ?? compareAvailable) + 1
            c.position = next >= compareAvailable ? nil : min(length, next)
        case .character("g"), .home: c.position = 0
        case .character("f"), .character("G"), .end: c.position = nil
        case .character("r"): c.settings.seed &+= 1; commands = [.refreshWeights]
        case .character("e"): c.settings.ema.toggle(); commands = [.refreshWeights]
        case .character("d"): c.settings.sampler = c.settings.sampler.toggled
        case .character("w"): c.settings.weightsGeneration += 1; commands = [.refreshWeights]
        default: return nil
        }
        if c.settings != compare.settings || c.a != compare.a || c.b != compare.b { c.position = nil }
        compare = c
        return commands
    }
}

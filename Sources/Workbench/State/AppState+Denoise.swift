import DiffusionEngine
import TerminalUI

/// The Denoise screen's keys and player.
extension AppState {
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
        case .character("a"):
            d.gifPending = true
            notice = "GIF: computing the whole chain (\(length) steps), then writing it…"
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
    /// is instant (more while playing), all of them for the end or for a GIF.
    public var denoiseTarget: Int {
        let length = chainLength(denoise.settings.sampler)
        if denoise.gifPending { return length }
        let ahead = 32 + (denoise.playing ? Int(denoise.stepsPerSecond) : 0)
        return min(length, denoise.position + 1 + ahead)
    }
}

extension AppState {
    /// Both chains start over on the newest weights (a watched run replaced its checkpoint): as
    /// pressing `w` on Denoise and on Compare, without the keys.
    public mutating func followNewWeights() {
        denoise.settings.weightsGeneration += 1
        denoise.position = 0
        denoise.playing = false
        denoise.carry = 0
        compare.settings.weightsGeneration += 1
        compare.position = nil
    }
}

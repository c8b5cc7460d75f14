import DiffusionEngine
import TerminalUI

/// The Compare screen's keys.
extension AppState {
    /// The switches numbered on the Compare screen (digit keys `1`... flip them in B): the whole table.
    public static var compareSwitches: [FixSwitch] { FixSwitch.allCases }

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
        case .character("m"):
            guard let modelB else {
                notice = "one model: open a second with --checkpoint-b FILE, or train a pair with --ab SPEC"
                return []
            }
            switch c.mode {
            case .fixSets:
                (c.mode, c.a, c.b) = (.models, trainedFixes, modelB.fixes)
                notice = "A's model vs B's model (\(modelB.label)), each with the switches it was trained with"
            case .models:
                (c.mode, c.a, c.b) = (.fixSets, trainedFixes, trainedFixes)
                notice = "two fix sets, one model (A's)"
            }
            commands = [.refreshWeights]
        default: return nil
        }
        if c.settings != compare.settings || c.a != compare.a || c.b != compare.b || c.mode != compare.mode { c.position = nil }
        compare = c
        return commands
    }
}

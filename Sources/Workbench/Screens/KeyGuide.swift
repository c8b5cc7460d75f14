import TerminalUI

/// Every key of the workbench, written once: the hint bar of each screen and the Help screen both
/// read this table, so they cannot disagree with each other (`AppState.handle` implements it).
public enum KeyGuide {
    public struct Entry: Equatable, Sendable {
        public var keys: String
        public var action: String
        public init(_ keys: String, _ action: String) {
            self.keys = keys
            self.action = action
        }
    }

    /// Keys that work on every screen (digits switch screens only where they have no local use).
    public static let global: [Entry] = [
        Entry("Tab / S-Tab", "next / previous screen"),
        Entry("1-6", "go to screen (Train, Schedule, Help, VAE; Denoise/Compare use digits themselves)"),
        Entry("F1-F6", "go to screen (everywhere)"),
        Entry("?", "this help; ? or Esc goes back"),
        Entry("p", "pause / resume training"),
        Entry("c", "save a checkpoint now"),
        Entry("s", "sample now (milestone grid + metrics)"),
        Entry("t", "next theme"),
        Entry("q", "quit (training saves first; q again skips the final grid)"),
        Entry("Ctrl-C", "stop: save, restore the terminal, exit 130"),
    ]

    public static let schedule: [Entry] = [
        Entry("← → / h l", "move the t cursor by 1"),
        Entry("PgUp PgDn", "move the cursor by T/20"),
        Entry("Home End / g G", "t = 0 / t = T-1"),
        Entry("o", "overlay: another schedule kind, or the 4th-root forward variant"),
        Entry("i", "next training image for the forward strip"),
        Entry("n", "new noise ε for the forward strip"),
    ]

    public static let denoise: [Entry] = [
        Entry("→ / l", "one step (t → t-1)"),
        Entry("← / h", "one step back (history, instant)"),
        Entry("space", "play / pause"),
        Entry("+ / -", "faster / slower"),
        Entry("g / G", "start (t = T-1) / end (x_0)"),
        Entry("0-4", "jump to t = 0 / 25 / 50 / 75 / 99% of T"),
        Entry("r", "new seed"),
        Entry("e", "EMA vs raw weights"),
        Entry("d", "DDPM vs DDIM (100 steps)"),
        Entry("w", "restart on the newest weights"),
        Entry("a", "write the chain as an animated GIF (as ddpm render --gif; in the run folder, else here)"),
    ]

    /// The Compare screen's switch keys, "1-N" for the N switches of the table (so a new switch
    /// shows up here without an edit).
    public static var switchKeys: String { "1-\(AppState.compareSwitches.count)" }

    public static let compare: [Entry] = [
        Entry(switchKeys, "flip a switch of chain B (names on screen)"),
        Entry("b / x", "B := A / swap A and B"),
        Entry("← → / h l", "browse the steps"),
        Entry("g / f", "first step / follow the newest"),
        Entry("r e d w", "new seed, EMA/raw, DDPM/DDIM, newest weights"),
        Entry("m", "one model with two fix sets / A's model vs B's model, each as trained (an A/B pair, or --checkpoint-b FILE)"),
    ]

    public static let train: [Entry] = [
        Entry("p", "pause / resume"),
        Entry("c", "save now"),
        Entry("s", "sample now"),
    ]

    public static let vae: [Entry] = [
        Entry("← → / h l", "move along the interpolation (its image shows large)"),
        Entry("g / G", "the interpolation's first / last image"),
        Entry("a / A", "next / previous first image"),
        Entry("b / B", "next / previous last image"),
        Entry("n", "new prior samples"),
        Entry("v", "VAE vs diffusion: both models' samples side by side (ddpm --checkpoint A --versus B)"),
    ]

    public static let help: [Entry] = [
        Entry("↑ ↓ / PgUp PgDn", "scroll"),
    ]

    /// The hint bar of a screen: its most used keys first, then global ones (`pinned` are drawn apart).
    public static func hints(for screen: Screen, viewOnly: Bool) -> [KeyHintBar.Hint] {
        var h: [KeyHintBar.Hint]
        switch screen {
        case .train:
            h = viewOnly ? [] : [.init("p", "pause"), .init("c", "save"), .init("s", "sample")]
        case .schedule:
            h = [.init("←/→", "t"), .init("PgUp/PgDn", "±T/20"), .init("o", "overlay"), .init("i", "image"), .init("n", "noise")]
        case .denoise:
            h = [.init("←/→", "step"), .init("space", "play"), .init("+/-", "speed"), .init("g/G", "ends"),
                 .init("0-4", "jump"), .init("r", "seed"), .init("e", "ema"), .init("d", "ddim"), .init("w", "weights"), .init("a", "gif")]
        case .compare:
            h = [.init(switchKeys, "flip B"), .init("b", "B=A"), .init("x", "swap"), .init("←/→", "browse"), .init("f", "follow"),
                 .init("r", "seed"), .init("e", "ema"), .init("d", "ddim"), .init("m", "models")]
        case .help:
            h = [.init("↑/↓", "scroll")]
        case .vae:
            h = [.init("←/→", "interpolate"), .init("a/b", "ends"), .init("n", "samples"), .init("v", "vs diffusion")]
        }
        return h + [.init("Tab", "screen"), .init("t", "theme")]
    }

    /// The hints that are always visible, right-aligned on the hint row.
    public static let pinned: [KeyHintBar.Hint] = [.init("?", "keys"), .init("q", "quit")]
}

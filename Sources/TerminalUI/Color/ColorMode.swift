/// How many colours the output can show, and therefore how a cell's RGB is sent.
public enum ColorMode: String, Hashable, Sendable, CaseIterable {
    /// 24-bit colour sent as is (`ESC[38;2;r;g;bm`, ncurses direct colour).
    case direct
    /// The xterm-256 palette (`Palette.xterm256`).
    case xterm256
    /// The 16 ANSI colours (`Palette.ansi16`).
    case ansi16

    /// Picks a mode from the environment and, when known, the terminal's colour count.
    ///
    /// - `COLORTERM` = `truecolor` or `24bit`, or a `TERM` ending in `-direct` → `direct`;
    /// - else `terminalColors` ≥ 256 → `xterm256` (when `terminalColors` is nil, a `TERM`
    ///   containing `256color` counts as 256);
    /// - else `ansi16`.
    /// - Parameters:
    ///   - environment: usually `ProcessInfo.processInfo.environment`.
    ///   - terminalColors: the terminfo colour count (ncurses `COLORS`), nil when unknown.
    public static func detect(environment: [String: String], terminalColors: Int? = nil) -> ColorMode {
        let colorterm = (environment["COLORTERM"] ?? "").lowercased()
        let term = (environment["TERM"] ?? "").lowercased()
        if colorterm == "truecolor" || colorterm == "24bit" || term.hasSuffix("-direct") {
            return .direct
        }
        if let terminalColors {
            return terminalColors >= 256 ? .xterm256 : .ansi16
        }
        return term.contains("256color") ? .xterm256 : .ansi16
    }

    /// Parses a user's choice: `direct`/`truecolor`/`24bit`, `256`/`xterm256`, `16`/`ansi16`.
    public init?(name: String) {
        switch name.lowercased() {
        case "direct", "truecolor", "24bit", "rgb": self = .direct
        case "256", "xterm256", "xterm-256": self = .xterm256
        case "16", "ansi16", "ansi": self = .ansi16
        default: return nil
        }
    }

    /// What the terminal will actually show for `color` in this mode (for previews and tests).
    public func quantize(_ color: RGB) -> RGB {
        switch self {
        case .direct: return color
        case .xterm256: return Palette.rgb(ofXterm256: Palette.xterm256(color))
        case .ansi16: return Palette.ansi16Colors[Palette.ansi16(color)]
        }
    }
}

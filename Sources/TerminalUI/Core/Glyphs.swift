/// The character repertoire a render may use: full Unicode, or plain ASCII for terminals
/// without a UTF-8 locale.
///
/// The choice travels with the `Grid` being drawn into (`grid.glyphs`), so one render pass is
/// consistent and tests can render the ASCII variant of any widget. Widgets never hard-code
/// block, braille or box characters; they ask this type.
public enum Glyphs: Hashable, Sendable {
    case unicode
    case ascii

    /// Unicode when the locale's character set is UTF-8 (`LC_ALL`, else `LC_CTYPE`, else `LANG`:
    /// the first one set and non-empty decides, as in POSIX), ASCII otherwise.
    public static func detect(environment: [String: String]) -> Glyphs {
        for key in ["LC_ALL", "LC_CTYPE", "LANG"] {
            if let value = environment[key], !value.isEmpty {
                let lower = value.lowercased()
                return lower.contains("utf-8") || lower.contains("utf8") ? .unicode : .ascii
            }
        }
        return .ascii
    }

    /// Characters of a box border.
    public struct Border: Hashable, Sendable {
        public var topLeft: Character
        public var topRight: Character
        public var bottomLeft: Character
        public var bottomRight: Character
        public var horizontal: Character
        public var vertical: Character
    }

    /// Border corners: rounded (`╭╮╰╯`) or square (`┌┐└┘`); both become `+ - |` in ASCII.
    public func border(rounded: Bool) -> Border {
        switch self {
        case .ascii:
            return Border(topLeft: "+", topRight: "+", bottomLeft: "+", bottomRight: "+",
                          horizontal: "-", vertical: "|")
        case .unicode:
            return rounded
                ? Border(topLeft: "╭", topRight: "╮", bottomLeft: "╰", bottomRight: "╯",
                         horizontal: "─", vertical: "│")
                : Border(topLeft: "┌", topRight: "┐", bottomLeft: "└", bottomRight: "┘",
                         horizontal: "─", vertical: "│")
        }
    }

    /// The ASCII density ramp, lightest to densest.
    public static let asciiRamp: [Character] = Array(" .:-=+*#%@")

    /// A bar filled from the bottom by `eighths` (0...8): ` ▁▂▃▄▅▆▇█`.
    /// ASCII uses the density ramp (`@` for a full cell).
    public func verticalEighths(_ eighths: Int) -> Character {
        let e = min(max(eighths, 0), 8)
        switch self {
        case .unicode: return Glyphs.lowerBlocks[e]
        case .ascii: return Glyphs.asciiRamp[(e * 9 + 4) / 8]
        }
    }

    /// A bar filled from the left by `eighths` (0...8): ` ▏▎▍▌▋▊▉█`.
    /// ASCII has no partial cells: `#` from half a cell up, blank below.
    public func horizontalEighths(_ eighths: Int) -> Character {
        let e = min(max(eighths, 0), 8)
        switch self {
        case .unicode: return Glyphs.leftBlocks[e]
        case .ascii: return e >= 4 ? "#" : " "
        }
    }

    /// The upper-half block `▀` (the half-block image draws fg = upper pixel, bg = lower pixel).
    public var upperHalf: Character { self == .unicode ? "▀" : "^" }

    /// A density character for a fill level in [0, 1] (ASCII ramp; blocks shades in Unicode).
    public func density(_ level: Float) -> Character {
        let t = level.isNaN ? 0 : min(max(level, 0), 1)
        switch self {
        case .ascii: return Glyphs.asciiRamp[Int((t * 9).rounded())]
        case .unicode: return [" ", "░", "▒", "▓", "█"][Int((t * 4).rounded())]
        }
    }

    /// A braille cell from its 8-dot mask (bit k = dot k+1 of the Unicode braille numbering).
    /// ASCII shows which halves hold dots: upper only `'`, lower only `.`, both `:`.
    public func braille(_ mask: UInt8) -> Character {
        switch self {
        case .unicode:
            return Character(Unicode.Scalar(0x2800 + UInt32(mask))!)
        case .ascii:
            // Dots 1,2,4,5 (bits 0,1,3,4) are the upper half; 3,6,7,8 (bits 2,5,6,7) the lower.
            let upper = mask & 0b0001_1011 != 0
            let lower = mask & 0b1110_0100 != 0
            switch (upper, lower) {
            case (false, false): return " "
            case (true, false): return "'"
            case (false, true): return "."
            case (true, true): return ":"
            }
        }
    }

    /// The text put where a string was cut: `…` or `...`.
    public var ellipsis: String { self == .unicode ? "…" : "..." }

    /// A thin vertical rule (`│` / `|`), e.g. for cursors and separators.
    public var verticalRule: Character { self == .unicode ? "│" : "|" }

    static let lowerBlocks: [Character] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
    static let leftBlocks: [Character] = [" ", "▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"]
}

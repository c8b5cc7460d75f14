import Foundation
import TerminalUI

/// Plain-ASCII spellings for terminals without a UTF-8 locale.
///
/// Widgets already switch their blocks, braille and borders (`Glyphs.ascii`); the workbench's own
/// text carries Greek letters and arrows. `text(_:_:)` spells them out where a label is built
/// (β → beta, √ᾱ → sqrt(abar)); `sanitize(_:)` is the last pass over a finished ASCII frame and
/// replaces whatever non-ASCII character is left by one ASCII character, so nothing a non-UTF-8
/// terminal would garble ever reaches it.
public enum AsciiFallback {
    /// Longest first, so "√(1-ᾱ" is handled before "√" and "ᾱ".
    static let words: [(String, String)] = [
        ("√(1-ᾱ_t)", "sqrt(1-abar_t)"), ("√ᾱ_t", "sqrt(abar_t)"), ("√ᾱ", "sqrt(abar)"), ("√(1-ᾱ)", "sqrt(1-abar)"),
        ("ᾱ", "abar"), ("β̃", "beta~"), ("β", "beta"), ("ε̂", "eps^"), ("ε", "eps"), ("x̂", "x^"),
        ("σ", "sigma"), ("η", "eta"), ("Δ", "D"), ("…", "..."), ("→", "->"), ("←", "<-"), ("↑", "up"),
        ("↓", "down"), ("◂", "<"), ("—", "-"), ("–", "-"), ("·", "|"), ("×", "x"), ("²", "^2"), ("√", "sqrt"),
        ("≤", "<="), ("≥", ">="), ("±", "+-"),
    ]

    /// `s` with its non-ASCII words spelled out when `glyphs` is ASCII; unchanged otherwise.
    public static func text(_ s: String, _ glyphs: Glyphs) -> String {
        guard glyphs == .ascii, !s.allSatisfy(\.isASCII) else { return s }
        var out = s
        for (u, a) in words where out.contains(u) { out = out.replacingOccurrences(of: u, with: a) }
        return out
    }

    /// Single-cell stand-ins for what `text` did not spell out.
    static let singles: [Character: Character] = [
        "←": "<", "→": ">", "↑": "^", "↓": "v", "◂": "<", "▸": ">", "…": ".", "·": "|", "—": "-", "–": "-",
        "−": "-", "×": "x", "²": "2", "√": "V", "ᾱ": "a", "α": "a", "β": "b", "ε": "e", "σ": "s", "η": "n",
        "Δ": "D", "±": "~", "≤": "<", "≥": ">", "°": "o",
    ]

    /// One ASCII character for any character left (a look-alike, else `?`).
    public static func character(_ c: Character) -> Character {
        if c.isASCII { return c }
        if let a = singles[c] { return a }
        // A base letter with combining marks (x̂): keep the base letter.
        if let base = c.unicodeScalars.first, base.isASCII { return Character(base) }
        return "?"
    }

    /// Replaces every non-ASCII character of an ASCII frame (no-op for Unicode frames).
    public static func sanitize(_ grid: inout Grid) {
        guard grid.glyphs == .ascii else { return }
        for y in 0..<grid.height {
            for x in 0..<grid.width where !grid[x, y].character.isASCII {
                grid.set(x: x, y: y, character(grid[x, y].character))
            }
        }
    }
}

import DiffusionEngine
import TerminalUI

/// Screen 5: every key (from `KeyGuide`) and every switch with its choices, its checklist item
/// and what it means. Scrolls with ↑/↓ when it does not fit.
public enum HelpScreen {
    /// The help text as lines for a given width (explanations word-wrapped).
    public static func lines(width: Int, theme: Theme, glyphs: Glyphs) -> [TextLine] {
        let w = max(20, width)
        var out: [TextLine] = []
        func heading(_ s: String) {
            if !out.isEmpty { out.append(TextLine("")) }
            out.append(TextLine(s, fg: theme.title, attributes: [.bold, .underline]))
        }
        func keys(_ entries: [KeyGuide.Entry]) {
            let kw = min(18, (entries.map(\.keys.count).max() ?? 0) + 2)
            for e in entries {
                let text = Paragraph.wordWrap(AsciiFallback.text(e.action, glyphs), width: max(10, w - kw - 2))
                for (i, piece) in text.enumerated() {
                    out.append(TextLine([Span("  " + (i == 0 ? AsciiFallback.text(e.keys, glyphs) : "").padding(kw), fg: theme.hiFg, attributes: .bold),
                                         Span(piece, fg: theme.mainFg)]))
                }
            }
        }
        heading("Keys on every screen")
        keys(KeyGuide.global)
        heading("1 Train: the run as it trains")
        keys(KeyGuide.train)
        heading(AsciiFallback.text("2 Schedule: β_t, ᾱ_t, √ᾱ_t, √(1-ᾱ_t), log SNR; forward process at the cursor", glyphs))
        keys(KeyGuide.schedule)
        heading("3 Denoise: the reverse chain one step at a time")
        keys(KeyGuide.denoise)
        heading("4 Compare: chains A and B, same seed and noise, different switches (or models)")
        keys(KeyGuide.compare)
        heading("5 Help")
        keys(KeyGuide.help)
        heading("6 VAE: reconstructions, prior samples, the latent space; VAE vs diffusion")
        keys(KeyGuide.vae)

        heading("The switches (first choice = fixed / default)")
        for (i, s) in FixSwitch.allCases.enumerated() {
            let choices = s.choiceNames.enumerated().map { $0.offset == 0 ? "\($0.element) (fixed)" : $0.element }
            out.append(TextLine([Span("  \(i + 1) ", fg: theme.hiFg, attributes: .bold),
                                 Span(AsciiFallback.text(s.displayName, glyphs), fg: theme.title, attributes: .bold),
                                 Span("  [\(AsciiFallback.text(s.checklistItem, glyphs))]", fg: theme.warn),
                                 Span("  " + AsciiFallback.text(choices.joined(separator: " · "), glyphs), fg: theme.seriesB)]))
            for piece in Paragraph.wordWrap(AsciiFallback.text(s.explanation, glyphs), width: max(10, w - 8)) {
                out.append(TextLine("      " + piece, fg: theme.mainFg))
            }
        }
        out.append(TextLine([Span("  - ", fg: theme.hiFg), Span("final checkpoint", fg: theme.title, attributes: .bold),
                             Span("  [FIX 2]", fg: theme.warn),
                             Span("  not a switch, a guarantee: every run ends with a saved checkpoint (q, Ctrl-C, the end)", fg: theme.mainFg)]))
        heading("Reading the Compare verdict")
        let verdictText = "Both chains start from the same x_T and draw the same noise at every step. A step counts as identical when max |Δ| stays within float rounding (1e-5 · max(1, max |x|)). Switches that change no arithmetic give exactly 0; 'differs from t=… on' names the first step where the chains parted."
        for piece in Paragraph.wordWrap(AsciiFallback.text(verdictText, glyphs), width: max(10, w - 4)) {
            out.append(TextLine("  " + piece, fg: theme.mainFg))
        }
        return out
    }

    /// The largest useful scroll offset for an area.
    public static func maxScroll(area: Rect, theme: Theme, glyphs: Glyphs) -> Int {
        max(0, lines(width: area.width - 2, theme: theme, glyphs: glyphs).count - max(0, area.height - 2))
    }

    public static func render(_ input: FrameInput, into grid: inout Grid, area: Rect) {
        let theme = input.theme
        let all = lines(width: area.width - 2, theme: theme, glyphs: grid.glyphs)
        let visible = max(0, area.height - 2)
        let top = min(input.state.helpScroll, max(0, all.count - visible))
        let more = all.count > visible ? "lines \(top + 1)-\(min(all.count, top + visible)) of \(all.count) · ↑/↓ scroll" : nil
        let block = Block(title: "Help", rightTitle: more.map { AsciiFallback.text($0, grid.glyphs) })
        block.render(into: &grid, area: area, theme: theme)
        AppRenderer.lines(Array(all.dropFirst(top)), into: &grid, area: block.inner(area), theme: theme)
    }
}

extension String {
    /// Padded with spaces (or cut) to exactly `width` characters.
    func padding(_ width: Int) -> String {
        count >= width ? String(prefix(width)) : self + String(repeating: " ", count: width - count)
    }
}

import DiffusionEngine
import Foundation
import TerminalUI

/// Draws a whole frame: the tab bar, the current screen, the key-hint bar; the size message
/// below the minimum; the "saving…" box while quitting.
public enum AppRenderer {
    /// Below this size the layout gives way to a message naming the size needed.
    public static let minWidth = 80
    public static let minHeight = 24

    /// A whole frame of `width` x `height` cells (what the run loop hands to the backend).
    public static func frame(_ input: FrameInput, width: Int, height: Int, glyphs: Glyphs = .unicode) -> Grid {
        var grid = Grid(width: width, height: height, glyphs: glyphs, fill: input.theme.blank)
        render(input, into: &grid)
        return grid
    }

    public static func render(_ input: FrameInput, into grid: inout Grid) {
        defer { AsciiFallback.sanitize(&grid) }
        let theme = input.theme
        let screen = grid.bounds
        grid.fill(screen, with: theme.blank)
        if TooSmall.applies(width: screen.width, height: screen.height, minWidth: minWidth, minHeight: minHeight) {
            TooSmall(width: screen.width, height: screen.height, minWidth: minWidth, minHeight: minHeight)
                .render(into: &grid, area: screen, theme: theme)
            return
        }
        let rows = screen.rows([.fixed(1), .fill, .fixed(1)])
        renderHeader(input, into: &grid, area: rows[0])
        let body = rows[1]
        switch input.state.screen {
        case .train: TrainScreen.render(input, into: &grid, area: body)
        case .schedule: ScheduleScreen.render(input, into: &grid, area: body)
        case .denoise where input.state.family == .vae, .compare where input.state.family == .vae:
            VAEScreen.renderNoChain(input, into: &grid, area: body)
        case .denoise: DenoiseScreen.render(input, into: &grid, area: body)
        case .compare: CompareScreen.render(input, into: &grid, area: body)
        case .help: HelpScreen.render(input, into: &grid, area: body)
        case .vae: VAEScreen.render(input, into: &grid, area: body)
        }
        renderHints(input, into: &grid, area: rows[2])
        if input.state.quitting { renderQuitting(input, into: &grid, area: body) }
    }

    /// The screen's key hints on the left, `[?] keys  [q] quit` always visible on the right.
    static func renderHints(_ input: FrameInput, into grid: inout Grid, area: Rect) {
        let pinned = KeyHintBar(KeyGuide.pinned, alignment: .right)
        let pinnedWidth = KeyGuide.pinned.reduce(0) { $0 + $1.key.count + $1.action.count + 3 } + 2 * (KeyGuide.pinned.count - 1)
        let parts = area.columns([.fill, .fixed(pinnedWidth)], spacing: 2)
        let g = grid.glyphs
        let hints = KeyGuide.hints(for: input.state.screen, viewOnly: input.info.viewOnly)
            .map { KeyHintBar.Hint(AsciiFallback.text($0.key, g), AsciiFallback.text($0.action, g)) }
        KeyHintBar(hints).render(into: &grid, area: parts[0], theme: input.theme)
        pinned.render(into: &grid, area: parts[1], theme: input.theme)
    }

    /// `ddpm  1 Train  2 Schedule  …                    status · step 120/4000`
    static func renderHeader(_ input: FrameInput, into grid: inout Grid, area: Rect) {
        let theme = input.theme
        grid.fill(area, with: Cell(" ", fg: theme.mainFg, bg: theme.meterBg))
        var x = area.x
        x += grid.write(" ddpm ", x: x, y: area.y, style: Style(fg: theme.hiFg, bg: theme.meterBg, attributes: .bold))
        for s in Screen.allCases {
            let label = " \(s.rawValue) \(s.title) "
            let style = s == input.state.screen
                ? Style(fg: theme.selectedFg, bg: theme.selectedBg, attributes: .bold)
                : Style(fg: theme.inactiveFg, bg: theme.meterBg)
            x += grid.write(label, x: x, y: area.y, style: style)
        }
        let status: Span
        if let notice = input.state.notice {
            status = Span(notice + " ", fg: theme.warn, bg: theme.meterBg, attributes: .bold)
        } else {
            status = Span(statusText(input) + " ", fg: theme.mainFg, bg: theme.meterBg)
        }
        let room = Rect(x: x + 1, y: area.y, width: area.maxX - x - 1, height: 1)
        TextLine([status], alignment: .right).render(into: &grid, area: room, theme: theme)
    }

    /// "training · step 1234/4000 · 45 img/s" (or paused, finished, viewing …).
    public static func statusText(_ input: FrameInput) -> String {
        let s = input.snapshot
        if input.info.watchedFolder != nil { return "\(s.status) · step \(s.step)/\(s.totalSteps)" }
        if input.info.viewOnly { return "viewing \(input.info.checkpointPath ?? "checkpoint") · step \(s.step)" }
        var parts = [s.status, "step \(s.step)/\(s.totalSteps)"]
        if s.imagesPerSecond > 0 && !s.paused && !s.finished { parts.append(String(format: "%.1f img/s", s.imagesPerSecond)) }
        return parts.joined(separator: " · ")
    }

    static func renderQuitting(_ input: FrameInput, into grid: inout Grid, area: Rect) {
        let theme = input.theme
        let text = input.info.viewOnly ? "closing…" : "saving — \(input.snapshot.status)"
        let box = area.centered(width: min(area.width, max(40, text.count + 6)), height: 5)
        let block = Block(title: "quitting", focused: true)
        block.render(into: &grid, area: box, theme: theme)
        TextLine(text, fg: theme.warn, attributes: .bold, alignment: .center)
            .render(into: &grid, area: block.inner(box).inset(top: 1), theme: theme)
    }

    // MARK: Shared bits for screens

    /// A label/value line: label in `inactive_fg`, value in `main_fg` (or `color`).
    static func field(_ label: String, _ value: String, theme: Theme, color: RGB? = nil) -> TextLine {
        TextLine([Span(label + " ", fg: theme.inactiveFg), Span(value, fg: color ?? theme.mainFg)])
    }

    /// Draws lines top to bottom in `area` (extra lines are dropped).
    static func lines(_ lines: [TextLine], into grid: inout Grid, area: Rect, theme: Theme) {
        Paragraph(lines).render(into: &grid, area: area, theme: theme)
    }

    /// A number with 4 significant digits, exponent form when tiny or huge.
    public static func number(_ v: Double) -> String {
        if v == 0 { return "0" }
        if !v.isFinite { return v.isNaN ? "–" : (v > 0 ? "inf" : "-inf") }
        let a = abs(v)
        if a >= 1e-3 && a < 1e5 { return String(format: "%.4g", v) }
        return String(format: "%.3e", v)
    }


    /// "1h02m", "3m05s", "12s".
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "–" }
        let s = Int(seconds.rounded())
        if s >= 3600 { return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60) }
        if s >= 60 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return "\(s)s"
    }
}

import DiffusionEngine
import Foundation
import TerminalUI

/// Screen 2: the noise schedule — β_t, ᾱ_t, √ᾱ_t, √(1-ᾱ_t) and log SNR over t as braille line
/// plots with an optional overlay (another schedule kind, or the 4th-root forward variant), a t
/// cursor with exact values, and the forward process q(x_t | x_0) of one training image.
public enum ScheduleScreen {
    /// One plotted quantity: its name and how to get it from a schedule (and for the overlay).
    struct Quantity {
        var name: String
        var base: (NoiseSchedule) -> [Float]
        /// What the 4th-root forward variant makes of it (nil: unchanged by it).
        var fourthRoot: ((NoiseSchedule) -> [Float])?
        /// Plot on a log axis when another schedule is overlaid (cosine's β reaches 0.999 and
        /// would flatten every other β curve on a linear axis).
        var logWithOverlay = false
    }

    static let quantities: [Quantity] = [
        Quantity(name: "β_t", base: { $0.betas }, fourthRoot: nil, logWithOverlay: true),
        Quantity(name: "ᾱ_t", base: { $0.alphasCumprod }, fourthRoot: nil),
        Quantity(name: "√ᾱ_t  (signal)", base: { $0.sqrtAlphasCumprod }, fourthRoot: { $0.sqrtAlphasCumprod.map { $0.squareRoot() } }),
        Quantity(name: "√(1-ᾱ_t)  (noise)", base: { $0.sqrtOneMinusAlphasCumprod },
                 fourthRoot: { $0.sqrtOneMinusAlphasCumprod.map { $0.squareRoot() } }),
        // The 4th-root variant's effective SNR: signal²/noise² = √ᾱ/√(1-ᾱ), i.e. half the log SNR.
        Quantity(name: "log SNR", base: { $0.logSNR }, fourthRoot: { $0.logSNR.map { $0 / 2 } }),
    ]

    public static func render(_ input: FrameInput, into grid: inout Grid, area: Rect) {
        guard !area.isEmpty, let schedule = input.info.schedule else {
            TextLine("no schedule", fg: input.theme.error).render(into: &grid, area: area, theme: input.theme)
            return
        }
        let st = input.state.schedule
        let hasImages = input.info.images != nil
        // The forward strip takes up to 40% of the height; the plots keep at least 12 rows.
        let stripHeight = hasImages ? max(0, min(area.height - 12, area.height * 2 / 5)) : 0
        let rows = area.rows([.fill, .fixed(stripHeight)])
        let cols = rows[0].width >= 120 ? 3 : 2
        let gridRows = (quantities.count + 1 + cols - 1) / cols
        let rowRects = rows[0].rows(Array(repeating: .fill, count: gridRows))
        var cells: [Rect] = []
        for r in rowRects { cells += r.columns(Array(repeating: .fill, count: cols)) }
        let overlaySchedule: NoiseSchedule? = {
            if case .kind(let k) = st.overlay, k != schedule.kind { return input.info.schedules[k] }
            return nil
        }()
        for (i, q) in quantities.enumerated() where i < cells.count {
            renderPlot(q, schedule: schedule, overlay: overlaySchedule, fourthRoot: st.overlay == .fourthRoot,
                       cursor: st.cursor, input: input, into: &grid, area: cells[i])
        }
        if quantities.count < cells.count {
            renderValues(input, schedule: schedule, overlay: overlaySchedule, into: &grid, area: cells[quantities.count])
        }
        if stripHeight > 0 { renderStrip(input, schedule: schedule, overlay: overlaySchedule, into: &grid, area: rows[1]) }
    }

    static func renderPlot(_ q: Quantity, schedule: NoiseSchedule, overlay: NoiseSchedule?, fourthRoot: Bool, cursor: Int,
                           input: FrameInput, into grid: inout Grid, area: Rect) {
        let theme = input.theme
        let base = q.base(schedule).map(Double.init)
        var series = [LinePlot.Series(base, color: theme.seriesA)]
        var right = AppRenderer.number(base[min(cursor, base.count - 1)])
        if let overlay {
            let o = q.base(overlay).map(Double.init)
            series.append(LinePlot.Series(o, color: theme.seriesB))
            right += " | " + AppRenderer.number(o[min(cursor, o.count - 1)])
        } else if fourthRoot, let f = q.fourthRoot {
            let o = f(schedule).map(Double.init)
            series.append(LinePlot.Series(o, color: theme.seriesB))
            right += " | " + AppRenderer.number(o[min(cursor, o.count - 1)])
        }
        let log = q.logWithOverlay && overlay != nil
        let block = Block(title: AsciiFallback.text(q.name, grid.glyphs) + (log ? " (log)" : ""), rightTitle: "t=\(cursor): " + right)
        block.render(into: &grid, area: area, theme: theme)
        let inner = block.inner(area)
        let labels = inner.height >= 5 ? (left: "0", right: "t=\(schedule.timesteps - 1)") : nil
        LinePlot(series, logY: log, cursorX: cursor, xLabels: labels).render(into: &grid, area: inner, theme: theme)
    }

    static func renderValues(_ input: FrameInput, schedule s: NoiseSchedule, overlay: NoiseSchedule?, into grid: inout Grid, area: Rect) {
        let theme = input.theme, st = input.state.schedule, t = st.cursor
        let block = Block(title: "At the cursor", rightTitle: "t = \(t) of 0-\(s.timesteps - 1)", focused: true)
        block.render(into: &grid, area: area, theme: theme)
        let inner = block.inner(area)
        func v(_ x: Float) -> String { AppRenderer.number(Double(x)) }
        var lines: [TextLine] = []
        let name = s.kind.rawValue
        let labelWidth = grid.glyphs == .ascii ? 16 : 11
        func row(_ label: String, _ a: Float, _ b: Float?) -> TextLine {
            var spans = [Span(AsciiFallback.text(label, grid.glyphs).padding(labelWidth), fg: theme.inactiveFg),
                         Span(v(a).padding(12), fg: theme.seriesA)]
            if let b { spans.append(Span(v(b), fg: theme.seriesB)) }
            return TextLine(spans)
        }
        let o = overlay
        let four = st.overlay == .fourthRoot
        var header = [Span("".padding(labelWidth)), Span(name.padding(12), fg: theme.seriesA, attributes: .bold)]
        if let o { header.append(Span(o.kind.rawValue, fg: theme.seriesB, attributes: .bold)) }
        if four { header.append(Span("4th root", fg: theme.seriesB, attributes: .bold)) }
        lines.append(TextLine(header))
        lines.append(row("β_t", s.betas[t], o?.betas[t]))
        lines.append(row("ᾱ_t", s.alphasCumprod[t], o?.alphasCumprod[t]))
        lines.append(row("√ᾱ_t", s.sqrtAlphasCumprod[t], o?.sqrtAlphasCumprod[t] ?? (four ? s.sqrtAlphasCumprod[t].squareRoot() : nil)))
        lines.append(row("√(1-ᾱ_t)", s.sqrtOneMinusAlphasCumprod[t], o?.sqrtOneMinusAlphasCumprod[t] ?? (four ? s.sqrtOneMinusAlphasCumprod[t].squareRoot() : nil)))
        lines.append(row("log SNR", s.logSNR[t], o?.logSNR[t] ?? (four ? s.logSNR[t] / 2 : nil)))
        lines.append(row("β̃_t", s.posteriorVariance[t], o?.posteriorVariance[t]))
        lines.append(row("coef1", s.posteriorMeanCoef1[t], o?.posteriorMeanCoef1[t]))
        lines.append(row("coef2", s.posteriorMeanCoef2[t], o?.posteriorMeanCoef2[t]))
        if four {
            let sig = s.sqrtAlphasCumprod[t].squareRoot(), noi = s.sqrtOneMinusAlphasCumprod[t].squareRoot()
            lines.append(TextLine(AsciiFallback.text("4th root: signal²+noise² = \(v(sig * sig + noi * noi)) (should be 1)", grid.glyphs), fg: theme.warn))
        }
        lines.append(TextLine("overlay (o): \(st.overlay.label)", fg: theme.inactiveFg))
        AppRenderer.lines(lines, into: &grid, area: inner, theme: theme)
    }

    /// x_t = signal·x_0 + noise·ε for one image (1,C,H,W) with the given coefficients.
    static func forward(_ x0: Tensor, _ eps: Tensor, signal: Float, noise: Float) -> Tensor {
        var out = x0
        for i in 0..<out.count { out.data[i] = signal * x0.data[i] + noise * eps.data[i] }
        return out
    }

    /// The forward strip's timesteps: the cursor, then 0/25/50/75/99% of T.
    public static func stripTimesteps(_ state: AppState) -> [Int] {
        [state.schedule.cursor] + AppState.jumpFractions.map { state.t(atFraction: $0) }
    }

    static func renderStrip(_ input: FrameInput, schedule s: NoiseSchedule, overlay: NoiseSchedule?, into grid: inout Grid, area: Rect) {
        let theme = input.theme, st = input.state.schedule
        guard let images = input.info.images, images.rank == 4, images.shape[0] > 0 else { return }
        let (n, c, h, w) = images.nchw("forward strip")
        let index = st.imageIndex % n
        let per = c * h * w
        let x0 = Tensor(shape: [1, c, h, w], data: Array(images.data[index * per..<(index + 1) * per]))
        var rng = RandomGenerator(seed: st.noiseSeed)
        let eps = rng.normalTensor(x0.shape)
        let ts = stripTimesteps(input.state)
        let four = st.overlay == .fourthRoot
        let second = overlay != nil || four
        let title = "Forward process q(x_t | x_0): image \(index + 1) of \(n), one ε"
            + (second ? " — top: \(s.kind.rawValue), bottom: \(overlay.map { $0.kind.rawValue } ?? "4th root")" : "")
        let block = Block(title: AsciiFallback.text(title, grid.glyphs))
        block.render(into: &grid, area: area, theme: theme)
        let inner = block.inner(area)
        guard inner.height >= 2 else { return }
        let rowsNeeded = second ? 2 : 1
        let imageRows = max(1, (inner.height - 1) / rowsNeeded)
        let columns = inner.columns(Array(repeating: .fill, count: ts.count), spacing: 1)
        for (k, t) in ts.enumerated() {
            let col = columns[k]
            var pics = [forward(x0, eps, signal: s.sqrtAlphasCumprod[t], noise: s.sqrtOneMinusAlphasCumprod[t])]
            if let overlay {
                pics.append(forward(x0, eps, signal: overlay.sqrtAlphasCumprod[t], noise: overlay.sqrtOneMinusAlphasCumprod[t]))
            } else if four {
                pics.append(forward(x0, eps, signal: s.sqrtAlphasCumprod[t].squareRoot(), noise: s.sqrtOneMinusAlphasCumprod[t].squareRoot()))
            }
            for (r, pic) in pics.enumerated() {
                let cell = Rect(x: col.x, y: inner.y + r * imageRows, width: col.width, height: imageRows)
                HalfBlockImage(ImageTiles.pixelImage(pic)).render(into: &grid, area: cell, theme: theme)
            }
            let label = k == 0 ? "t=\(t) ◂cursor" : "t=\(t) (\(Int(AppState.jumpFractions[k - 1] * 100))%)"
            let style = k == 0 ? Style(fg: theme.cursor, bg: theme.mainBg, attributes: .bold) : theme.inactive
            TextLine([Span(label, fg: style.fg, attributes: style.attributes)], alignment: .center)
                .render(into: &grid, area: Rect(x: col.x, y: inner.y + rowsNeeded * imageRows, width: col.width, height: 1), theme: theme)
        }
    }
}

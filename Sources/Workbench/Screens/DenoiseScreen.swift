import DiffusionEngine
import Foundation
import TerminalUI

/// Screen 3: the reverse chain one step at a time — x_t, the model's x̂_0 and ε̂ side by side, with
/// t, the coefficients of this step, σ_t and statistics of x_t; history kept so stepping back is
/// instant. Runs on a copy of the weights (the model as it trains, or a checkpoint).
public enum DenoiseScreen {
    /// ε̂ is drawn with ±this many standard deviations mapped onto black…white.
    public static let noiseRange: Float = 2.5

    /// Rows kept for the text panels below the images (fewer on a short terminal, so the
    /// images stay large enough to see).
    static func infoRows(_ height: Int) -> Int { min(12, max(7, height / 3)) }

    public static func render(_ input: FrameInput, into grid: inout Grid, area: Rect) {
        let theme = input.theme
        guard !area.isEmpty else { return }
        let d = input.state.denoise
        guard let h = input.denoise, h.settings == d.settings else {
            TextLine("starting the chain (seed \(d.settings.seed))…", fg: theme.inactiveFg).render(into: &grid, area: area, theme: theme)
            return
        }
        if let error = h.error {
            Paragraph(text: "the chain cannot run: \(error)", fg: theme.error, wrap: true).render(into: &grid, area: area, theme: theme)
            return
        }
        let size = input.info.options.model.imageSize
        let imageRows = imagePanelHeight(imageSize: size, area: area)
        let rows = area.rows([.fixed(imageRows), .fixed(1), .fill])
        renderImages(input, history: h, into: &grid, area: rows[0])
        renderGauge(input, history: h, into: &grid, area: rows[1])
        // The chain plot only where there is room for it next to the step and its coefficients.
        if rows[2].width >= 120 {
            let info = rows[2].columns([.fill(3), .fixed(44), .fill(3)], spacing: 1)
            renderStep(input, history: h, into: &grid, area: info[0])
            renderCoefficients(input, history: h, into: &grid, area: info[1])
            renderChainPlot(input, history: h, into: &grid, area: info[2])
        } else {
            let info = rows[2].columns([.fill, .fixed(min(44, rows[2].width / 2))], spacing: 1)
            renderStep(input, history: h, into: &grid, area: info[0])
            renderCoefficients(input, history: h, into: &grid, area: info[1])
        }
    }

    /// Height of the image row: the largest whole scale (or 1/2, 1/4) of three bordered panels
    /// that leaves `infoRows` for the text below and fits the width.
    static func imagePanelHeight(imageSize s: Int, area: Rect) -> Int {
        let budget = area.height - 1 - infoRows(area.height)
        let candidates: [Int] = (1...8).reversed().map { s * $0 } + [(s + 1) / 2, (s + 3) / 4]
        for px in candidates where px > 0 {
            let rows = (px + 1) / 2 + 2, cols = px + 2
            if rows <= budget && 3 * cols + 2 <= area.width { return rows }
        }
        return max(3, min(budget, 6))
    }

    /// What frame `position` shows: the step's frame, or (at the end) x_0 with the last frame's predictions.
    static func shown(_ h: DenoiseHistory, position: Int) -> (x: Tensor?, frame: DenoiseFrame?, label: String) {
        if position < h.frames.count {
            let f = h.frames[position]
            return (f.x, f, "x_t  (t = \(f.t))")
        }
        if position >= h.length, h.isFinished {
            return (h.current, h.frames.last, "x_0  (final)")
        }
        if position == h.frames.count { return (h.current, nil, "x_t  (t = \(h.steps[min(position, h.length - 1)].t))") }
        return (nil, nil, "computing…")
    }

    static func renderImages(_ input: FrameInput, history h: DenoiseHistory, into grid: inout Grid, area: Rect) {
        let theme = input.theme, g = grid.glyphs
        let p = input.state.denoise.position
        let (x, frame, label) = shown(h, position: p)
        let panels = ImageTiles.equalColumns(area, count: 3)
        let finalNote = p >= h.length ? " (last step)" : ""
        let titles = [label, AsciiFallback.text("predicted x̂_0" + finalNote, g), AsciiFallback.text("predicted ε̂ (±\(AppRenderer.number(Double(noiseRange)))σ)" + finalNote, g)]
        let tensors: [(Tensor?, ClosedRange<Float>)] = [
            (x, -1...1), (frame?.predictedX0, -1...1), (frame?.predictedNoise, -noiseRange...noiseRange),
        ]
        for (i, panel) in panels.enumerated() {
            let block = Block(title: titles[i], focused: i == 0)
            block.render(into: &grid, area: panel, theme: theme)
            let inner = block.inner(panel)
            if let t = tensors[i].0 {
                HalfBlockImage(ImageTiles.pixelImage(t, range: tensors[i].1)).render(into: &grid, area: inner, theme: theme)
            } else {
                TextLine("computing… (\(h.frames.count)/\(h.length) ready)", fg: theme.inactiveFg, alignment: .center)
                    .render(into: &grid, area: inner.centered(width: inner.width, height: 1), theme: theme)
            }
        }
    }

    static func renderGauge(_ input: FrameInput, history h: DenoiseHistory, into grid: inout Grid, area: Rect) {
        let p = input.state.denoise.position
        let t = p < h.length ? "t = \(h.steps[p].t)" : "x_0"
        let label = "\(t)  ·  \(min(p, h.length)) of \(h.length) steps taken  ·  \(h.frames.count) computed"
        Gauge(ratio: h.length > 0 ? Double(p) / Double(h.length) : 0, label: label, color: input.theme.seriesA)
            .render(into: &grid, area: area, theme: input.theme)
    }

    static func renderStep(_ input: FrameInput, history h: DenoiseHistory, into grid: inout Grid, area: Rect) {
        let theme = input.theme, g = grid.glyphs, d = input.state.denoise
        let block = Block(title: "Step")
        block.render(into: &grid, area: area, theme: theme)
        let inner = block.inner(area)
        let (x, frame, _) = shown(h, position: d.position)
        let f = { (l: String, v: String) in AppRenderer.field(l, AsciiFallback.text(v, g), theme: theme) }
        var lines: [TextLine] = []
        if d.position < h.length {
            let s = h.steps[d.position]
            lines.append(TextLine([Span("t = \(s.t)", fg: theme.hiFg, attributes: .bold),
                                   Span(AsciiFallback.text(" → \(s.tPrev < 0 ? "x_0" : "t = \(s.tPrev)")", g), fg: theme.mainFg),
                                   Span("   step \(d.position + 1) of \(h.length)", fg: theme.inactiveFg)]))
        } else {
            lines.append(TextLine([Span("x_0", fg: theme.hiFg, attributes: .bold), Span("   the chain's result", fg: theme.inactiveFg)]))
        }
        let sampler = d.settings.sampler == .ddpm ? "DDPM ancestral" : "DDIM \(h.length) steps, eta=0"
        lines.append(f("sampler", "\(sampler) · seed \(d.settings.seed)"))
        lines.append(f("weights", "\(d.settings.ema ? "EMA" : "raw"), from step \(h.weightsStep)"))
        if let frame { lines.append(f(AsciiFallback.text("σ_t", g).padding(7), "\(AppRenderer.number(Double(frame.sigma)))  (std of the noise added)")) }
        func stats(_ label: String, _ st: TensorStats) {
            let n = { (v: Float) in AppRenderer.number(Double(v)) }
            if inner.width >= 60 {
                lines.append(f(AsciiFallback.text(label, g).padding(7), "mean \(n(st.mean))  std \(n(st.std))  min \(n(st.min))  max \(n(st.max))"))
            } else {
                lines.append(f(AsciiFallback.text(label, g).padding(7), "mean \(n(st.mean))  std \(n(st.std))"))
                lines.append(f("       ", "min \(n(st.min))  max \(n(st.max))"))
            }
        }
        if let x { stats("x_t", frame.map { d.position < h.length ? $0.stats : TensorStats(x.data) } ?? TensorStats(x.data)) }
        if let frame { stats("x̂_0", frame.predictedStats) }
        let play = d.playing ? "playing" : "paused"
        lines.append(TextLine([Span(play, fg: d.playing ? theme.ok : theme.inactiveFg, attributes: .bold),
                               Span(" · \(AppRenderer.number(d.stepsPerSecond)) steps/s", fg: theme.mainFg),
                               Span(h.secondsPerStep > 0 ? String(format: " · %.1f ms/step", h.secondsPerStep * 1000) : "", fg: theme.inactiveFg)]))
        if (!input.info.viewOnly || input.info.watchedFolder != nil) && input.newestWeightsStep > h.weightsStep {
            lines.append(TextLine("newer weights (step \(input.newestWeightsStep)): w restarts on them", fg: theme.warn))
        }
        AppRenderer.lines(lines, into: &grid, area: inner, theme: theme)
    }

    static func renderCoefficients(_ input: FrameInput, history h: DenoiseHistory, into grid: inout Grid, area: Rect) {
        let theme = input.theme
        let block = Block(title: "Coefficients at this step")
        block.render(into: &grid, area: area, theme: theme)
        let inner = block.inner(area)
        let p = input.state.denoise.position
        guard let frame = p < h.frames.count ? h.frames[p] : (p >= h.length ? h.frames.last : nil) else { return }
        var lines: [TextLine] = frame.coefficients.map { c in
            TextLine([Span(c.name.padding(30), fg: c.used ? theme.mainFg : theme.inactiveFg),
                      Span(AppRenderer.number(Double(c.value)), fg: c.used ? theme.hiFg : theme.inactiveFg),
                      Span(c.used ? "" : "  unused", fg: theme.inactiveFg)])
        }
        if frame.coefficients.isEmpty { lines.append(TextLine("(no coefficients recorded)", fg: theme.inactiveFg)) }
        AppRenderer.lines(lines, into: &grid, area: inner, theme: theme)
    }

    /// std of x_t and of x̂_0 over the computed frames, with the position as cursor.
    static func renderChainPlot(_ input: FrameInput, history h: DenoiseHistory, into grid: inout Grid, area: Rect) {
        let theme = input.theme
        let block = Block(title: AsciiFallback.text("std over the chain: x_t (A) · x̂_0 (B)", grid.glyphs))
        block.render(into: &grid, area: area, theme: theme)
        let inner = block.inner(area)
        guard !h.frames.isEmpty else { return }
        let xs = h.frames.map { Double($0.stats.std) }
        let x0 = h.frames.map { Double($0.predictedStats.std) }
        let labels = inner.height >= 4 ? (left: "t=\(h.steps.first?.t ?? 0)", right: "t=0") : nil
        LinePlot([.init(xs, color: theme.seriesA), .init(x0, color: theme.seriesB)], xCount: h.length,
                 cursorX: min(input.state.denoise.position, h.length - 1), xLabels: labels)
            .render(into: &grid, area: inner, theme: theme)
    }
}

import DiffusionEngine
import Foundation
import TerminalUI

/// Screen 6: a VAE as it trains (or as a checkpoint holds it) — the reconstruction and KL terms
/// of the loss, the KL per latent unit (which units are active), the first training images beside
/// their reconstructions, an interpolation between two images through the latent space (its image
/// under the cursor shown large), and samples decoded from the prior. `v` switches to the
/// "VAE vs diffusion" view (`VersusScreen`).
public enum VAEScreen {
    /// Width of the latent panel on the right of the losses.
    static let latentWidth = 44

    public static func render(_ input: FrameInput, into grid: inout Grid, area: Rect) {
        guard !area.isEmpty else { return }
        if input.state.vae.versus { return VersusScreen.render(input, into: &grid, area: area) }
        guard input.state.family == .vae else {
            return message("No VAE here", """
                This session runs a diffusion model. Train a VAE on the same data with ddpm --model vae \
                (or ddpm train --model vae), then put the two side by side: ddpm --checkpoint VAE.safetensors \
                --versus DIFFUSION.safetensors (v shows that view).
                """, input, into: &grid, area: area)
        }
        let lossHeight = max(6, min(12, area.height / 4))
        let rows = area.rows([.fixed(lossHeight), .fill(1), .fill(1)])
        let top = rows[0].columns([.fill, .fixed(latentWidth)], spacing: 1)
        renderLosses(input, into: &grid, area: top[0])
        renderLatent(input, into: &grid, area: top[1])
        renderReconstructions(input, into: &grid, area: rows[1])
        let bottom = rows[2].columns([.fill(3), .fill(2)], spacing: 1)
        renderInterpolation(input, into: &grid, area: bottom[0])
        renderPrior(input, into: &grid, area: bottom[1])
    }

    /// Denoise and Compare for a VAE: there is no reverse chain to show.
    public static func renderNoChain(_ input: FrameInput, into grid: inout Grid, area: Rect) {
        message("A VAE has no reverse chain", """
            This model is a VAE: it generates in one decoder pass from z ~ N(0, I), so there is no \
            chain of denoising steps to watch or compare. Screen 6 shows its reconstructions, samples \
            and latent space; v there puts it beside a diffusion model.
            """, input, into: &grid, area: area)
    }

    static func message(_ title: String, _ text: String, _ input: FrameInput, into grid: inout Grid, area: Rect) {
        let block = Block(title: title)
        block.render(into: &grid, area: area, theme: input.theme)
        Paragraph(text: AsciiFallback.text(text, grid.glyphs), fg: input.theme.inactiveFg, wrap: true)
            .render(into: &grid, area: block.inner(area).inset(horizontal: 1, vertical: 1), theme: input.theme)
    }

    /// Reconstruction and KL per image, log scale, with the latest values and the KL weight.
    static func renderLosses(_ input: FrameInput, into grid: inout Grid, area: Rect) {
        let theme = input.theme, terms = input.snapshot.terms
        let recon = terms["reconstruction"] ?? [], kl = terms["kl"] ?? []
        let loss = input.snapshot.options.vae.reconstruction.rawValue.uppercased()
        let block = Block(title: "Loss terms per image (log scale)", rightTitle: "\(loss) reconstruction · KL")
        block.render(into: &grid, area: area, theme: theme)
        let inner = block.inner(area)
        guard !inner.isEmpty else { return }
        let parts = inner.rows([.fill, .fixed(1)])
        guard !recon.isEmpty else {
            let text = input.info.viewOnly ? "no loss history in this checkpoint" : "waiting for the first step…"
            TextLine(text, fg: theme.inactiveFg).render(into: &grid, area: parts[0], theme: theme)
            return
        }
        let w = max(1, parts[0].width * 2)
        LinePlot([.init(columns(recon, width: w), color: theme.seriesA),
                  .init(columns(kl, width: w), color: theme.seriesB)], logY: true)
            .render(into: &grid, area: parts[0], theme: theme)
        func last(_ k: String) -> String { terms[k]?.last.map { AppRenderer.number(Double($0)) } ?? "–" }
        TextLine([Span("reconstruction ", fg: theme.inactiveFg), Span(last("reconstruction"), fg: theme.seriesA, attributes: .bold),
                  Span("  KL ", fg: theme.inactiveFg), Span(last("kl"), fg: theme.seriesB, attributes: .bold),
                  Span(" nats  weight ", fg: theme.inactiveFg), Span(last("kl_weight")),
                  Span("  RMSE ", fg: theme.inactiveFg), Span(last("rmse"))])
            .render(into: &grid, area: parts[1], theme: theme)
    }

    /// KL per latent unit of the newest weights: which units carry information.
    static func renderLatent(_ input: FrameInput, into grid: inout Grid, area: Rect) {
        let theme = input.theme, v = input.snapshot.options.vae
        let kl = input.vae?.klPerUnit ?? []
        let active = VAE.activeUnits(kl)
        let unitName = v.isSpatialLatent ? "channel" : "entry"
        let block = Block(title: "Latent \(v.latentDescription): KL per \(unitName)")
        block.render(into: &grid, area: area, theme: theme)
        let inner = block.inner(area)
        guard !inner.isEmpty else { return }
        guard !kl.isEmpty else {
            TextLine("encoding the training images…", fg: theme.inactiveFg).render(into: &grid, area: inner, theme: theme)
            return
        }
        var lines = [TextLine([Span("active ", fg: theme.inactiveFg), Span("\(active)/\(kl.count)", fg: theme.hiFg, attributes: .bold),
                               Span(" (> \(VAE.activeThreshold)) · KL ", fg: theme.inactiveFg),
                               Span(AppRenderer.number(Double(kl.reduce(0, +)))), Span(" nats", fg: theme.inactiveFg)])]
        let hi = Double(kl.max() ?? 1)
        if kl.count <= inner.height - 1 {
            let label = v.isSpatialLatent ? "c" : "z"
            let barWidth = max(1, inner.width - 14)
            for (i, k) in kl.enumerated() {
                let n = hi > 0 ? Int((Double(k) / hi * Double(barWidth)).rounded()) : 0
                let on = k > VAE.activeThreshold
                lines.append(TextLine([Span("\(label)\(i)".padding(4), fg: theme.inactiveFg),
                                       Span(AppRenderer.number(Double(k)).padding(8), fg: on ? theme.hiFg : theme.inactiveFg),
                                       Span(String(repeating: grid.glyphs == .ascii ? "#" : "█", count: n), fg: on ? theme.ok : theme.inactiveFg)]))
            }
            AppRenderer.lines(lines, into: &grid, area: inner, theme: theme)
        } else {
            // Many units (a vector latent): their KL sorted, largest first, as a sparkline.
            lines.append(TextLine("sorted, largest first:", fg: theme.inactiveFg))
            AppRenderer.lines(lines, into: &grid, area: inner, theme: theme)
            Sparkline(columns(kl.sorted(by: >), width: inner.width), color: theme.ok)
                .render(into: &grid, area: inner.inset(top: 2), theme: theme)
        }
    }

    /// A row of inputs, the row of their reconstructions under it.
    static func renderReconstructions(_ input: FrameInput, into grid: inout Grid, area: Rect) {
        let theme = input.theme
        let f = input.vae
        let block = Block(title: "Training images ▸ reconstructions (z = μ)",
                          rightTitle: f.map { "step \($0.step) · EMA · RMSE \(AppRenderer.number(Double($0.rmse)))" })
        block.render(into: &grid, area: area, theme: theme)
        let inner = block.inner(area)
        guard !inner.isEmpty, let f else { return waiting(input, into: &grid, area: inner) }
        let halves = inner.rows([.fill, .fill])
        let k = f.inputs.shape[0]
        ImageTiles.render((0..<k).map { ImageTiles.pixelImage(f.inputs, index: $0) }, into: &grid, area: halves[0], theme: theme)
        ImageTiles.render((0..<k).map { ImageTiles.pixelImage(f.reconstructions, index: $0) }, into: &grid, area: halves[1], theme: theme)
    }

    /// The interpolation row across the panel with the cursor's image marked, and that image
    /// large under it.
    static func renderInterpolation(_ input: FrameInput, into grid: inout Grid, area: Rect) {
        let theme = input.theme, view = input.state.vae
        let block = Block(title: "Interpolation image \(view.from % view.imageCount) → \(view.to % view.imageCount)",
                          rightTitle: String(format: "α %.3f · ←/→ a/b", view.alpha))
        block.render(into: &grid, area: area, theme: theme)
        let inner = block.inner(area)
        guard !inner.isEmpty, let f = input.vae, f.view.from == view.from, f.view.to == view.to else {
            return waiting(input, into: &grid, area: inner)
        }
        let s = f.config.imageSize, steps = f.interpolation.shape[0]
        // One row: the shortest band from the top in which the largest tiles that fit lie side by
        // side (half the panel at most, so the large image keeps room).
        var band = inner.top(max(1, inner.height / 2))
        var l = ImageTiles.layout(count: steps, width: s, height: s, in: band)
        while l.rows > 1 && band.height > 1 {
            band = band.top(band.height - 1)
            l = ImageTiles.layout(count: steps, width: s, height: s, in: band)
        }
        band = band.top(l.tileHeight)
        for i in 0..<l.shown {
            let r = l.rect(i, in: band, gap: 1)
            HalfBlockImage(ImageTiles.pixelImage(f.interpolation, index: i)).render(into: &grid, area: r, theme: theme)
            if i == view.position && r.maxY < inner.maxY {
                grid.write(String(repeating: grid.glyphs == .ascii ? "^" : "▲", count: max(1, r.width)), x: r.x, y: r.maxY, style: theme.style(theme.cursor, .bold))
            }
        }
        let below = inner.inset(top: l.tileHeight + 1)
        if view.position < steps && !below.isEmpty {
            ImageTiles.render([ImageTiles.pixelImage(f.interpolation, index: view.position)], into: &grid, area: below, theme: theme)
        }
    }

    /// Images decoded from z ~ N(0, I).
    static func renderPrior(_ input: FrameInput, into grid: inout Grid, area: Rect) {
        let theme = input.theme
        let block = Block(title: "Prior samples", rightTitle: "seed \(input.state.vae.priorSeed) · n new")
        block.render(into: &grid, area: area, theme: theme)
        let inner = block.inner(area)
        guard !inner.isEmpty, let f = input.vae else { return waiting(input, into: &grid, area: inner) }
        ImageTiles.render((0..<f.samples.shape[0]).map { ImageTiles.pixelImage(f.samples, index: $0) }, into: &grid, area: inner, theme: theme)
    }

    static func waiting(_ input: FrameInput, into grid: inout Grid, area: Rect) {
        let text = input.info.images == nil ? "no training images loaded (pass --data DIR)" : "computing from the newest weights…"
        TextLine(text, fg: input.theme.inactiveFg).render(into: &grid, area: area.top(1), theme: input.theme)
    }

    /// The whole series as at most `width` column means (NaN where a column holds no finite value).
    static func columns(_ values: [Float], width: Int) -> [Double] {
        guard width > 0 else { return [] }
        guard values.count > width else { return values.map(Double.init) }
        return (0..<width).map { c in
            let lo = c * values.count / width, hi = max(lo + 1, (c + 1) * values.count / width)
            let part = values[lo..<hi].filter(\.isFinite)
            return part.isEmpty ? .nan : Double(part.reduce(0, +)) / Double(part.count)
        }
    }
}

import DiffusionEngine
import TerminalUI

/// The VAE screen's "VAE vs diffusion" view (`v`): samples of a VAE and of a diffusion model
/// trained on the same data, side by side, each with the same quality metrics — nn-RMSE (distance
/// to the nearest training image) and SWD (sliced Wasserstein distance to the training set).
/// Opened with `ddpm --checkpoint VAE --versus DIFFUSION` (either order).
public enum VersusScreen {
    public static func render(_ input: FrameInput, into grid: inout Grid, area: Rect) {
        let theme = input.theme
        let rows = area.rows([.fill, .fixed(5)])
        let sides = rows[0].columns([.fill, .fill], spacing: 1)
        let v = input.versus
        renderSide("VAE", v?.vae, input, into: &grid, area: sides[0])
        renderSide("Diffusion", v?.diffusion, input, into: &grid, area: sides[1])
        let block = Block(title: "VAE vs diffusion", rightTitle: v.map { $0.status } ?? "waiting…")
        block.render(into: &grid, area: rows[1], theme: theme)
        let text = """
            A VAE decodes the mean of p(x|z): where z cannot say which of several training images it \
            was, the decoder averages them, and the average is blurred. A diffusion model takes many \
            small denoising steps, each one a Gaussian it can fit well, and ends on one sharp image. \
            Lower SWD: closer to the data; tiny nn-RMSE: copies of training images. n: new seed.
            """
        Paragraph(text: AsciiFallback.text(text, grid.glyphs), fg: theme.inactiveFg, wrap: true)
            .render(into: &grid, area: block.inner(rows[1]), theme: theme)
    }

    static func renderSide(_ name: String, _ side: VersusComparison.Side?, _ input: FrameInput, into grid: inout Grid, area: Rect) {
        let theme = input.theme
        let block = Block(title: side.map { "\(name): \($0.what)" } ?? name, rightTitle: side.map { "step \($0.step)" })
        block.render(into: &grid, area: area, theme: theme)
        let inner = block.inner(area)
        guard !inner.isEmpty else { return }
        guard let side else {
            let text = input.versus.map { $0.isRunning ? "sampling…" : $0.status } ?? "press v on the VAE screen to sample both models"
            TextLine(text, fg: theme.inactiveFg).render(into: &grid, area: inner.top(1), theme: theme)
            return
        }
        let parts = inner.rows([.fill, .fixed(1)])
        ImageTiles.render((0..<side.samples.shape[0]).map { ImageTiles.pixelImage(side.samples, index: $0) },
                          into: &grid, area: parts[0], theme: theme)
        TextLine([Span("nn-RMSE ", fg: theme.inactiveFg), Span(AppRenderer.number(Double(side.nnRMSE)), fg: theme.hiFg, attributes: .bold),
                  Span("   SWD ", fg: theme.inactiveFg), Span(AppRenderer.number(Double(side.swd)), fg: theme.hiFg, attributes: .bold)],
                 alignment: .center)
            .render(into: &grid, area: parts[1], theme: theme)
    }
}

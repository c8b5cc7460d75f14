import DiffusionEngine
import Foundation
import TerminalUI

/// Screen 1: the run as it trains — the whole run's loss (log scale, raw range and smoothed
/// line, other runs overlaid), the loss of each timestep bucket over the run as a heat map,
/// progress/ETA/throughput, the latest samples at their own resolution, the last checkpoint and
/// every milestone's quality.
///
/// Panels: `renderLoss` (TrainScreen+LossChart), `renderBuckets` (TrainScreen+Buckets),
/// `renderCheckpoint` with the milestone table (TrainScreen+Milestones), the layout
/// (TrainScreen+Layout), progress and samples here.
public enum TrainScreen {
    /// Width of the right-hand column (progress, checkpoint).
    static let sideWidth = 38

    public static func render(_ input: FrameInput, into grid: inout Grid, area: Rect) {
        guard !area.isEmpty else { return }
        let o = input.snapshot.options
        // A checkpoint opened for viewing has no grids to show: its samples panel only says so.
        let grids = input.info.viewOnly && input.info.watchedFolder == nil ? 0 : o.sampleCount
        let l = layout(area, imageSide: o.model.imageSize, imageCount: grids)
        renderLoss(input, into: &grid, area: l.loss)
        renderProgress(input, into: &grid, area: l.progress)
        renderBuckets(input, into: &grid, area: l.buckets)
        renderSamples(input, into: &grid, area: l.samples)
        renderCheckpoint(input, into: &grid, area: l.checkpoint)
    }

    /// Bias-corrected exponential moving average (decay 0.98) of the finite losses: what
    /// "smoothed" means on this screen (TensorBoard's smoothing). `StepHistory` carries the same
    /// average along step by step.
    public static func smoothed(_ losses: [Float], decay: Double = StepHistory.emaDecay) -> Double? {
        var m = 0.0, weight = 0.0
        for l in losses where l.isFinite {
            m = decay * m + (1 - decay) * Double(l)
            weight = decay * weight + (1 - decay)
        }
        return weight > 0 ? m / weight : nil
    }

    static func renderProgress(_ input: FrameInput, into grid: inout Grid, area: Rect) {
        let theme = input.theme, s = input.snapshot, o = s.options
        let block = Block(title: input.info.watchedFolder != nil ? "Watched run" : input.info.viewOnly ? "Checkpoint" : "Progress", rightTitle: s.paused ? "paused" : nil)
        block.render(into: &grid, area: area, theme: theme)
        let inner = block.inner(area)
        guard !inner.isEmpty else { return }
        let ratio = s.totalSteps > 0 ? Double(s.step) / Double(s.totalSteps) : 0
        TextLine([Span("step ", fg: theme.inactiveFg), Span("\(s.step)", fg: theme.hiFg, attributes: .bold),
                  Span(" / \(s.totalSteps)", fg: theme.mainFg)]).render(into: &grid, area: inner.top(1), theme: theme)
        if inner.height > 1 {
            let eta = s.finished ? "done" : s.paused ? "paused" : s.etaSeconds.map { "ETA " + AppRenderer.duration($0) } ?? "ETA –"
            Gauge(ratio: ratio, label: "\(Int(ratio * 100))% · \(eta)", color: theme.ok)
                .render(into: &grid, area: Rect(x: inner.x, y: inner.y + 1, width: inner.width, height: 1), theme: theme)
        }
        var lines: [TextLine] = []
        let f = { (l: String, v: String) in AppRenderer.field(l, v, theme: theme) }
        if !input.info.viewOnly || input.info.watchedFolder != nil {
            lines.append(f("images/s ", s.imagesPerSecond > 0 ? String(format: "%.1f", s.imagesPerSecond) : "–"))
        }
        lines.append(f("lr       ", AppRenderer.number(Double(s.learningRate))))
        lines.append(f("grad norm", s.gradNorm > 0 ? AppRenderer.number(Double(s.gradNorm)) : "–"))
        lines.append(f("batch    ", "\(o.batchSize) × \(o.accumulate) accumulated"))
        lines.append(f("model    ", "\(o.preset) · \(o.model.imageSize)px · \(o.objective.rawValue)"))
        lines.append(f("schedule ", "\(o.schedule.rawValue) · T=\(o.timesteps)"))
        lines.append(f("switches ", o.fixes == .fixed ? "all fixed" : o.fixes.description))
        lines.append(f("data     ", s.dataDescription))
        lines.append(f("status   ", s.status))
        AppRenderer.lines(lines, into: &grid, area: inner.inset(top: 2), theme: theme)
    }

    static func renderSamples(_ input: FrameInput, into grid: inout Grid, area: Rect) {
        let theme = input.theme, s = input.snapshot, o = s.options
        let sampler = o.milestoneSamplingSteps > 0 && o.milestoneSamplingSteps < o.timesteps ? "DDIM \(o.milestoneSamplingSteps)\(o.milestoneEta == 0 ? "" : " η \(AppRenderer.number(Double(o.milestoneEta)))")" : "DDPM"
        let right = s.samplesStep.map { "step \($0) · EMA · \(sampler)" }
        let inner = Block().inner(area)
        let count = s.samples.map { $0.rank == 4 ? $0.shape[0] : 0 } ?? 0
        let size = s.samples.map { $0.rank == 4 ? $0.shape[3] : 0 } ?? o.model.imageSize
        let minShown = samplesShown(count: count, side: size, in: inner)
        let shown = count > 0 ? ImageTiles.layout(count: count, width: size, height: size, in: inner, minShown: minShown).shown : 0
        let title = shown > 0 && shown < count ? "Samples (\(shown) of \(count))" : "Samples"
        let block = Block(title: title, rightTitle: right)
        block.render(into: &grid, area: area, theme: theme)
        guard !inner.isEmpty else { return }
        guard let x = s.samples, x.rank == 4, x.shape[0] > 0 else {
            let text = input.info.watchedFolder != nil
                ? "no milestone grid yet: the writer makes one every \(o.saveEvery) steps"
                : input.info.viewOnly
                ? "view-only: no training samples here; the Denoise screen samples this checkpoint"
                : "no samples yet: the next come at step \((s.step / max(1, o.saveEvery) + 1) * max(1, o.saveEvery)) (every \(o.saveEvery) steps), or press s now"
            Paragraph(text: text, fg: theme.inactiveFg, wrap: true).render(into: &grid, area: inner, theme: theme)
            return
        }
        let images = (0..<x.shape[0]).map { ImageTiles.pixelImage(x, index: $0) }
        ImageTiles.render(images, into: &grid, area: inner, theme: theme, minShown: minShown)
    }

    /// How many of `count` samples the panel must show: as many as fit at their own size, and at
    /// least 2. So the tiles are native (or enlarged, when that shows as many) whenever two fit at
    /// native size — a few images at full resolution read better than all of them shrunk — and
    /// otherwise the largest whole downscale that shows two.
    static func samplesShown(count: Int, side: Int, in inner: Rect) -> Int {
        min(count, max(2, ImageTiles.fittingNatively(count: count, width: side, height: side, in: inner)))
    }
}

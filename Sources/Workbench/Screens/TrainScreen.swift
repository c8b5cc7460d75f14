import DiffusionEngine
import Foundation
import TerminalUI

/// Screen 1: the run as it trains — loss sparkline (log) and smoothed value, loss per timestep
/// bucket as a heat row, progress/ETA/throughput, the latest samples, the last checkpoint.
public enum TrainScreen {
    /// Width of the right-hand column (progress, checkpoint).
    static let sideWidth = 38
    /// The loss sparkline shows at least this many recent steps (averaged into columns).
    public static let lossWindow = 300

    public static func render(_ input: FrameInput, into grid: inout Grid, area: Rect) {
        guard !area.isEmpty else { return }
        let lossHeight = max(7, min(16, area.height * 3 / 10))
        let rows = area.rows([.fixed(lossHeight), .fixed(6), .fill])
        let top = rows[0].columns([.fill, .fixed(sideWidth)], spacing: 1)
        let bottom = rows[2].columns([.fill, .fixed(sideWidth)], spacing: 1)
        renderLoss(input, into: &grid, area: top[0])
        renderProgress(input, into: &grid, area: top[1])
        renderBuckets(input, into: &grid, area: rows[1])
        renderSamples(input, into: &grid, area: bottom[0])
        renderCheckpoint(input, into: &grid, area: bottom[1])
    }

    /// Bias-corrected exponential moving average (decay 0.98) of the finite losses: what
    /// "smoothed" means on this screen (TensorBoard's smoothing).
    public static func smoothed(_ losses: [Float], decay: Double = 0.98) -> Double? {
        var m = 0.0, weight = 0.0
        for l in losses where l.isFinite {
            m = decay * m + (1 - decay) * Double(l)
            weight = decay * weight + (1 - decay)
        }
        return weight > 0 ? m / weight : nil
    }

    /// The last `window` losses (at least `width`) averaged into at most `width` columns.
    public static func columns(_ losses: [Float], width: Int, window: Int = lossWindow) -> [Double] {
        guard width > 0 else { return [] }
        let tail = Array(losses.suffix(max(window, width)))
        guard tail.count > width else { return tail.map(Double.init) }
        return (0..<width).map { c in
            let lo = c * tail.count / width, hi = max(lo + 1, (c + 1) * tail.count / width)
            let part = tail[lo..<hi].filter(\.isFinite)
            return part.isEmpty ? .nan : Double(part.reduce(0, +)) / Double(part.count)
        }
    }

    static func renderLoss(_ input: FrameInput, into grid: inout Grid, area: Rect) {
        let theme = input.theme, losses = input.snapshot.losses
        let smooth = smoothed(losses)
        let block = Block(title: "Loss (log scale)", rightTitle: smooth.map { "smoothed \(AppRenderer.number($0))" })
        block.render(into: &grid, area: area, theme: theme)
        let inner = block.inner(area)
        guard !inner.isEmpty else { return }
        let parts = inner.rows([.fill, .fixed(1)])
        if losses.isEmpty {
            TextLine("waiting for the first step…", fg: theme.inactiveFg).render(into: &grid, area: parts[0], theme: theme)
            return
        }
        let cols = columns(losses, width: parts[0].width)
        Sparkline(cols, logScale: true, color: theme.loss).render(into: &grid, area: parts[0], theme: theme)
        let shown = min(losses.count, max(lossWindow, parts[0].width))
        let recent = losses.suffix(shown).filter(\.isFinite)
        var spans = [Span("last ", fg: theme.inactiveFg), Span(AppRenderer.number(Double(losses.last ?? .nan)), fg: theme.hiFg, attributes: .bold)]
        if let smooth { spans += [Span("  smoothed ", fg: theme.inactiveFg), Span(AppRenderer.number(smooth), fg: theme.loss, attributes: .bold)] }
        if let lo = recent.min(), let hi = recent.max() {
            spans += [Span("  range ", fg: theme.inactiveFg), Span("\(AppRenderer.number(Double(lo))) to \(AppRenderer.number(Double(hi)))")]
        }
        spans += [Span("  last \(shown) steps", fg: theme.inactiveFg)]
        TextLine(spans).render(into: &grid, area: parts[1], theme: theme)
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

    static func renderBuckets(_ input: FrameInput, into grid: inout Grid, area: Rect) {
        let theme = input.theme
        let buckets = input.snapshot.bucketLoss
        let T = input.snapshot.options.timesteps
        let finite = buckets.enumerated().filter { $0.element.isFinite }
        let hardest = finite.max(by: { $0.element < $1.element })?.offset
        let n = max(buckets.count, 1)
        func range(_ b: Int) -> String { "t \(b * T / n)-\((b + 1) * T / n - 1)" }
        let block = Block(title: "Loss by timestep (running mean per bucket)",
                          rightTitle: hardest.map { "hardest: \(range($0))" })
        block.render(into: &grid, area: area, theme: theme)
        let inner = block.inner(area)
        guard !inner.isEmpty else { return }
        if finite.isEmpty {
            TextLine("no samples yet", fg: theme.inactiveFg).render(into: &grid, area: inner, theme: theme)
            return
        }
        // Each bucket gets an equal share of the width (the remainder goes to the first ones).
        let widths = Constraint.resolve(Array(repeating: .fill, count: n), total: inner.width)
        var expanded: [Double] = []
        for (b, w) in widths.enumerated() { expanded += Array(repeating: Double(buckets[b]), count: w) }
        let heat = HeatRow(expanded)
        for r in 0..<min(2, inner.height) { heat.render(into: &grid, area: Rect(x: inner.x, y: inner.y + r, width: inner.width, height: 1), theme: theme) }
        var x = inner.x
        for (b, w) in widths.enumerated() {
            if inner.height > 2 {
                let label = w >= 10 ? range(b) : "\(b * T / n)"
                grid.write(label, x: x, y: inner.y + 2, style: theme.inactive, maxWidth: max(0, w - 1))
            }
            if inner.height > 3 {
                let v = buckets[b].isFinite ? AppRenderer.number(Double(buckets[b])) : "–"
                grid.write(v, x: x, y: inner.y + 3, style: b == hardest ? theme.highlight : theme.text, maxWidth: max(0, w - 1))
            }
            x += w
        }
    }

    static func renderSamples(_ input: FrameInput, into grid: inout Grid, area: Rect) {
        let theme = input.theme, s = input.snapshot, o = s.options
        let sampler = o.milestoneSamplingSteps > 0 && o.milestoneSamplingSteps < o.timesteps ? "DDIM \(o.milestoneSamplingSteps)" : "DDPM"
        let right = s.samplesStep.map { "step \($0) · EMA · \(sampler)" }
        let inner = Block().inner(area)
        // Half the samples at full size read better than all of them shrunk.
        let count = s.samples.map { $0.rank == 4 ? $0.shape[0] : 0 } ?? 0
        let size = o.model.imageSize
        let shown = count > 0 ? ImageTiles.layout(count: count, width: size, height: size, in: inner, minShown: (count + 1) / 2).shown : 0
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
        ImageTiles.render(images, into: &grid, area: inner, theme: theme, minShown: (images.count + 1) / 2)
    }

    static func renderCheckpoint(_ input: FrameInput, into grid: inout Grid, area: Rect) {
        let theme = input.theme, s = input.snapshot
        let block = Block(title: "Checkpoint & quality")
        block.render(into: &grid, area: area, theme: theme)
        let inner = block.inner(area)
        guard !inner.isEmpty else { return }
        var lines: [TextLine] = []
        if let step = s.lastCheckpointStep {
            lines.append(AppRenderer.field("last saved", "step \(step)", theme: theme, color: theme.ok))
            lines.append(TextLine(s.lastCheckpointPath ?? "", fg: theme.mainFg))
        } else {
            lines.append(AppRenderer.field("last saved", "not yet (c saves now)", theme: theme))
            if let out = input.info.outPath { lines.append(TextLine("→ \(out)/checkpoint.safetensors", fg: theme.inactiveFg)) }
        }
        lines.append(TextLine(""))
        lines.append(AppRenderer.field("SWD       ", s.swd.map { AppRenderer.number(Double($0)) } ?? "–", theme: theme))
        lines.append(AppRenderer.field("NN-RMSE   ", s.nearestNeighbourRMSE.map { AppRenderer.number(Double($0)) } ?? "–", theme: theme))
        lines.append(TextLine("(lower SWD: closer to the data; tiny", fg: theme.inactiveFg))
        lines.append(TextLine(" NN-RMSE: copying training images)", fg: theme.inactiveFg))
        AppRenderer.lines(lines, into: &grid, area: inner, theme: theme)
    }
}

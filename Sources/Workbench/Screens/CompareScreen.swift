import DiffusionEngine
import Foundation
import TerminalUI

/// Screen 4: two reverse chains A and B from the same seed and noise, each with its own switch
/// set — x_t of A, of B and |A-B| as a heat map, max |Δ| per step, and the measured verdict.
/// With a second model (`m`), chain B runs B's model: "trained with the bug vs without".
public enum CompareScreen {
    /// What the chains run on, for the titles: "one model, two fix sets" or
    /// "A's model vs B's model (input=x0)".
    public static func modeTitle(_ input: FrameInput) -> String {
        switch input.state.compare.mode {
        case .fixSets: return "one model, two fix sets" + (input.info.secondModel == nil ? "" : " (m: A's model vs B's)")
        case .models: return "A's model vs B's model (\(input.info.secondModel?.label ?? "B")) · m: one model"
        }
    }

    /// The note beside a switch that differs between A and B: whether these chains can show it,
    /// read off where the switch acts (`FixSwitch.stages`). With two models a training-only
    /// switch is what made the models differ: the chains show it through the weights.
    public static func note(_ s: FixSwitch, sampler: Sampler, models: Bool = false) -> String {
        switch s.reach(sampler) {
        case .reverseStep: return "differs"
        case .forwardProcess: return "acts on q_sample: see forward A/B"
        case .trainingOnly: return models ? "trained differently" : "training only: no effect on sampling"
        case .otherSampler: return "\(sampler == .ddpm ? "DDPM" : "DDIM") ignores it"
        }
    }

    public static func render(_ input: FrameInput, into grid: inout Grid, area: Rect) {
        guard !area.isEmpty else { return }
        let tableHeight = AppState.compareSwitches.count + 1 + (area.height >= 30 ? 2 : 0)
        let rows = area.rows([.fixed(tableHeight), .fill, .fixed(area.height >= 30 ? 5 : 3)])
        renderSwitches(input, into: &grid, area: rows[0])
        renderChains(input, into: &grid, area: rows[1])
        renderVerdict(input, into: &grid, area: rows[2])
    }

    static func renderSwitches(_ input: FrameInput, into grid: inout Grid, area: Rect) {
        let theme = input.theme, g = grid.glyphs, c = input.state.compare
        let sampler = c.settings.sampler.sampler(ddimSteps: AppState.defaultDDIMSteps)
        var inner = area
        if area.height >= AppState.compareSwitches.count + 3 {
            let block = Block(title: "Switches: A | B (number keys flip B) · " + AsciiFallback.text(modeTitle(input), g),
                              rightTitle: "\(c.settings.sampler == .ddpm ? "DDPM" : "DDIM") · \(c.settings.ema ? "EMA" : "raw") · seed \(c.settings.seed)")
            block.render(into: &grid, area: area, theme: theme)
            inner = block.inner(area)
        }
        let rows: [[Span]] = AppState.compareSwitches.enumerated().map { i, s in
            let ia = s.choiceIndex(in: c.a), ib = s.choiceIndex(in: c.b)
            let differs = ia != ib
            let note = differs ? CompareScreen.note(s, sampler: sampler, models: c.mode == .models) : ""
            return [
                Span("\(i + 1)", fg: theme.hiFg, attributes: .bold),
                Span(AsciiFallback.text(s.displayName, g) + " (\(AsciiFallback.text(s.checklistItem, g)))", fg: theme.mainFg),
                Span(AsciiFallback.text(s.choiceNames[ia], g), fg: theme.seriesA),
                Span(AsciiFallback.text(s.choiceNames[ib], g), fg: theme.seriesB, attributes: differs ? .bold : []),
                Span(note, fg: differs ? theme.warn : theme.inactiveFg),
            ]
        }
        Table(header: ["#", "switch", "A", "B", ""], rows: rows,
              widths: [.fixed(2), .fill(4), .fill(3), .fill(3), .fill(3)])
            .render(into: &grid, area: inner, theme: theme)
    }

    /// The frame shown: the cursor, or the newest computed.
    static func shownFrame(_ input: FrameInput, _ h: CompareHistory) -> Int {
        min(input.state.compare.position ?? (h.frames.count - 1), h.frames.count - 1)
    }

    static func matches(_ input: FrameInput, _ h: CompareHistory) -> Bool {
        let c = input.state.compare
        return h.settings == c.settings && h.a == c.a && h.b == c.b && h.mode == c.mode
    }

    static func renderChains(_ input: FrameInput, into grid: inout Grid, area: Rect) {
        let theme = input.theme, g = grid.glyphs
        guard !area.isEmpty else { return }
        guard let h = input.compare, matches(input, h), !h.frames.isEmpty else {
            TextLine("starting both chains…", fg: theme.inactiveFg).render(into: &grid, area: area, theme: theme)
            return
        }
        if let error = h.error {
            Paragraph(text: "the chains cannot run: \(error)", fg: theme.error, wrap: true).render(into: &grid, area: area, theme: theme)
            return
        }
        let k = shownFrame(input, h)
        let f = h.frames[k], d = f.difference
        // Wide and tall: three images at a whole scale, the per-step panel below them at full
        // width. Otherwise the panel is a fourth column beside smaller images.
        let size = f.xA.shape[3]
        var cols: [Rect]
        if let rows = stackedImageRows(imageSize: size, area: area) {
            let split = area.rows([.fixed(rows), .fill])
            cols = ImageTiles.equalColumns(split[0], count: 3) + [split[1]]
        } else {
            let images = area.left((area.width - 1) * 2 / 3)
            cols = ImageTiles.equalColumns(images, count: 3) + [Rect(x: images.maxX + 1, y: area.y, width: area.maxX - images.maxX - 1, height: area.height)]
        }
        let where_ = k == 0 ? "start (noise)" : (k >= h.length ? "result" : "after t=\(f.t)")
        let (nameA, nameB) = h.mode == .models ? ("A's model", "B's model") : ("A", "B")
        let blockA = Block(title: "\(nameA): \(where_)", focused: true)
        blockA.render(into: &grid, area: cols[0], theme: theme)
        HalfBlockImage(ImageTiles.pixelImage(f.xA)).render(into: &grid, area: blockA.inner(cols[0]), theme: theme)
        let blockB = Block(title: "\(nameB): \(where_)")
        blockB.render(into: &grid, area: cols[1], theme: theme)
        HalfBlockImage(ImageTiles.pixelImage(f.xB)).render(into: &grid, area: blockB.inner(cols[1]), theme: theme)
        let diff = ImageTiles.differenceMap(f.xA, f.xB, ramp: theme.graphRamp)
        let blockD = Block(title: AsciiFallback.text("|A−B| (0…\(FixComparison.format(d.maxAbs)))", g).replacingOccurrences(of: "−", with: "-"))
        blockD.render(into: &grid, area: cols[2], theme: theme)
        diff.image.render(into: &grid, area: blockD.inner(cols[2]), theme: theme)

        let blockS = Block(title: AsciiFallback.text("max |Δ| per step (log)", g), rightTitle: "\(h.stepsDone)/\(h.length) steps")
        blockS.render(into: &grid, area: cols[3], theme: theme)
        let inner = blockS.inner(cols[3])
        let parts = inner.rows([.fill, .fixed(inner.height >= 6 ? 3 : 1)])
        renderDeltaSparkline(h, position: k, theme: theme, into: &grid, area: parts[0])
        var lines: [TextLine] = [
            TextLine([Span(AsciiFallback.text("at this step: max |Δ| ", g), fg: theme.inactiveFg),
                      Span(FixComparison.format(d.maxAbs), fg: d.differs ? theme.warn : theme.ok, attributes: .bold),
                      Span("  RMS ", fg: theme.inactiveFg), Span(FixComparison.format(d.rms))]),
        ]
        if parts[1].height >= 3 {
            lines.append(TextLine(AsciiFallback.text("rounding threshold \(FixComparison.format(d.threshold)) (1e-5 · max |x|)", g), fg: theme.inactiveFg))
            lines.append(TextLine(AsciiFallback.text("frame \(k) of \(h.frames.count - 1)" + (input.state.compare.position == nil ? " · following" : " · ← → browse, f follow")
                + " · \(h.modelCalls) model calls for \(2 * h.stepsDone) steps", g), fg: theme.inactiveFg))
        }
        AppRenderer.lines(lines, into: &grid, area: parts[1], theme: theme)
    }

    /// The height of the image row when the three images (at scale ≥ 1) and a panel of at least
    /// 8 rows fit one above the other; nil when they do not.
    static func stackedImageRows(imageSize s: Int, area: Rect) -> Int? {
        for k in (1...8).reversed() {
            let rows = (s * k + 1) / 2 + 2
            if 3 * (s * k + 2) + 2 <= area.width && rows + 8 <= area.height { return rows }
        }
        return nil
    }

    /// Per-step max |Δ|, t = T-1 on the left, the largest value of each column's steps (so a
    /// single differing step shows), empty columns where A and B agree exactly.
    static func renderDeltaSparkline(_ h: CompareHistory, position: Int, theme: Theme, into grid: inout Grid, area: Rect) {
        guard !area.isEmpty, h.length > 0 else { return }
        let values = h.maxAbsPerStep
        let width = min(area.width, h.length)
        var cols = [Double](repeating: .nan, count: width)
        for (i, v) in values.enumerated() {
            let c = i * width / h.length
            cols[c] = cols[c].isNaN ? Double(v) : max(cols[c], Double(v))
        }
        let plotArea = Rect(x: area.x, y: area.y, width: width, height: area.height)
        Sparkline(cols, logScale: true).render(into: &grid, area: plotArea, theme: theme)
        if !values.isEmpty && values.allSatisfy({ $0 == 0 }) {
            TextLine(h.isFinished ? "every step: exactly 0 (bit-identical)" : "every step so far: exactly 0 (bit-identical)", fg: theme.ok, alignment: .center)
                .render(into: &grid, area: area.centered(width: area.width, height: 1), theme: theme)
        }
        if position > 0 {
            let c = min(width - 1, (position - 1) * width / h.length)
            for y in area.y..<area.maxY where grid.cell(x: area.x + c, y: y)?.character == " " {
                grid.set(x: area.x + c, y: y, grid.glyphs.verticalRule, fg: theme.cursor)
            }
        }
    }

    static func renderVerdict(_ input: FrameInput, into grid: inout Grid, area: Rect) {
        let theme = input.theme, g = grid.glyphs
        guard !area.isEmpty else { return }
        let block = Block(title: "Verdict (measured, same seed and noise)")
        var inner = area
        if area.height >= 4 {
            block.render(into: &grid, area: area, theme: theme)
            inner = block.inner(area)
        }
        guard let h = input.compare, matches(input, h) else { return }
        var lines: [TextLine] = []
        let differing = h.a.differences(from: h.b)
        let names = differing.map { AsciiFallback.text($0.displayName, g) }.joined(separator: ", ")
        let color = h.firstDifferingT == nil ? theme.ok : theme.warn
        let head = h.mode == .models ? "A's model vs B's model (\(input.info.secondModel?.label ?? "B")): "
            : differing.isEmpty ? "A = B: " : "\(names): "
        lines.append(TextLine([Span(head, fg: theme.mainFg, attributes: .bold), Span(AsciiFallback.text(h.verdict, g), fg: color, attributes: .bold)]))
        if h.mode == .models {
            let steps = h.weightsStepB.map { "A's weights from step \(h.weightsStep), B's from step \($0)" } ?? ""
            let fixes = differing.isEmpty ? "the same switches" : "switches differing: \(names)"
            lines.append(TextLine(AsciiFallback.text("\(steps) · \(fixes) · each with its own schedule and objective", g), fg: theme.inactiveFg))
        } else if let fwd = h.forward {
            lines.append(TextLine([Span("forward q_sample A/B: ", fg: theme.mainFg), Span(AsciiFallback.text(fwd.verdict, g), fg: fwd.differingTimesteps.isEmpty ? theme.ok : theme.warn)]))
        } else if differing.contains(where: \.isTrainingOnly) {
            lines.append(TextLine("training-only switches change what the model learns, not this chain: retrain with them to see an effect", fg: theme.inactiveFg))
        }
        AppRenderer.lines(lines, into: &grid, area: inner, theme: theme)
    }
}

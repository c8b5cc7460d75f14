import TerminalUI

extension TrainScreen {
    /// The newest checkpoint, the newest quality, then every milestone's quality for this run and
    /// each overlay (newest at the bottom; the oldest rows give way when the panel is short).
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
        } else if input.info.watchedFolder != nil {
            // This process cannot save a watched run: its writer saves at its milestones.
            lines.append(AppRenderer.field("last saved", "not yet", theme: theme))
            lines.append(TextLine("the writer saves every \(s.options.saveEvery) steps", fg: theme.inactiveFg))
            if let out = input.info.outPath { lines.append(TextLine("→ \(out)/checkpoint.safetensors", fg: theme.inactiveFg)) }
        } else {
            lines.append(AppRenderer.field("last saved", input.info.viewOnly ? "none" : "not yet (c saves now)", theme: theme))
            if let out = input.info.outPath { lines.append(TextLine("→ \(out)/checkpoint.safetensors", fg: theme.inactiveFg)) }
        }
        lines.append(TextLine(""))
        let rows = milestoneRows(input)
        let room = inner.height - (lines.count + 2) - 1
        // A table needs its header and a row; without one, the overlays' newest values follow this run's.
        let showsTable = !rows.isEmpty && room >= 2
        var swd = AppRenderer.field("SWD       ", metric(s.swd), theme: theme)
        var nn = AppRenderer.field("NN-RMSE   ", metric(s.nearestNeighbourRMSE), theme: theme)
        for o in input.overlays where !showsTable {
            guard let m = o.snapshot.milestones.last else { continue }
            let color = o.color.color(in: theme)
            swd.spans += [Span(" · \(o.label) ", fg: theme.inactiveFg), Span(metric(m.swd), fg: color)]
            nn.spans += [Span(" · \(o.label) ", fg: theme.inactiveFg), Span(metric(m.nearestNeighbourRMSE), fg: color)]
        }
        lines += [swd, nn]
        let explanation = [TextLine("(lower SWD: closer to the data; tiny", fg: theme.inactiveFg),
                           TextLine(" NN-RMSE: copying training images)", fg: theme.inactiveFg)]
        // The explanation goes when the table needs its rows.
        if rows.isEmpty || room - (rows.count + 1) >= explanation.count + 1 { lines += explanation }
        AppRenderer.lines(lines, into: &grid, area: inner, theme: theme)
        guard showsTable else { return }
        let table = inner.inset(top: lines.count + 1)
        Table(header: ["step", "run", "NN-RMSE", "SWD"], rows: Array(rows.suffix(max(0, table.height - 1))),
              widths: [.fixed(6), .fill, .fixed(8), .fixed(8)], alignments: [.right, .left, .right, .right])
            .render(into: &grid, area: table, theme: theme)
    }

    /// One row per run and milestone step, steps in order, this run first among the runs that
    /// made a grid at that step; the step is written on the first row of its group.
    static func milestoneRows(_ input: FrameInput) -> [[Span]] {
        let runs = [(label: mainLabel, milestones: input.snapshot.milestones, color: input.theme.loss)]
            + input.overlays.map { (label: $0.label, milestones: $0.snapshot.milestones, color: $0.color.color(in: input.theme)) }
        let steps = Set(runs.flatMap { $0.milestones.map(\.step) }).sorted()
        var rows: [[Span]] = []
        for step in steps {
            var first = true
            for run in runs {
                guard let m = run.milestones.last(where: { $0.step == step }) else { continue }
                rows.append([Span(first ? "\(step)" : "", fg: input.theme.mainFg), Span(run.label, fg: run.color),
                             Span(metric(m.nearestNeighbourRMSE)), Span(metric(m.swd))])
                first = false
            }
        }
        return rows
    }

    static func metric(_ v: Float?) -> String { v.map { AppRenderer.number(Double($0)) } ?? "–" }
}

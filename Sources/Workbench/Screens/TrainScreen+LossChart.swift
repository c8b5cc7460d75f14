import Foundation
import TerminalUI

extension TrainScreen {
    /// A run as the loss chart draws it: its history, its colour, its legend label.
    struct ChartedRun {
        var label: String
        var history: StepHistory
        var color: RGB
    }

    /// How the legend and the milestone table call the main run.
    static let mainLabel = "this run"

    /// The main run first (in the theme's `loss` colour), then the overlays in theirs.
    static func chartedRuns(_ input: FrameInput) -> [ChartedRun] {
        [ChartedRun(label: mainLabel, history: input.snapshot.history, color: input.theme.loss)]
            + input.overlays.map { ChartedRun(label: $0.label, history: $0.snapshot.history, color: $0.color.color(in: input.theme)) }
    }

    /// The colour of the raw loss range: the loss colour faded halfway into the background.
    static func rawColor(_ theme: Theme) -> RGB { theme.loss.mixed(with: theme.mainBg, 0.55) }

    /// The whole run's loss on a log scale, every run over the same steps (1 to the longest run's
    /// last step): per column of braille dots, the min-max range of the main run's losses in
    /// faded dots, and each run's smoothed loss (the EMA of `smoothed`, as it stood at the
    /// column's last step) as a bright line, the main run's on top. Columns come from the runs'
    /// `StepHistory` bins, so a frame costs the same at step 10 and at step 100,000.
    static func lossPlot(_ runs: [ChartedRun], area: Rect, theme: Theme) -> LinePlot? {
        let steps = runs.map(\.history.lastStep).max() ?? 0
        let ranges = runs.compactMap { $0.history.positiveLossRange }
        guard steps > 0, let lo = ranges.map(\.lowerBound).min(), let hi = ranges.map(\.upperBound).max() else { return nil }
        var plot = LinePlot([], logY: true, yRange: lo...hi, xLabels: (left: "step 1", right: "step \(steps)"))
        // Two dots a cell (every run's history has the same capacity, so the same count).
        let dots = plot.plotArea(in: area).width * 2
        var lines: [LinePlot.Series] = []
        for (i, run) in runs.enumerated() {
            let columns = run.history.lossColumns(atMost: dots, steps: steps)
            plot.xCount = columns.count
            if i == 0 { plot.bands = [.init(lower: columns.map(\.min), upper: columns.map(\.max), color: rawColor(theme))] }
            lines.append(.init(columns.map(\.smoothed), color: run.color))
        }
        plot.series = Array(lines.dropFirst()) + lines.prefix(1)
        return plot
    }

    static func renderLoss(_ input: FrameInput, into grid: inout Grid, area: Rect) {
        let theme = input.theme, history = input.snapshot.history
        let last = input.snapshot.losses.last.map { " · last \(AppRenderer.number(Double($0)))" } ?? ""
        let title = history.smoothed.map { "smoothed \(AppRenderer.number($0))" + (area.width >= 60 ? last : "") }
        let block = Block(title: "Loss (log scale)", rightTitle: title)
        block.render(into: &grid, area: area, theme: theme)
        let inner = block.inner(area)
        guard !inner.isEmpty else { return }
        let runs = chartedRuns(input)
        guard let plot = lossPlot(runs, area: inner, theme: theme) else {
            TextLine("waiting for the first step…", fg: theme.inactiveFg).render(into: &grid, area: inner, theme: theme)
            return
        }
        plot.render(into: &grid, area: inner, theme: theme)
        guard inner.height >= 2 else { return }
        // Between the x labels, a space clear of each.
        let axis = plot.plotArea(in: inner), left = (plot.xLabels?.left.count ?? 0) + 2, right = (plot.xLabels?.right.count ?? 0) + 2
        renderLegend(runs, theme: theme, into: &grid,
                     area: Rect(x: axis.x + left, y: inner.maxY - 1, width: axis.width - left - right, height: 1))
    }

    /// `⣿ raw min-max  ── this run (smoothed, EMA 0.98)  ── baseline`, centred in the x-label
    /// row; shorter when that does not fit (`⣿ raw  ── this run  ── baseline`), then only the
    /// overlays (the colour of the main run is the screen's own).
    static func renderLegend(_ runs: [ChartedRun], theme: Theme, into grid: inout Grid, area: Rect) {
        let dash = String(repeating: grid.glyphs.border(rounded: false).horizontal, count: 2)
        func entries(_ runs: ArraySlice<ChartedRun>, note: String) -> [Span] {
            zip(runs.indices, runs).flatMap { i, run in
                [Span(dash, fg: run.color, attributes: .bold), Span(" " + run.label, fg: theme.mainFg),
                 Span(i == 0 ? note + "  " : "  ", fg: theme.inactiveFg)]  // run 0 is the main one
            }
        }
        let raw = Span(String(grid.glyphs.braille(0xFF)), fg: rawColor(theme))
        let choices = [
            [raw, Span(" raw min-max  ", fg: theme.inactiveFg)] + entries(runs[...], note: " (smoothed, EMA \(StepHistory.emaDecay))"),
            [raw, Span(" raw  ", fg: theme.inactiveFg)] + entries(runs[...], note: ""),
            entries(runs.dropFirst(), note: ""),
        ]
        guard let spans = choices.first(where: { !$0.isEmpty && TextLine($0).width <= area.width }) else { return }
        TextLine(spans, alignment: .center).render(into: &grid, area: area, theme: theme)
    }
}

extension StepHistory {
    /// The smallest and largest finite positive loss of the run (what a log axis can show).
    var positiveLossRange: ClosedRange<Double>? {
        var lo = Double.infinity, hi = -Double.infinity
        for b in bins where b.count > 0 && b.max > 0 {
            lo = Swift.min(lo, Double(b.min > 0 ? b.min : b.max))
            hi = Swift.max(hi, Double(b.max))
        }
        return lo <= hi ? lo...hi : nil
    }
}

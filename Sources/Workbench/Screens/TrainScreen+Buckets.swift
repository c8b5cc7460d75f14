import DiffusionEngine
import TerminalUI

extension TrainScreen {
    /// Timestep buckets the trainer keeps (rows of the heat map).
    static let bucketRows = Trainer.bucketCount

    /// "t 100-199": the timesteps of buckets `first...last` of `count` over T.
    static func bucketRange(_ first: Int, _ last: Int, of count: Int, T: Int) -> String {
        "t \(first * T / count)-\((last + 1) * T / count - 1)"
    }

    /// The loss per timestep bucket: over the whole run as a heat map (rows t 0-99 at the top to
    /// t 900-999, columns the steps, colour the log of the bucket's running loss on the theme's
    /// graph ramp) when there are 5 rows for it and the history has bucket values (a checkpoint
    /// opened for viewing has none), else the current value of each bucket as one heat row.
    static func renderBuckets(_ input: FrameInput, into grid: inout Grid, area: Rect) {
        let theme = input.theme, s = input.snapshot
        let buckets = s.bucketLoss
        let T = s.options.timesteps
        let finite = buckets.enumerated().filter { $0.element.isFinite }
        let hardest = finite.max(by: { $0.element < $1.element })?.offset
        let n = max(buckets.count, 1)
        let block = Block(title: "Loss by timestep (running mean per bucket)",
                          rightTitle: hardest.map { "hardest: \(bucketRange($0, $0, of: n, T: T))" })
        block.render(into: &grid, area: area, theme: theme)
        let inner = block.inner(area)
        guard !inner.isEmpty else { return }
        if finite.isEmpty {
            TextLine("no samples yet", fg: theme.inactiveFg).render(into: &grid, area: inner, theme: theme)
            return
        }
        let h = s.history
        if h.hasBucketValues, inner.height >= (h.bucketCount + 1) / 2, inner.width >= 30 {
            renderBucketMap(input, hardest: hardest, into: &grid, area: inner)
        } else {
            renderBucketRow(input, hardest: hardest, into: &grid, area: inner)
        }
    }

    /// The heat map with bucket labels on the left, each bucket's current value on the right (when
    /// a bucket has a row of its own) and the step range below (when there is a row left).
    static func renderBucketMap(_ input: FrameInput, hardest: Int?, into grid: inout Grid, area: Rect) {
        let theme = input.theme, h = input.snapshot.history, T = input.snapshot.options.timesteps
        let n = h.bucketCount
        // Whole cells per bucket when every bucket gets one (a row of labels below if it fits),
        // else two buckets a cell (upper and lower half).
        let cellsPerBucket = area.height > n ? (area.height - 1) / n : area.height == n ? 1 : 0
        let mapRows = cellsPerBucket >= 1 ? n * cellsPerBucket : (n + 1) / 2
        let bucketsPerRow = cellsPerBucket >= 1 ? 1 : 2
        let labels = (0..<mapRows).map { r -> String? in
            let first = cellsPerBucket >= 1 ? r / cellsPerBucket : 2 * r
            guard cellsPerBucket == 0 || r % cellsPerBucket == 0 else { return nil }
            return bucketRange(first, min(n - 1, first + bucketsPerRow - 1), of: n, T: T)
        }
        let gutter = (labels.compactMap { $0?.count }.max() ?? 0) + 1
        let valueWidth = bucketsPerRow == 1 && area.width >= 60 ? 9 : 0
        let map = Rect(x: area.x + gutter, y: area.y, width: area.width - gutter - valueWidth, height: mapRows)
        guard !map.isEmpty else { return }
        let count = h.columnCount(atMost: map.width)
        let columns = h.bucketColumns(count)
        let values = (0..<n).flatMap { b in (0..<map.width).map { columns[b * count + $0 * count / map.width] } }
        HeatMap(values, rows: n, columns: map.width, logScale: true).render(into: &grid, area: map, theme: theme)
        for (r, label) in labels.enumerated() {
            guard let label else { continue }
            grid.write(label, x: area.x, y: area.y + r, style: theme.inactive, maxWidth: gutter - 1)
            if valueWidth > 0, r / max(cellsPerBucket, 1) < input.snapshot.bucketLoss.count {
                let b = r / max(cellsPerBucket, 1), v = input.snapshot.bucketLoss[b]
                grid.write(v.isFinite ? AppRenderer.number(Double(v)) : "–", x: map.maxX + 1, y: area.y + r,
                           style: b == hardest ? theme.highlight : theme.text, maxWidth: valueWidth - 1)
            }
        }
        if area.height > mapRows {
            let right = "step \(h.lastStep)"
            grid.write("step 1", x: map.x, y: map.maxY, style: theme.inactive, maxWidth: map.width)
            if map.width > right.count + 8 { grid.write(right, x: map.maxX - right.count, y: map.maxY, style: theme.inactive) }
        }
    }

    /// The current running loss of each bucket: a heat row over the labels and values.
    static func renderBucketRow(_ input: FrameInput, hardest: Int?, into grid: inout Grid, area inner: Rect) {
        let theme = input.theme, buckets = input.snapshot.bucketLoss, T = input.snapshot.options.timesteps
        let n = max(buckets.count, 1)
        // Each bucket gets an equal share of the width (the remainder goes to the first ones).
        let widths = Constraint.resolve(Array(repeating: .fill, count: n), total: inner.width)
        var expanded: [Double] = []
        for (b, w) in widths.enumerated() { expanded += Array(repeating: Double(buckets[b]), count: w) }
        let heat = HeatRow(expanded)
        for r in 0..<min(2, inner.height) { heat.render(into: &grid, area: Rect(x: inner.x, y: inner.y + r, width: inner.width, height: 1), theme: theme) }
        var x = inner.x
        for (b, w) in widths.enumerated() {
            if inner.height > 2 {
                let label = w >= 10 ? bucketRange(b, b, of: n, T: T) : "\(b * T / n)"
                grid.write(label, x: x, y: inner.y + 2, style: theme.inactive, maxWidth: max(0, w - 1))
            }
            if inner.height > 3 {
                let v = buckets[b].isFinite ? AppRenderer.number(Double(buckets[b])) : "–"
                grid.write(v, x: x, y: inner.y + 3, style: b == hardest ? theme.highlight : theme.text, maxWidth: max(0, w - 1))
            }
            x += w
        }
    }
}

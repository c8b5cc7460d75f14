import TerminalUI

extension TrainScreen {
    /// Where the Train screen's panels go.
    struct Layout: Equatable {
        var loss: Rect
        var progress: Rect
        var buckets: Rect
        var samples: Rect
        var checkpoint: Rect
    }

    /// Body sizes from which the samples get a full-width band of native-size tiles.
    static let roomyWidth = 120, roomyHeight = 36
    /// Rows the charts and side panels keep above the samples band, at least.
    static let chartRows = 20

    /// The panels for a body `area` and the run's sample grid (`imageCount` images of
    /// `imageSide` pixels; the layout does not wait for the first grid).
    ///
    /// Roomy (from 120x36): the samples take a full-width band at the bottom, as many rows of
    /// native-size tiles as the grid needs and fit in half the height while leaving `chartRows`
    /// rows above (a 32px tile is 32 columns x 16 rows), or two fifths of the height when not
    /// even one row fits (4 rows, for its message, when there are no grids to show); above it the
    /// loss chart over the heat map on the left, progress over checkpoint & quality on the right.
    /// Smaller: three bands, loss and progress, the bucket row, samples and checkpoint.
    static func layout(_ area: Rect, imageSide: Int, imageCount: Int) -> Layout {
        guard area.width >= roomyWidth, area.height >= roomyHeight else {
            let lossHeight = max(7, min(16, area.height * 3 / 10))
            let rows = area.rows([.fixed(lossHeight), .fixed(6), .fill])
            let top = rows[0].columns([.fill, .fixed(sideWidth)], spacing: 1)
            let bottom = rows[2].columns([.fill, .fixed(sideWidth)], spacing: 1)
            return Layout(loss: top[0], progress: top[1], buckets: rows[1], samples: bottom[0], checkpoint: bottom[1])
        }
        let tileRows = (max(1, imageSide) + 1) / 2
        let perRow = max(1, (area.width - 2 + 1) / (max(1, imageSide) + 1))
        let needed = (imageCount + perRow - 1) / perRow
        let budget = min(area.height - chartRows, area.height / 2)
        let fits = min(needed, (budget - 2 + 1) / (tileRows + 1))
        let samplesHeight = imageCount == 0 ? 4 : fits >= 1 ? fits * (tileRows + 1) - 1 + 2 : area.height * 2 / 5
        let bands = area.rows([.fill, .fixed(samplesHeight)])
        let top = bands[0].columns([.fill, .fixed(sideWidth)], spacing: 1)
        let left = top[0].rows([.fill, .fixed(top[0].height >= 26 ? bucketRows + 3 : 7)])
        let right = top[1].rows([.fixed(13), .fill])
        return Layout(loss: left[0], progress: right[0], buckets: left[1], samples: bands[1], checkpoint: right[1])
    }
}

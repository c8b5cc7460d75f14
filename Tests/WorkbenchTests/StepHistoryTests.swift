import DiffusionEngine
import Foundation
import Testing
import Workbench

/// The downsampled whole-run history the Train screen charts: bounded, exact statistics per bin,
/// the same smoothing as the screen's number, and kept up to date from a run folder's lines.
@Suite struct StepHistoryTests {
    @Test func shortRunsKeepEveryStep() {
        var h = StepHistory(capacity: 8, bucketCount: 2)
        for s in 1...5 { h.append(step: s, loss: Float(s), buckets: [Float(s), .nan]) }
        #expect(h.binWidth == 1 && h.bins.count == 5 && h.lastStep == 5)
        #expect(h.bins.map(\.mean) == [1, 2, 3, 4, 5])
        #expect(h.bucketMean(bin: 2, bucket: 0) == 3)
        #expect(h.bucketMean(bin: 2, bucket: 1).isNaN, "NaN bucket values count in no mean")
        h.append(step: 5, loss: 99)
        #expect(h.lastStep == 5 && h.bins.last?.max == 5, "a step already recorded is ignored")
    }

    @Test func longRunsMergeBinsAndKeepTheirStatistics() {
        var h = StepHistory(capacity: 8, bucketCount: 1)
        let losses = (1...100).map { Float($0 % 7) + 1 }
        for (i, l) in losses.enumerated() { h.append(step: i + 1, loss: l, buckets: [Float(i + 1)]) }
        #expect(h.bins.count <= 8 && h.bins.count > 4 && h.binWidth == 16)
        #expect(h.bins.first?.firstStep == 1 && h.bins.last?.lastStep == 100)
        #expect(h.bins.reduce(0) { $0 + $1.count } == 100)
        for b in h.bins {
            let part = losses[(b.firstStep - 1)..<b.lastStep]
            #expect(b.min == part.min() && b.max == part.max())
            #expect(abs(b.mean - Double(part.reduce(0, +)) / Double(part.count)) < 1e-9)
        }
        // Bin 0 holds steps 1...16: the mean of its bucket values 1...16.
        #expect(h.bucketMean(bin: 0, bucket: 0) == 8.5)
    }

    @Test func smoothedIsTheScreensEMAStepByStep() {
        let losses: [Float] = (0..<3000).map { i in i == 17 ? .nan : Float(1 + sin(Double(i) / 9)) }
        let h = StepHistory(losses: losses)
        #expect(h.smoothed == TrainScreen.smoothed(losses))
        #expect(h.bins.last?.smoothed == TrainScreen.smoothed(losses))
        #expect(h.bins.count <= StepHistory.defaultCapacity)
        let first = losses.prefix(h.bins[0].lastStep)
        #expect(h.bins[0].smoothed == TrainScreen.smoothed(Array(first)), "each bin keeps the EMA at its last step")
        #expect(StepHistory().smoothed == nil)
    }

    @Test func columnsCoverTheWholeRun() {
        var losses = [Float](repeating: 0.1, count: 10_000)
        losses[4] = 5  // step 5
        let columns = StepHistory(losses: losses).lossColumns(atMost: 100)
        #expect(columns.count == 100)
        #expect(columns[0].max == 5 && columns[0].min == Double(Float(0.1)))
        #expect(columns.dropFirst().allSatisfy { $0.max == Double(Float(0.1)) })
        // Over a longer x range (an overlay's), the columns past this run's steps are empty.
        let wide = StepHistory(losses: [1, 2]).lossColumns(4, steps: 4)
        #expect(wide[0].mean == 1 && wide[1].mean == 2 && wide[2].mean.isNaN && wide[3].mean.isNaN)
        #expect(StepHistory().lossColumns(atMost: 10).allSatisfy { $0.mean.isNaN })
    }

    @Test func bucketColumnsAverageTheStepsOfEachColumn() {
        var h = StepHistory(bucketCount: 2)
        for s in 1...4 { h.append(step: s, loss: 1, buckets: [Float(s), 10 * Float(s)]) }
        #expect(h.bucketColumns(2) == [1.5, 3.5, 15, 35])
    }

    @Test func snapshotsRecordStepsAndMilestones() {
        var s = TrainingSnapshot.initial(options: TrainingOptions(), data: "d")
        s.record(step: 1, loss: 0.5, buckets: Array(repeating: 0.5, count: 10))
        s.record(step: 2, loss: 0.3, buckets: Array(repeating: 0.25, count: 10))
        #expect(s.step == 2 && s.losses == [0.5, 0.3] && s.bucketLoss.first == 0.25)
        #expect(s.history.lastStep == 2 && s.history.bucketColumns(1) == Array(repeating: 0.375, count: 10))
        s.record(MilestoneMetrics(step: 2, nearestNeighbourRMSE: 0.9, swd: 0.1))
        s.record(MilestoneMetrics(step: 2, nearestNeighbourRMSE: 0.8, swd: 0.2))
        #expect(s.milestones == [MilestoneMetrics(step: 2, nearestNeighbourRMSE: 0.8, swd: 0.2)], "one row per step: the newest")
        #expect(s.nearestNeighbourRMSE == 0.8 && s.swd == 0.2)
    }

    @Test func followingALogExtendsItOrStartsOver() throws {
        func step(_ k: Int, _ loss: Float) -> MetricsLine {
            MetricsLine(json: Substring("{\"step\":\(k),\"loss\":\(loss),\"wall_time\":\(k),\"loss_by_t_bucket\":[\(loss),null]}"))!
        }
        var log = RunLog()
        log.apply((1...5).map { step($0, Float($0)) })
        let first = StepHistory.follow(log, from: nil)
        log.apply((6...8).map { step($0, Float($0)) })
        let extended = StepHistory.follow(log, from: first)
        #expect(extended.history == StepHistory.follow(log, from: nil).history)
        #expect(extended.history.lastStep == 8 && extended.history.bucketCount == 2)
        // A resume at step 3 drops steps 4-8; the history starts over and matches the log.
        log.apply(MetricsLine(json: "{\"event\":\"resume\",\"step\":3}")!)
        log.apply(step(4, 40))
        let resumed = StepHistory.follow(log, from: extended)
        #expect(resumed.history.lastStep == 4 && resumed.history.bins.last?.max == 40)
        #expect(resumed.history == StepHistory.follow(log, from: nil).history)
    }
}

import DiffusionEngine
import Foundation

extension TrainingSnapshot {
    /// What a run folder's `metrics.jsonl` says (docs/run-folder.md): the steps with their losses
    /// and history, the newest step's values and speed, the milestones' quality, the newest
    /// checkpoint, whether the run finished. The grid, the checkpoint's path and the status line
    /// are the reader's to add.
    /// - Parameter history: the steps' history when the reader keeps one up to date
    ///   (`StepHistory.follow`); nil builds it from `log`.
    public init(log: RunLog, options o: TrainingOptions, data: String, history: StepHistory? = nil) {
        self = .initial(options: o, data: data)
        step = log.step
        totalSteps = max(o.steps, log.step)
        losses = log.steps.map { $0.loss ?? .nan }
        self.history = history ?? StepHistory.follow(log, from: nil).history
        if let last = log.steps.last {
            bucketLoss = last.bucketLoss
            gradNorm = last.gradNorm ?? 0
            learningRate = last.learningRate ?? o.learningRate
            imagesPerSecond = last.imagesPerSecond ?? 0
            if let ips = last.imagesPerSecond, ips > 0 {
                etaSeconds = Double((totalSteps - step) * o.batchSize * o.accumulate * (log.writer?.worldSize ?? 1)) / ips
            }
        }
        for m in log.milestones { record(MilestoneMetrics(step: m.step, nearestNeighbourRMSE: m.nnRMSE, swd: m.swd)) }
        lastCheckpointStep = log.lastCheckpoint?.step
        finished = log.finished
    }
}

extension StepHistory {
    /// Where a history built from a `RunLog` stands: how many of its step lines it holds, and the
    /// last of them (to tell appended lines from a log that went back, after a resume or a restart).
    public struct LogPosition: Sendable, Equatable {
        var count: Int
        var last: MetricsLine.StepLine?
    }

    /// The history of `log`'s steps: `previous` extended by the lines appended since it was made
    /// when the log only grew since, else built again from the first line.
    public static func follow(_ log: RunLog, from previous: (history: StepHistory, position: LogPosition)?)
        -> (history: StepHistory, position: LogPosition) {
        let steps = log.steps
        var history = StepHistory()  // the lines say how many buckets
        var start = 0
        if let (h, p) = previous, p.count <= steps.count, p.count == 0 || steps[p.count - 1] == p.last {
            (history, start) = (h, p.count)
        }
        for s in steps[start...] { history.append(step: s.step, loss: s.loss ?? .nan, buckets: s.bucketLoss) }
        return (history, LogPosition(count: steps.count, last: steps.last))
    }
}

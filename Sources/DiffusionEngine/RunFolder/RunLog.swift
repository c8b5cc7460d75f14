/// What a run folder's `metrics.jsonl` says so far, applying the protocol's reading rules
/// (docs/run-folder.md): a `resume` at step k drops the step lines above k read before it, a
/// `start` in a folder that already had lines starts over.
public struct RunLog: Sendable, Equatable {
    /// Step lines in the order of their steps, one per step.
    public private(set) var steps: [MetricsLine.StepLine] = []
    /// Milestone and final events (grids with their quality), oldest first.
    public private(set) var milestones: [MetricsLine.EventLine] = []
    /// The newest `checkpoint` event.
    public private(set) var lastCheckpoint: MetricsLine.EventLine?
    /// The newest `start` or `resume` event: who writes the folder (ddpm or pytorch, world size, device).
    public private(set) var writer: MetricsLine.EventLine?
    /// How many times the run was resumed (restarts after a kill or a stop).
    public private(set) var resumes = 0
    /// Step lines dropped because a resume went back before them.
    public private(set) var droppedSteps = 0
    /// The `diverged` message, if the writer stopped on a non-finite loss (cleared by a resume).
    public private(set) var diverged: String?
    /// True after a `final` event (cleared by a resume).
    public private(set) var finished = false
    /// The newest wall time any line carried.
    public private(set) var lastWallTime: Double?

    public init() {}

    /// The newest step logged (0 before any).
    public var step: Int { steps.last?.step ?? 0 }

    public mutating func apply(_ line: MetricsLine) {
        switch line {
        case .step(let s):
            if let w = s.wallTime { lastWallTime = max(lastWallTime ?? w, w) }
            // A step at or below the newest one without a resume line (an old writer's restart):
            // the newer line replaces the older ones from that step on.
            if let last = steps.last, s.step <= last.step { cut(above: s.step - 1) }
            steps.append(s)
        case .event(let e):
            if let w = e.wallTime { lastWallTime = max(lastWallTime ?? w, w) }
            switch e.event {
            case "start":
                if !steps.isEmpty || !milestones.isEmpty || lastCheckpoint != nil { self = RunLog() }
                writer = e
            case "resume":
                resumes += 1
                writer = e
                cut(above: e.step)
                diverged = nil
                finished = false
            case "checkpoint": lastCheckpoint = e
            case "milestone": milestones.append(e)
            case "final":
                if e.samples != nil { milestones.append(e) }
                finished = true
            case "diverged": diverged = e.note ?? "the loss diverged"
            default: break
            }
        }
    }

    public mutating func apply(_ lines: [MetricsLine]) { for l in lines { apply(l) } }

    /// Drops what was logged for steps above `k` (their weights no longer exist).
    mutating func cut(above k: Int) {
        let before = steps.count
        steps.removeAll { $0.step > k }
        droppedSteps += before - steps.count
        milestones.removeAll { $0.step > k }
        if let c = lastCheckpoint, c.step > k { lastCheckpoint = nil }
    }
}

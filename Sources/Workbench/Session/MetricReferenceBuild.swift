import DiffusionEngine
import Foundation

/// The training set's side of the milestone metrics (`MilestoneReference`), built once per run on
/// a thread of its own as training starts, so that no milestone pays for it: the first one only
/// waits for what is left of it (nothing, unless milestones come within seconds of the start).
///
/// The thread runs at the training thread's priority (it inherits its nice value) and does not use
/// the compute pool: training shares the cores with it for the seconds it takes; a milestone that
/// has to wait blocks the training thread, and the build then has them.
final class MetricReferenceBuild: @unchecked Sendable {
    private let condition = NSCondition()
    private var result: Result<MilestoneReference, Error>?
    private var started = false
    private let dataset: TrainingSet
    /// Seconds the build took (nil until it is done).
    private(set) var seconds: Double?

    init(dataset: TrainingSet) { self.dataset = dataset }

    /// Starts the build on its own thread (once; later calls do nothing).
    func start() {
        condition.lock()
        defer { condition.unlock() }
        guard !started else { return }
        started = true
        let t = Thread { [self] in build() }
        t.name = "ddpm-metric-reference"
        t.stackSize = 8 << 20
        t.start()
    }

    /// The reference, waiting for the build (or building here when `start` was never called).
    func wait() throws -> MilestoneReference {
        condition.lock()
        if !started {
            started = true
            condition.unlock()
            build()
            condition.lock()
        }
        while result == nil { condition.wait() }
        defer { condition.unlock() }
        return try result!.get()
    }

    private func build() {
        let t0 = monotonicSeconds()
        let r = Result { try MilestoneReference(trainingSet: dataset) }
        condition.lock()
        result = r
        seconds = monotonicSeconds() - t0
        condition.broadcast()
        condition.unlock()
    }
}

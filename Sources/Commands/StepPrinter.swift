import DiffusionEngine
import Foundation

/// When a training loop's output shows each step (`train` and `train --ab` share it): on a
/// terminal the progress line is redrawn at most every 0.1 s (and before a milestone, whose
/// wait it names, and at the last step); otherwise a plain line every `every` steps and the
/// first. It also times the steps (an interval that held a milestone is not a step's time) and
/// says once that a stop was heard.
struct StepPrinter {
    let console: Console
    let totalSteps: Int
    let saveEvery: Int
    let every: Int
    private var lastDraw = 0.0
    private var last = monotonicSeconds()
    private var previousWasMilestone = false
    private var firstStep = true
    private var stopAnnounced = false

    init(console: Console, totalSteps: Int, saveEvery: Int, every: Int) {
        (self.console, self.totalSteps, self.saveEvery, self.every) = (console, totalSteps, saveEvery, every)
    }

    /// Seconds since the previous step ended, nil when that interval held a milestone.
    func interval() -> Double? { previousWasMilestone ? nil : monotonicSeconds() - last }

    /// Shows step `step`'s `line`; before a milestone, "step k/n: <milestoneWork>" instead on a
    /// terminal. `stopping` completes "stopping after step k: …" when a signal is pending.
    mutating func show(step: Int, line: String, milestoneWork: String, stopping: String) {
        let now = monotonicSeconds()
        let milestoneNext = step % saveEvery == 0 && step < totalSteps
        if console.isTerminal {
            if now - lastDraw >= 0.1 || milestoneNext || step == totalSteps {
                console.progress(milestoneNext ? "step \(step)/\(totalSteps): \(milestoneWork)" : line)
                lastDraw = now
            }
        } else if step % every == 0 || step == totalSteps || firstStep {
            console.line(line)
        }
        firstStep = false
        if StopSignal.pending != nil && !stopAnnounced {
            stopAnnounced = true
            console.line("stopping after step \(step): \(stopping) (press Ctrl-C again to quit without saving)")
        }
        previousWasMilestone = milestoneNext
        last = monotonicSeconds()
    }
}

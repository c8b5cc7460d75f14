import DiffusionEngine
import Foundation

/// What `ddpm train` prints while it runs: the progress line, milestone lines, durations.
///
/// Keeps the running numbers the session does not: a smoothed loss (mean of the last
/// `window` steps) and the pure training time (intervals that contained a milestone's
/// checkpoint and sampling are left out, so seconds per step means the step).
public struct TrainProgress: Sendable {
    public let totalSteps: Int
    public let window: Int
    private var recent: [Float] = []
    /// Steps timed in this process and their total seconds.
    public private(set) var timedSteps = 0
    public private(set) var trainingSeconds = 0.0

    public init(totalSteps: Int, window: Int = 50) {
        self.totalSteps = totalSteps
        self.window = max(1, window)
    }

    /// Records one step's loss and the seconds since the previous step (nil: not a clean interval).
    public mutating func record(loss: Float, seconds: Double?) {
        if loss.isFinite {
            recent.append(loss)
            if recent.count > window { recent.removeFirst(recent.count - window) }
        }
        if let seconds {
            timedSteps += 1
            trainingSeconds += seconds
        }
    }

    /// Mean of the last `window` finite losses (NaN before the first).
    public var smoothedLoss: Float {
        recent.isEmpty ? .nan : recent.reduce(0, +) / Float(recent.count)
    }

    /// Mean seconds per step so far (nil before one was timed).
    public var secondsPerStep: Double? { timedSteps > 0 ? trainingSeconds / Double(timedSteps) : nil }

    /// "0.361 s/step, 44.3 img/s (3m36s of training over 598 steps, milestones excluded)", nil
    /// before a step was timed; `runs` > 1 (an A/B pair): "…, 2 x 22.2 img/s (…)".
    public func timing(imagesPerStep: Int, runs: Int = 1) -> String? {
        secondsPerStep.map { sps in
            String(format: "%.3f s/step, %@%.1f img/s (%@ of training over %d steps, milestones excluded)",
                   sps, runs > 1 ? "\(runs) x " : "", Double(imagesPerStep) / sps, Self.duration(trainingSeconds), timedSteps)
        }
    }

    /// "step 120/600  A 0.0834 (avg 0.0912)  B 0.8012 (avg 0.8000)  2 x 20.6 img/s  ETA 2m13s":
    /// an A/B pair's progress, each run's loss smoothed by its own `TrainProgress`.
    public static func pairLine(step: Int, a: TrainProgress, lossA: Float, b: TrainProgress, lossB: Float,
                                imagesPerSecond: Double, eta: Double?) -> String {
        var s = "step \(step)/\(a.totalSteps)  A \(number(lossA)) (avg \(number(a.smoothedLoss)))  B \(number(lossB)) (avg \(number(b.smoothedLoss)))"
        if imagesPerSecond > 0 { s += String(format: "  2 x %.1f img/s", imagesPerSecond) }
        if let eta, step < a.totalSteps { s += "  ETA " + duration(eta) }
        return s
    }

    /// "step 120/10000  loss 0.0834 (avg 0.0912)  41.2 img/s  ETA 2h13m"
    public func line(step: Int, loss: Float, imagesPerSecond: Double, eta: Double?) -> String {
        var s = "step \(step)/\(totalSteps)  loss \(Self.number(loss)) (avg \(Self.number(smoothedLoss)))"
        if imagesPerSecond > 0 { s += String(format: "  %.1f img/s", imagesPerSecond) }
        if let eta, step < totalSteps { s += "  ETA " + Self.duration(eta) }
        return s
    }

    /// "step 1000: checkpoint …, samples …, nn-RMSE 0.123, SWD 4.56 (2.5 s: grid 2.4 s, metrics 0.05 s)"
    public static func milestoneLine(step: Int, final: Bool, checkpoint: String?, samples: String?, nnRMSE: Float?, swd: Float?,
                                     seconds: (grid: Double, metrics: Double)? = nil) -> String {
        var parts: [String] = []
        parts.append(checkpoint.map { "checkpoint \($0)" } ?? "checkpoint NOT written")
        parts.append(samples.map { "samples \($0)" } ?? "samples NOT written")
        if let nnRMSE { parts.append("nn-RMSE \(FixComparison.format(nnRMSE, digits: 3))") }
        if let swd { parts.append("SWD \(FixComparison.format(swd, digits: 3))") }
        let timing = seconds.map {
            String(format: " (%.1f s: grid %.1f s, metrics %.2f s)", $0.grid + $0.metrics, $0.grid, $0.metrics)
        } ?? ""
        return "step \(step)\(final ? " (final)" : ""): " + parts.joined(separator: ", ") + timing
    }

    /// A loss with 4 decimals, or "nan".
    static func number(_ x: Float) -> String {
        x.isFinite ? String(format: "%.4f", x) : "nan"
    }

    /// "42s", "3m05s", "2h13m".
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60)
    }
}

import Foundation

/// How the learning rate moves over a run: a linear warm-up from 0 over `warmupSteps`, then
/// constant or a cosine decay to `floor` x the base rate at the run's last step.
///
/// Step k (1-based, the step being taken) of `steps`:
///
///     warm(k)   = min(1, k / warmupSteps)                      (1 without warm-up)
///     decay(k)  = 1                                            (constant)
///               = floor + (1 - floor) (1 + cos(pi p)) / 2,     p = (k - w) / (steps - w), clamped to [0, 1]
///     lr(k)     = Float(Double(base) warm(k) decay(k))         (all in Double, rounded once)
///
/// The decay starts after the warm-up (w = min(warmupSteps, steps - 1)). Raising `--steps` on resume
/// stretches the decay over the new total from the step reached (the rate jumps back up to where
/// the longer schedule is at that step).
public enum LearningRateDecay: String, CaseIterable, Codable, Sendable, CustomStringConvertible {
    case constant
    case cosine

    public var description: String { rawValue }

    /// The fraction of the base rate a cosine decay ends at.
    public static let floor = 0.1

    /// The learning rate of step `k` (1-based) of a run of `steps` with `warmupSteps` of warm-up.
    public func rate(base: Float, step k: Int, steps: Int, warmupSteps: Int) -> Float {
        let warm = warmupSteps > 0 ? min(1, Double(k) / Double(warmupSteps)) : 1
        var decay = 1.0
        if self == .cosine {
            let w = min(warmupSteps, steps - 1)
            let p = min(1, max(0, Double(k - w) / Double(max(1, steps - w))))
            decay = Self.floor + (1 - Self.floor) * (1 + cos(Double.pi * p)) / 2
        }
        return Float(Double(base) * warm * decay)
    }
}

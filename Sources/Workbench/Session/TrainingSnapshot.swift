import DiffusionEngine
import Foundation

/// An immutable picture of a training run that the trainer publishes and the screens draw.
public struct TrainingSnapshot: Sendable {
    public var step: Int
    public var totalSteps: Int
    /// Loss per step, the whole run.
    public var losses: [Float]
    /// Running loss per timestep bucket (NaN where no sample fell yet).
    public var bucketLoss: [Float]
    /// The whole run's loss and per-bucket loss, downsampled to a bounded size (what the Train
    /// screen charts): `record(step:loss:buckets:)` keeps it with `losses` and `bucketLoss`.
    public var history: StepHistory
    /// The quality of every milestone grid so far, oldest first (the newest is also in
    /// `nearestNeighbourRMSE` and `swd`).
    public var milestones: [MilestoneMetrics]
    public var learningRate: Float
    public var gradNorm: Float
    /// Images per second over the last few steps.
    public var imagesPerSecond: Double
    /// Seconds left at the current speed, nil before it is known.
    public var etaSeconds: Double?
    /// Latest milestone samples (N,3,H,W) in [-1,1], and the step they were made at.
    public var samples: Tensor?
    public var samplesStep: Int?
    /// Latest quality metrics.
    public var nearestNeighbourRMSE: Float?
    public var swd: Float?
    /// How long the latest milestone took: its grid's sampling, then its metrics.
    public var milestoneTiming: MilestoneTiming?
    /// The newest checkpoint written.
    public var lastCheckpointStep: Int?
    public var lastCheckpointPath: String?
    public var paused: Bool
    public var finished: Bool
    /// A one-line status ("training", "saving…", "stopped: …").
    public var status: String
    /// The last save or sampling failure ("checkpoint failed: …"), kept until the next success.
    public var lastError: String?
    public var options: TrainingOptions
    public var dataDescription: String
    /// Each named loss term per step (a VAE's "reconstruction", "kl", "kl_weight", "rmse").
    public var terms: [String: [Float]] = [:]
    /// A VAE's latest milestone reconstructions (and KL per latent unit); nil for diffusion.
    public var reconstructions: Reconstructions? = nil

    public static func initial(options: TrainingOptions, data: String) -> TrainingSnapshot {
        TrainingSnapshot(
            step: 0, totalSteps: options.steps, losses: [], bucketLoss: [],
            history: StepHistory(bucketCount: Trainer.bucketCount), milestones: [], learningRate: options.learningRate,
            gradNorm: 0, imagesPerSecond: 0, etaSeconds: nil, samples: nil, samplesStep: nil,
            nearestNeighbourRMSE: nil, swd: nil, milestoneTiming: nil, lastCheckpointStep: nil, lastCheckpointPath: nil,
            paused: false, finished: false, status: "starting", lastError: nil, options: options, dataDescription: data)
    }
}

/// What one milestone grid measured.
public struct MilestoneMetrics: Sendable, Equatable {
    public var step: Int
    public var nearestNeighbourRMSE: Float?
    public var swd: Float?

    public init(step: Int, nearestNeighbourRMSE: Float?, swd: Float?) {
        self.step = step
        self.nearestNeighbourRMSE = nearestNeighbourRMSE
        self.swd = swd
    }
}

extension TrainingSnapshot {
    /// One optimizer step: its loss and the running loss per bucket after it.
    public mutating func record(step: Int, loss: Float, buckets: [Float]) {
        self.step = step
        losses.append(loss)
        bucketLoss = buckets
        history.append(step: step, loss: loss, buckets: buckets)
    }

    /// One milestone grid's quality: the newest values, and a row of the history (replacing one
    /// of the same step: a grid asked for with `s`, then the final one).
    public mutating func record(_ m: MilestoneMetrics) {
        nearestNeighbourRMSE = m.nearestNeighbourRMSE
        swd = m.swd
        milestones.removeAll { $0.step == m.step }
        milestones.append(m)
    }
}

/// Seconds a milestone spent sampling its grid (and writing it) and measuring it.
public struct MilestoneTiming: Equatable, Sendable {
    public var sampling: Double
    public var metrics: Double
}

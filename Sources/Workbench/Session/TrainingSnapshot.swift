import DiffusionEngine
import Foundation

/// An immutable picture of a training run that the trainer publishes and the screens draw.
public struct TrainingSnapshot: Sendable {
    public var step: Int
    public var totalSteps: Int
    /// Loss per step, the whole run (the UI shows the tail).
    public var losses: [Float]
    /// Running loss per timestep bucket (NaN where no sample fell yet).
    public var bucketLoss: [Float]
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

    public static func initial(options: TrainingOptions, data: String) -> TrainingSnapshot {
        TrainingSnapshot(
            step: 0, totalSteps: options.steps, losses: [], bucketLoss: [], learningRate: options.learningRate,
            gradNorm: 0, imagesPerSecond: 0, etaSeconds: nil, samples: nil, samplesStep: nil,
            nearestNeighbourRMSE: nil, swd: nil, milestoneTiming: nil, lastCheckpointStep: nil, lastCheckpointPath: nil,
            paused: false, finished: false, status: "starting", lastError: nil, options: options, dataDescription: data)
    }
}

/// Seconds a milestone spent sampling its grid (and writing it) and measuring it.
public struct MilestoneTiming: Equatable, Sendable {
    public var sampling: Double
    public var metrics: Double
}

import DiffusionEngine
import Foundation
import TerminalUI

/// What does not change while the workbench runs: the run's options, where things are, the
/// schedules to plot and a few training images for the forward strip.
public struct RunInfo: Sendable {
    public var options: TrainingOptions
    /// No training in this process: a checkpoint opened for viewing, or a run folder watched.
    public var viewOnly: Bool
    /// The run folder another process writes (`ddpm watch`); nil otherwise. Implies `viewOnly`.
    public var watchedFolder: String?
    /// The checkpoint opened or resumed (nil for a fresh run).
    public var checkpointPath: String?
    /// The run folder (where checkpoints go), nil when viewing.
    public var outPath: String?
    public var dataDescription: String
    /// The model's schedule and every other kind with the same T, for overlays.
    public var schedules: [ScheduleKind: NoiseSchedule]
    /// Centre crops of a few training images, (N,C,H,W) in [-1,1]; nil when there is no data.
    public var images: Tensor?
    /// The second model beside this one (an A/B pair's B, or `--checkpoint-b`), for Compare's
    /// `m`: its trained switches and its differences from A; nil for one model.
    public var secondModel: AppState.SecondModel?

    public init(options: TrainingOptions, viewOnly: Bool, checkpointPath: String?, outPath: String?,
                dataDescription: String, images: Tensor?, watchedFolder: String? = nil) {
        self.options = options
        self.viewOnly = viewOnly || watchedFolder != nil
        self.watchedFolder = watchedFolder
        self.checkpointPath = checkpointPath
        self.outPath = outPath
        self.dataDescription = dataDescription
        self.images = images
        var s: [ScheduleKind: NoiseSchedule] = [:]
        for k in ScheduleKind.allCases { s[k] = try? NoiseSchedule(k, timesteps: options.timesteps) }
        schedules = s
    }

    /// The schedule the model uses.
    public var schedule: NoiseSchedule? { schedules[options.schedule] }
}

/// Everything one frame draws, read once per frame (the screens are pure functions of it).
public struct FrameInput: Sendable {
    public var state: AppState
    public var snapshot: TrainingSnapshot
    public var info: RunInfo
    public var denoise: DenoiseHistory?
    public var compare: CompareHistory?
    /// The VAE screen's model view and VAE vs diffusion comparison (nil: not computed).
    public var vae: VAEWorker.Frame?
    public var versus: VersusComparison?
    /// The step of the newest weights copy the session published (for "newer weights: w").
    public var newestWeightsStep: Int
    public var theme: Theme
    /// Other runs drawn over this one on the Train screen (a `--baseline` folder, the B run).
    public var overlays: [RunOverlay]

    public init(state: AppState, snapshot: TrainingSnapshot, info: RunInfo, denoise: DenoiseHistory? = nil,
                compare: CompareHistory? = nil, newestWeightsStep: Int = 0, theme: Theme = .default,
                overlays: [RunOverlay] = [], vae: VAEWorker.Frame? = nil, versus: VersusComparison? = nil) {
        self.vae = vae
        self.versus = versus
        self.state = state
        self.snapshot = snapshot
        self.info = info
        self.denoise = denoise
        self.compare = compare
        self.newestWeightsStep = newestWeightsStep
        self.theme = theme
        self.overlays = overlays
    }
}

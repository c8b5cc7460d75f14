import DiffusionEngine

/// What `ddpm` (no subcommand) was asked to open.
public struct AppLaunch: Sendable {
    /// Training options (preset, batch, steps, fixes, ...), already validated by the CLI.
    public var options: TrainingOptions
    /// Where the images come from.
    public var data: DataSource
    /// Run folder for checkpoints, grids and metrics.
    public var out: String
    /// A checkpoint to resume training from, or (with `view`) to open for viewing only; loaded
    /// once, by whoever read its options for `options`.
    public var checkpoint: Checkpoint.Loaded?
    /// Open the checkpoint for viewing (Denoise, Compare, Schedule) without training.
    public var viewOnly: Bool
    /// Theme name (built-in) or path to a .theme file; nil = default.
    public var theme: String?
    /// A run folder another process writes, to watch instead of training (`ddpm watch DIR`).
    public var watch: String?
    /// Other runs drawn over this one on the Train screen (`--baseline DIR`, read once).
    public var overlays: [RunOverlay]
    /// A checkpoint of the other model family to show beside `checkpoint` on the VAE screen's
    /// "VAE vs diffusion" view (`ddpm --checkpoint VAE --versus DIFFUSION`), loaded once.
    public var versus: Checkpoint.Loaded?
    /// A second diffusion checkpoint beside `checkpoint` (`--checkpoint-b`), for Compare's
    /// "A's model vs B's model"; with `resumesPair`, the B of the pair `checkpoint` is A of.
    public var checkpointB: Checkpoint.Loaded?
    /// `checkpoint` and `checkpointB` are an A/B pair's A and B (`ddpm --checkpoint <pair
    /// folder>`): training continues both in lockstep in `out` (`ABTrainingSession`).
    public var resumesPair = false
    /// B's options for a lockstep A/B pair (`ddpm --ab SPEC`): `options` trains in `<out>/A`,
    /// these in `<out>/B` (`ABTrainingSession`); nil for one run.
    public var abOptions: TrainingOptions?

    public init(options: TrainingOptions, data: DataSource, out: String, checkpoint: Checkpoint.Loaded?, viewOnly: Bool, theme: String?,
                watch: String? = nil, overlays: [RunOverlay] = [], versus: Checkpoint.Loaded? = nil) {
        self.watch = watch
        self.overlays = overlays
        self.versus = versus
        self.options = options
        self.data = data
        self.out = out
        self.checkpoint = checkpoint
        self.viewOnly = viewOnly
        self.theme = theme
    }
}

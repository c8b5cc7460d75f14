import DiffusionEngine

/// A checkpoint opened for sampling: the denoiser with its EMA (or raw) weights and the
/// diffusion (schedule, objective, fix switches) it was trained with.
///
/// What `sample`, `visualize`, `compare` and `render` share. Loading validates the file
/// (`Checkpoint.load`), so a broken checkpoint is one `EngineError` line.
public struct CheckpointModel {
    public let path: String
    public let options: TrainingOptions
    /// The optimizer steps the checkpoint was saved at.
    public let step: Int
    public let model: UNet
    /// The checkpoint's schedule and objective; `fixes` as trained unless overridden.
    public let diffusion: GaussianDiffusion
    /// True when the EMA weights are loaded (the default), false for the raw weights.
    public let ema: Bool

    /// - Parameters:
    ///   - path: a checkpoint written by `ddpm train` or the workbench.
    ///   - ema: load the EMA weights (what the course samples with) rather than the raw ones.
    ///   - fixes: a `--fixes` string applied on top of the checkpoint's own fix set.
    public init(path: String, ema: Bool = true, fixes: String? = nil) throws {
        try self.init(loaded: Checkpoint.load(path: path), ema: ema, fixes: fixes)
    }

    /// The same from a checkpoint already loaded.
    /// - Throws: `FlagError` when it is a VAE's (it has no denoiser), naming what a VAE offers.
    public init(loaded c: Checkpoint.Loaded, ema: Bool = true, fixes: String? = nil) throws {
        guard c.options.family == .diffusion else {
            throw FlagError("checkpoint \(c.path) is a VAE, not a diffusion model: use ddpm sample, reconstruct or interpolate with it")
        }
        let path = c.path
        self.path = path
        self.options = c.options
        self.step = c.step
        self.ema = ema
        let m = try UNet(config: c.options.model, seed: 0)
        m.store.values = ema ? c.emaValues : c.values
        self.model = m
        var d = try c.options.makeDiffusion()
        d.fixes = try fixes.map { try FlagValues.fixes($0, base: c.options.fixes) } ?? c.options.fixes
        self.diffusion = d
    }

    /// T of the checkpoint's schedule.
    public var timesteps: Int { diffusion.timesteps }

    /// (count, C, S, S) for this model.
    public func shape(count: Int) -> [Int] {
        [count, options.model.channels, options.model.imageSize, options.model.imageSize]
    }

    /// One line describing what was loaded, e.g. "step 2000, preset tiny, linear T=1000, EMA weights".
    public var summary: String {
        "step \(step), preset \(options.preset), \(options.schedule.rawValue) T=\(timesteps), objective \(options.objective.rawValue), \(ema ? "EMA" : "raw") weights"
    }
}

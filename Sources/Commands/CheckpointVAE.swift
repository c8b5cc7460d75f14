import DiffusionEngine

/// A VAE checkpoint opened for `sample`, `reconstruct` and `interpolate`: the network with its
/// EMA (or raw) weights. Loading validates the file, so a broken checkpoint is one error line, and
/// a diffusion checkpoint says what it is.
public struct CheckpointVAE {
    public let path: String
    public let options: TrainingOptions
    public let step: Int
    public let vae: VAE
    public let ema: Bool

    /// - Parameter command: the command asking, for the error a diffusion checkpoint gets.
    /// - Throws: `FlagError` for a diffusion checkpoint; `EngineError` for a damaged file.
    public init(path: String, ema: Bool = true, command: String) throws {
        try self.init(loaded: Checkpoint.load(path: path), ema: ema, command: command)
    }

    public init(loaded c: Checkpoint.Loaded, ema: Bool = true, command: String) throws {
        guard c.options.family == .vae else {
            throw FlagError("checkpoint \(c.path) is a diffusion model, not a VAE: \(command) needs a checkpoint of ddpm train --model vae")
        }
        path = c.path
        options = c.options
        step = c.step
        self.ema = ema
        vae = try VAE(config: c.options.vae, seed: 0)
        vae.store.values = ema ? c.emaValues : c.values
    }

    /// "step 2000, VAE 32px latent 4x8x8, β 0.5, EMA weights".
    public var summary: String {
        let v = options.vae
        return "step \(step), VAE \(v.imageSize)px latent \(v.latentDescription), β \(v.beta), \(ema ? "EMA" : "raw") weights"
    }
}

import DiffusionEngine
import Foundation
import ImageIO

/// A copy of a model's weights with what is needed to run it: the UNet config and diffusion of a
/// diffusion run, or the VAE config of a VAE run.
public struct ModelWeights: Sendable {
    public var step: Int
    public var config: UNetConfig
    /// The run's diffusion (for a VAE run, the options' defaults, used by nothing).
    public var diffusion: GaussianDiffusion
    /// The VAE these weights belong to; nil for a UNet denoiser.
    public var vae: VAEConfig?
    public var values: [Float]
    public var emaValues: [Float]

    public init(step: Int, config: UNetConfig, diffusion: GaussianDiffusion, values: [Float], emaValues: [Float], vae: VAEConfig? = nil) {
        self.step = step
        self.config = config
        self.diffusion = diffusion
        self.vae = vae
        self.values = values
        self.emaValues = emaValues
    }

    init(trainer: Trainer) {
        // The trainer validated its options, so their schedule can be built.
        self.init(
            step: trainer.step, config: trainer.options.model, diffusion: trainer.diffusion ?? (try! trainer.options.makeDiffusion()),
            values: trainer.model.store.values, emaValues: trainer.ema.values,
            vae: trainer.options.family == .vae ? trainer.options.vae : nil)
    }

    /// From a checkpoint file (viewing without training).
    public init(checkpoint c: Checkpoint.Loaded) throws {
        let o = c.options
        self.init(step: c.step, config: o.model, diffusion: try o.makeDiffusion(), values: c.values, emaValues: c.emaValues,
                  vae: o.family == .vae ? o.vae : nil)
    }

    /// A fresh UNet holding these weights (EMA or raw).
    /// - Throws: `EngineError` when the weights are a VAE's.
    public func makeModel(ema: Bool) throws -> UNet {
        guard vae == nil else { throw EngineError("these weights are a VAE's: there is no denoiser to run") }
        let m = try UNet(config: config, seed: 0)
        m.store.values = ema ? emaValues : values
        return m
    }

    /// A fresh VAE holding these weights (EMA or raw).
    /// - Throws: `EngineError` when the weights are a UNet's.
    public func makeVAE(ema: Bool) throws -> VAE {
        guard let vae else { throw EngineError("these weights are a diffusion model's, not a VAE's") }
        let m = try VAE(config: vae, seed: 0)
        m.store.values = ema ? emaValues : values
        return m
    }
}

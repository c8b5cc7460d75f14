import DiffusionEngine
import Foundation
import ImageIO

/// A copy of a model's weights with what is needed to run it: config and diffusion.
public struct ModelWeights: Sendable {
    public var step: Int
    public var config: UNetConfig
    public var diffusion: GaussianDiffusion
    public var values: [Float]
    public var emaValues: [Float]

    public init(step: Int, config: UNetConfig, diffusion: GaussianDiffusion, values: [Float], emaValues: [Float]) {
        self.step = step
        self.config = config
        self.diffusion = diffusion
        self.values = values
        self.emaValues = emaValues
    }

    init(trainer: Trainer) {
        self.init(
            step: trainer.step, config: trainer.options.model, diffusion: trainer.diffusion,
            values: trainer.model.store.values, emaValues: trainer.ema.values)
    }

    /// From a checkpoint file (viewing without training).
    public init(checkpoint c: Checkpoint.Loaded) throws {
        let o = c.options
        let schedule = try NoiseSchedule(o.schedule, timesteps: o.timesteps)
        self.init(
            step: c.step, config: o.model, diffusion: GaussianDiffusion(schedule: schedule, objective: o.objective, fixes: o.fixes),
            values: c.values, emaValues: c.emaValues)
    }

    /// A fresh UNet holding these weights (EMA or raw).
    public func makeModel(ema: Bool) throws -> UNet {
        let m = try UNet(config: config, seed: 0)
        m.store.values = ema ? emaValues : values
        return m
    }
}

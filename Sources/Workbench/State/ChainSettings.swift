import DiffusionEngine
import TerminalUI

/// DDPM ancestral or DDIM, as the viewer's `d` key toggles them.
public enum SamplerChoice: String, Hashable, Sendable {
    case ddpm, ddim

    public func sampler(ddimSteps: Int) -> Sampler { self == .ddpm ? .ddpm : .ddim(steps: ddimSteps, eta: 0) }
    public var toggled: SamplerChoice { self == .ddpm ? .ddim : .ddpm }
}

/// What identifies one reverse chain: change any field and the chain starts over.
public struct ChainSettings: Hashable, Sendable {
    public var seed: UInt64
    public var ema = true
    public var sampler = SamplerChoice.ddpm
    /// Bumped by `w`: restart on the newest weights with everything else equal.
    public var weightsGeneration = 0

    public init(seed: UInt64, ema: Bool = true, sampler: SamplerChoice = .ddpm, weightsGeneration: Int = 0) {
        self.seed = seed
        self.ema = ema
        self.sampler = sampler
        self.weightsGeneration = weightsGeneration
    }
}

import ArgumentParser
import DiffusionEngine

/// How a reverse chain is run (sample, compare, render).
public struct SamplingFlags: ParsableArguments {
    @Option(help: ArgumentHelp(
        "ddpm (ancestral, all T steps) or ddim (default: ddpm, or ddim when --steps or --eta is given).", valueName: "name"))
    public var sampler: String?

    @Option(help: ArgumentHelp("DDIM steps, 1...T (default with ddim: 100, or T when T < 100).", valueName: "k"))
    public var steps: Int?

    @Option(help: ArgumentHelp("DDIM stochasticity: 0 is deterministic, 1 matches DDPM's variance (default: 0).", valueName: "e"))
    public var eta: Float?

    @Option(help: ArgumentHelp("Seed of x_T and of every step's noise.", valueName: "n"))
    public var seed: UInt64 = 0

    @Flag(help: "Use the raw weights instead of the EMA weights (EMA is what the course samples with).")
    public var raw = false

    public init() {}

    /// What can be checked before the checkpoint's T is known; `sampler(timesteps:)` checks the rest.
    public func validate() throws {
        _ = try FlagValues.sampler(sampler, steps: steps, eta: eta, timesteps: nil)
    }

    /// The sampler for a checkpoint of T steps.
    public func sampler(timesteps T: Int) throws -> Sampler {
        try FlagValues.sampler(sampler, steps: steps, eta: eta, timesteps: T)
    }
}

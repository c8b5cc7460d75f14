import ArgumentParser

/// How a reverse chain is run (sample, compare, render).
struct SamplingFlags: ParsableArguments {
    @Option(help: ArgumentHelp(
        "ddpm (ancestral, all T steps) or ddim (default: ddpm, or ddim when --steps or --eta is given).", valueName: "name"))
    var sampler: String?

    @Option(help: ArgumentHelp("DDIM steps, 1...T (default with ddim: 100, or T when T < 100).", valueName: "k"))
    var steps: Int?

    @Option(help: ArgumentHelp("DDIM stochasticity: 0 is deterministic, 1 matches DDPM's variance (default: 0).", valueName: "e"))
    var eta: Float?

    @Option(help: ArgumentHelp("Seed of x_T and of every step's noise.", valueName: "n"))
    var seed: UInt64 = 0

    @Flag(help: "Use the raw weights instead of the EMA weights (EMA is what the course samples with).")
    var raw = false
}

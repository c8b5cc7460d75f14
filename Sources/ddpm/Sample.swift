import ArgumentParser
import Commands

extension DDPM {
    /// `ddpm sample`: checkpoint -> grid PNG.
    struct Sample: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate images from a checkpoint into a grid PNG.",
            discussion: "Prints the PNG's path and the sampling time. Same --seed, same images.")

        @Option(help: ArgumentHelp("A checkpoint written by ddpm train or the workbench.", valueName: "file"))
        var checkpoint: String

        @Option(help: ArgumentHelp(
            "Output PNG (default: <checkpoint folder>/samples/sample-<sampler>-seed<seed>.png).", valueName: "png"))
        var out: String?

        @Option(help: ArgumentHelp("Number of images.", valueName: "n"))
        var count: Int = 16

        @Option(help: ArgumentHelp("Images per grid row (default: the square root of --count, rounded up).", valueName: "n"))
        var nrow: Int?

        @OptionGroup(title: "Sampling") var sampling: SamplingFlags

        @Option(help: ArgumentHelp(
            "Fix switches over the checkpoint's own set, e.g. t0=xrecon or course (default: as trained).", valueName: "fixset"))
        var fixes: String?

        func run() throws {
            var c = SampleCommand(checkpoint: checkpoint)
            c.out = out
            c.count = count
            c.nrow = nrow
            c.sampler = sampling.sampler
            c.steps = sampling.steps
            c.eta = sampling.eta
            c.seed = sampling.seed
            c.raw = sampling.raw
            c.fixes = fixes
            try c.run(console: .standard())
        }
    }
}

import ArgumentParser
import Commands

extension DDPM {
    /// `ddpm compare`: A/B of two fix sets on the same seed and noise.
    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run two reverse chains with two fix sets from one seed and noise and show where they differ.",
            discussion: """
                Prints t, max |Δ| and RMS Δ of each step's output (every --every steps, plus the first \
                step that differs and the last), then a verdict such as 'identical within float \
                rounding (max |Δ| 0)'. When A and B differ in the forward switch (fwd=), q_sample is \
                compared too, on training images. Exit code 0 whatever the verdict.
                  ddpm compare --checkpoint ckpt.safetensors --b t0=xrecon
                  ddpm compare --checkpoint ckpt.safetensors --a course --b fixed --csv
                Fix sets: \(CommandHelp.fixesSyntax).
                """)

        @Option(help: ArgumentHelp("A checkpoint written by ddpm train or the workbench.", valueName: "file"))
        var checkpoint: String

        @Option(help: ArgumentHelp("Fix set A, over the checkpoint's own set (default: the checkpoint's set).", valueName: "fixset"))
        var a: String?

        @Option(help: ArgumentHelp("Fix set B, over A (e.g. t0=xrecon changes only the final step).", valueName: "fixset"))
        var b: String

        @Option(help: ArgumentHelp("Images per chain.", valueName: "n"))
        var count: Int = 4

        @OptionGroup(title: "Sampling") var sampling: SamplingFlags

        @Option(help: ArgumentHelp("Show every k-th step (default: about 20 rows; every row with --csv).", valueName: "k"))
        var every: Int?

        @Flag(help: "Print CSV (process,t,max_abs_delta,rms_delta,threshold,differs) on stdout; the verdicts go to stderr.")
        var csv = false

        @OptionGroup var dataFlags: DataFlags

        func run() throws {
            var c = CompareCommand(checkpoint: checkpoint, b: b)
            c.a = a
            c.count = count
            c.sampler = sampling.sampler
            c.steps = sampling.steps
            c.eta = sampling.eta
            c.seed = sampling.seed
            c.raw = sampling.raw
            c.every = every
            c.csv = csv
            c.data = dataFlags.data
            c.className = dataFlags.className
            try c.run(console: .standard())
        }
    }
}

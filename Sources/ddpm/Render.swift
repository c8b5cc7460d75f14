import ArgumentParser
import Commands

extension DDPM {
    /// `ddpm render`: a denoising strip as ANSI art on stdout.
    struct Render: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a denoising strip (x_T ... x_0 of one generated image) as half-block ANSI art.",
            discussion: "No ncurses: plain escape codes on stdout, so it works in logs, pipes and CI output.")

        @Option(help: ArgumentHelp("A checkpoint written by ddpm train or the workbench.", valueName: "file"))
        var checkpoint: String

        @Option(help: ArgumentHelp("Snapshots in the strip, at least 2 (default: as many as fit, 3 to 6).", valueName: "n"))
        var frames: Int?

        @Option(help: ArgumentHelp("Width in columns (default: the terminal's, or $COLUMNS, or 80).", valueName: "w"))
        var width: Int?

        @Option(help: ArgumentHelp("Colours: truecolor, 256 or 16 (default: detected from COLORTERM and TERM).", valueName: "mode"))
        var color: String?

        @Flag(help: "ASCII density characters instead of half blocks.")
        var ascii = false

        @Flag(name: .customLong("x0"), help: "Add a second row with the model's prediction x̂_0 at each frame's step.")
        var prediction = false

        @OptionGroup(title: "Sampling") var sampling: SamplingFlags

        @Option(help: ArgumentHelp("Fix switches over the checkpoint's own set (default: as trained).", valueName: "fixset"))
        var fixes: String?

        func run() throws {
            if sampling.eta != nil { throw ValidationError("--eta: not used by render; drop it") }
            var c = RenderCommand(checkpoint: checkpoint)
            c.steps = sampling.steps
            c.sampler = sampling.sampler
            c.frames = frames
            c.width = width
            c.color = color
            c.seed = sampling.seed
            c.raw = sampling.raw
            c.fixes = fixes
            c.ascii = ascii
            c.showPrediction = prediction
            try c.run(console: .standard())
        }
    }
}

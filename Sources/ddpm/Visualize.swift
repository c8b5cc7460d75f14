import ArgumentParser
import Commands

extension DDPM {
    /// `ddpm visualize`: the course's Part 6 figure.
    struct Visualize: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Draw the forward and reverse processes side by side into one PNG.",
            discussion: """
                Row 1: a training image and q(x_t | x_0) at 0, 25, 50, 75 and 99% of T. Row 2: a \
                generated image and its reverse chain's x_t at the same t (DDPM, all T steps). The \
                columns' t values are printed.
                """)

        @Option(help: ArgumentHelp("A checkpoint written by ddpm train or the workbench.", valueName: "file"))
        var checkpoint: String

        @Option(help: ArgumentHelp(
            "Output PNG (default: <checkpoint folder>/samples/visualize-image<N>-seed<S>.png).", valueName: "png"))
        var out: String?

        @Option(help: ArgumentHelp("Index of the training image for the forward row (0-based).", valueName: "n"))
        var image: Int = 0

        @Option(help: ArgumentHelp("Seed of the forward noise and of the reverse chain.", valueName: "n"))
        var seed: UInt64 = 0

        @OptionGroup var dataFlags: DataFlags

        @Flag(help: "Use the raw weights instead of the EMA weights.")
        var raw = false

        @Option(help: ArgumentHelp("Fix switches over the checkpoint's own set (default: as trained).", valueName: "fixset"))
        var fixes: String?

        @Option(help: ArgumentHelp("Enlarge each image this many times (nearest neighbour).", valueName: "k"))
        var scale: Int = 4

        func run() throws {
            var c = VisualizeCommand(checkpoint: checkpoint)
            c.out = out
            c.image = image
            c.seed = seed
            c.data = dataFlags.data
            c.className = dataFlags.className
            c.raw = raw
            c.fixes = fixes
            c.scale = scale
            try c.run(console: .standard())
        }
    }
}

import ArgumentParser
import Commands

extension DDPM {
    /// `ddpm [open]`: the interactive workbench.
    struct Open: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Open the interactive workbench (the default when no subcommand is given).",
            discussion: """
                Trains while showing live loss, the noise schedule, a step-by-step denoising viewer and \
                A/B comparisons of the fix switches. Defaults are sized for 2 CPU cores: the training \
                flags below show 'workbench:' where they differ from 'ddpm train'.
                  ddpm                                      train on the built-in faces
                  ddpm --data ~/afhq/train --class cat      train on a folder's cats
                  ddpm --checkpoint run/ckpt.safetensors    resume training
                  ddpm --checkpoint run/ckpt.safetensors --view    view only
                """)

        @OptionGroup var dataFlags: DataFlags

        @Option(help: ArgumentHelp(
            "A checkpoint to resume training from (or, with --view, to open for viewing only); its options replace the training flags.",
            valueName: "file"))
        var checkpoint: String?

        @Flag(help: "Open --checkpoint for viewing (Denoise, Compare, Schedule screens) without training.")
        var view = false

        @Option(help: ArgumentHelp("Colour theme: default, light, high-contrast, or the path of a .theme file (default: default).", valueName: "name"))
        var theme: String?

        @Option(help: ArgumentHelp(
            "Run folder for checkpoints, sample grids and metrics.jsonl (default: the checkpoint's folder, else \(CommandHelp.runFolderPattern)).",
            valueName: "dir"))
        var out: String?

        @OptionGroup(title: "Training options") var training: TrainingFlags

        func run() throws {
            var c = OpenCommand()
            c.data = dataFlags.data
            c.className = dataFlags.className
            c.checkpoint = checkpoint
            c.view = view
            c.theme = theme
            c.out = out
            c.overrides = training.overrides
            try finish(try c.run(console: .standard()))
        }
    }
}

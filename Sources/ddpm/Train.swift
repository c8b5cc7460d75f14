import ArgumentParser
import Commands

extension DDPM {
    /// `ddpm train`: headless training.
    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train a model headless, with checkpoints and sample grids at milestones.",
            discussion: """
                Defaults follow the course (32x32, batch 32, lr 1e-3, 10000 steps, accumulate 2, \
                save every 1000) with the tiny preset. On a terminal one progress line shows step, \
                loss (and its mean over 50 steps), images/s and ETA; otherwise a plain line is printed \
                every --log-every steps. Each milestone prints its checkpoint, sample grid, nn-RMSE \
                (distance of the samples to their nearest training image) and SWD (sliced Wasserstein \
                distance to the training set).

                Run folder (--out): checkpoint.safetensors (the newest, replaced atomically), \
                samples/step-NNNNNN.png and samples/step-final.png, metrics.jsonl.

                Ctrl-C (SIGINT) or SIGTERM finishes the current step, saves the checkpoint and a \
                final grid, and prints the command to resume: \(CommandHelp.resumeHint). A second \
                Ctrl-C quits at once. Exit codes: 0 finished, 130 SIGINT, 143 SIGTERM, 1 error or \
                diverged loss (NaN; the last milestone checkpoint is kept).
                """)

        @OptionGroup var dataFlags: DataFlags

        @OptionGroup(title: "Training options") var training: TrainingFlags

        @Option(help: ArgumentHelp(
            "Continue from this checkpoint: its options are kept (only --steps may raise the total); pass the same --data.",
            valueName: "checkpoint"))
        var resume: String?

        @Option(help: ArgumentHelp(
            "Run folder (default: \(CommandHelp.runFolderPattern) in the current directory; with --resume, the checkpoint's folder).",
            valueName: "dir"))
        var out: String?

        @Option(name: .customLong("log-every"), help: ArgumentHelp(
            "When stdout is not a terminal, print a progress line every n steps (default: 50).", valueName: "n"))
        var logEvery: Int?

        func run() throws {
            var c = TrainCommand()
            c.data = dataFlags.data
            c.className = dataFlags.className
            c.overrides = training.overrides
            c.resume = resume
            c.out = out
            c.logEvery = logEvery
            try finish(try c.run(console: .standard()))
        }
    }
}

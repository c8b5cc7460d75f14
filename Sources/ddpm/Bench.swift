import ArgumentParser
import Commands

extension DDPM {
    /// `ddpm bench`: training and sampling speed on this machine.
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time training and sampling steps of a model preset on this machine.",
            discussion: """
                Runs --warmup untimed training steps (forward, loss, backward, Adam), then --steps timed \
                ones, and reports the median step, images/s, achieved GFLOP/s, a sampling step at \
                batch 1 and 16, and the peak memory.
                """)

        @Option(help: ArgumentHelp("Model size: \(CommandHelp.presets).", valueName: "name"))
        var preset: String = "tiny"

        @Option(help: ArgumentHelp("Batch size of the training steps.", valueName: "n"))
        var batch: Int = 32

        @Option(help: ArgumentHelp("Timed training steps.", valueName: "n"))
        var steps: Int = 10

        @Option(help: ArgumentHelp("Untimed training steps first.", valueName: "n"))
        var warmup: Int = 3

        @Option(help: ArgumentHelp("OpenBLAS threads (default: OpenBLAS's own choice).", valueName: "n"))
        var threads: Int?

        @Flag(help: "Print the report as JSON.")
        var json = false

        func run() throws {
            var c = BenchCommand()
            c.preset = preset
            c.batch = batch
            c.steps = steps
            c.warmup = warmup
            c.threads = threads
            c.json = json
            try c.run(console: .standard())
        }
    }
}

import ArgumentParser

/// The root command: `ddpm` alone opens the workbench (the `open` subcommand is the default).
public struct DDPM: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "ddpm",
        abstract: "A terminal workbench for denoising diffusion models (DDPM, Ho et al. 2020).",
        discussion: """
            With no subcommand, ddpm opens the interactive workbench (see 'ddpm help open'): \
            'ddpm', 'ddpm --data DIR', 'ddpm --checkpoint FILE [--view]', 'ddpm --watch DIR', 'ddpm --theme NAME'.
            The other subcommands run headless, for scripts.

            \(CommandHelp.credit)
            """,
        subcommands: [
            OpenCommand.self, TrainCommand.self, SampleCommand.self, ReconstructCommand.self, InterpolateCommand.self,
            ScheduleCommand.self, VisualizeCommand.self, CompareCommand.self, RenderCommand.self, BenchCommand.self,
            WatchCommand.self, ExportCommand.self,
        ],
        defaultSubcommand: OpenCommand.self)

    public init() {}
}

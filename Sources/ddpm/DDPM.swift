import ArgumentParser
import Commands

/// The root command: `ddpm` alone opens the workbench (the `open` subcommand is the default).
struct DDPM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ddpm",
        abstract: "A terminal workbench for denoising diffusion models (DDPM, Ho et al. 2020).",
        discussion: """
            With no subcommand, ddpm opens the interactive workbench (see 'ddpm help open'): \
            'ddpm', 'ddpm --data DIR', 'ddpm --checkpoint FILE [--view]', 'ddpm --theme NAME'.
            The other subcommands run headless, for scripts.

            \(CommandHelp.credit)
            """,
        subcommands: [Open.self, Train.self, Sample.self, Schedule.self, Visualize.self, Compare.self, Render.self, Bench.self],
        defaultSubcommand: Open.self)
}

/// Runs a Workbench command that returns an exit code, turning non-zero into `ExitCode`.
func finish(_ code: Int32) throws {
    if code != 0 { throw ExitCode(code) }
}

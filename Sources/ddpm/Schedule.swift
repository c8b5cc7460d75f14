import ArgumentParser
import Commands

extension DDPM {
    /// `ddpm schedule`: the noise schedule's buffers.
    struct Schedule: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a noise schedule's buffers as an aligned table or as CSV.",
            discussion: """
                CSV columns: t, then the course code's buffer names: betas, alphas, alphas_cumprod, \
                alphas_cumprod_prev, sqrt_alphas_cumprod, sqrt_one_minus_alphas_cumprod, \
                sqrt_recip_alphas_cumprod, sqrt_recipm1_alphas_cumprod, posterior_variance, \
                posterior_log_variance_clipped, posterior_mean_coef1, posterior_mean_coef2, log_snr. \
                Values are the shortest decimals that read back as the same 32-bit floats.
                """)

        @Option(help: ArgumentHelp("Schedule: \(CommandHelp.schedules).", valueName: "kind"))
        var kind: String = "linear"

        @Option(help: ArgumentHelp("Diffusion steps T.", valueName: "T"))
        var timesteps: Int = 1000

        @Flag(help: "Print CSV with a header row instead of a table.")
        var csv = false

        @Option(help: ArgumentHelp("Print every k-th row, plus the last (default: 1 with --csv, T/10 for the table).", valueName: "k"))
        var every: Int?

        @Option(help: ArgumentHelp("Comma-separated buffer names to print (default: all).", valueName: "names"))
        var columns: String?

        @Option(name: .customLong("beta-start"), help: ArgumentHelp("β at t=0 for linear, quadratic and sigmoid.", valueName: "x"))
        var betaStart: Double = 1e-4

        @Option(name: .customLong("beta-end"), help: ArgumentHelp("β at t=T-1 for linear, quadratic and sigmoid.", valueName: "x"))
        var betaEnd: Double = 0.02

        func run() throws {
            var c = ScheduleCommand()
            c.kind = kind
            c.timesteps = timesteps
            c.csv = csv
            c.every = every
            c.columns = columns
            c.betaStart = betaStart
            c.betaEnd = betaEnd
            Console.standard().write(try c.output())
        }
    }
}

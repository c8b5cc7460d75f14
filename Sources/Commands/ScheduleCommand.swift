import ArgumentParser
import DiffusionEngine
import Foundation

/// `ddpm schedule`: every buffer of a noise schedule as an aligned table or as CSV.
///
/// CSV: a header `t,betas,alphas,...` (the course code's snake_case buffer names, see
/// `NoiseSchedule.bufferNames`) and one row per timestep, values printed as the shortest decimal
/// that reads back as the same Float. Table: the same columns under the paper's symbols, four
/// significant digits, every `every`-th row plus the last.
public struct ScheduleCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Print a noise schedule's buffers as an aligned table or as CSV.",
        discussion: """
            CSV columns: t, then the course code's buffer names: betas, alphas, alphas_cumprod, \
            alphas_cumprod_prev, sqrt_alphas_cumprod, sqrt_one_minus_alphas_cumprod, \
            sqrt_recip_alphas_cumprod, sqrt_recipm1_alphas_cumprod, posterior_variance, \
            posterior_log_variance_clipped, posterior_mean_coef1, posterior_mean_coef2, log_snr. \
            Values are the shortest decimals that read back as the same 32-bit floats.
            """)

    @Option(help: ArgumentHelp("Schedule: \(CommandHelp.schedules).", valueName: "kind"))
    public var kind: String = "linear"

    @Option(help: ArgumentHelp("Diffusion steps T.", valueName: "T"))
    public var timesteps: Int = 1000

    @Flag(help: "Print CSV with a header row instead of a table.")
    public var csv = false

    /// Print every k-th row (the last is always printed); default 1 for CSV, T/10 for the table.
    @Option(help: ArgumentHelp("Print every k-th row, plus the last (default: 1 with --csv, T/10 for the table).", valueName: "k"))
    public var every: Int?

    /// Comma-separated buffer names to print (default: all).
    @Option(help: ArgumentHelp("Comma-separated buffer names to print (default: all).", valueName: "names"))
    public var columns: String?

    @Option(name: .customLong("beta-start"), help: ArgumentHelp("β at t=0 for linear, quadratic and sigmoid.", valueName: "x"))
    public var betaStart: Double = 1e-4

    @Option(name: .customLong("beta-end"), help: ArgumentHelp("β at t=T-1 for linear, quadratic and sigmoid.", valueName: "x"))
    public var betaEnd: Double = 0.02

    public init() {}

    /// The β range is checked by `NoiseSchedule` when `output` builds it.
    public func validate() throws {
        _ = try FlagValues.schedule(kind, flag: "--kind")
        try FlagValues.check("--timesteps", timesteps, in: 2...100_000)
        if let every { try FlagValues.check("--every", every, in: 1...100_000) }
        _ = try selectedColumns()
    }

    public func run() throws { Console.standard().write(try output()) }

    /// The text to print.
    /// - Throws: `EngineError` for a bad β range.
    public func output() throws -> String {
        let k = try FlagValues.schedule(kind, flag: "--kind")
        let schedule = try NoiseSchedule(k, timesteps: timesteps, betaStart: betaStart, betaEnd: betaEnd)
        let names = try selectedColumns()
        let step = every ?? (csv ? 1 : max(1, timesteps / 10))
        let rows = (0..<timesteps).filter { $0 % step == 0 || $0 == timesteps - 1 }
        let cols = names.map { ($0, schedule.buffer(named: $0)!) }
        if csv {
            if names == NoiseSchedule.bufferNames { return schedule.csv(every: step) }
            var out = "t," + names.joined(separator: ",") + "\n"
            for t in rows {
                out += String(t)
                for (_, v) in cols { out += "," + Self.csvNumber(v[t]) }
                out += "\n"
            }
            return out
        }
        let header = ["t"] + names.map { Self.symbols[$0] ?? $0 }
        let body = rows.map { t in [String(t)] + cols.map { Self.tableNumber($0.1[t]) } }
        var out = "\(k.rawValue) schedule, T=\(timesteps)"
        if k != .cosine { out += ", β \(betaStart)…\(betaEnd)" }
        out += " (--csv for every row with the course's column names)\n"
        out += Self.alignedTable(header: header, rows: body)
        return out
    }

    func selectedColumns() throws -> [String] {
        guard let columns, !columns.trimmingCharacters(in: .whitespaces).isEmpty else { return NoiseSchedule.bufferNames }
        return try columns.split(separator: ",").map { raw in
            let name = raw.trimmingCharacters(in: .whitespaces).lowercased()
            guard NoiseSchedule.bufferNames.contains(name) else {
                throw FlagError("--columns: unknown buffer '\(name)'; choose from \(NoiseSchedule.bufferNames.joined(separator: ", "))")
            }
            return name
        }
    }

    /// Short headers for the table, as the paper writes the buffers.
    public static let symbols: [String: String] = [
        "betas": "β", "alphas": "α", "alphas_cumprod": "ᾱ", "alphas_cumprod_prev": "ᾱ_prev",
        "sqrt_alphas_cumprod": "√ᾱ", "sqrt_one_minus_alphas_cumprod": "√(1-ᾱ)",
        "sqrt_recip_alphas_cumprod": "√(1/ᾱ)", "sqrt_recipm1_alphas_cumprod": "√(1/ᾱ-1)",
        "posterior_variance": "β̃", "posterior_log_variance_clipped": "log β̃ (clip)",
        "posterior_mean_coef1": "coef1", "posterior_mean_coef2": "coef2", "log_snr": "log SNR",
    ]

    /// The shortest decimal that reads back as the same Float ("0" for zero).
    static func csvNumber(_ x: Float) -> String { x == 0 ? "0" : x.description }

    /// Four significant digits.
    static func tableNumber(_ x: Float) -> String { x == 0 ? "0" : String(format: "%.4g", Double(x)) }

    /// Columns separated by two spaces, right-aligned except those in `leftAligned`; widths are
    /// counted in characters, trailing spaces dropped.
    public static func alignedTable(header: [String], rows: [[String]], leftAligned: Set<Int> = []) -> String {
        var widths = header.map(\.count)
        for r in rows { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        func format(_ cells: [String]) -> String {
            var line = cells.enumerated().map { i, c -> String in
                let pad = String(repeating: " ", count: max(0, widths[min(i, widths.count - 1)] - c.count))
                return leftAligned.contains(i) ? c + pad : pad + c
            }.joined(separator: "  ")
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }
        return ([format(header)] + rows.map(format)).joined(separator: "\n") + "\n"
    }
}

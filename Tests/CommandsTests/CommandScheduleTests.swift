import Commands
import DiffusionEngine
import Foundation
import Testing
import Workbench

/// `ddpm schedule`: CSV header and rows, the table, column selection, errors.
@Suite struct CommandScheduleTests {
    @Test func csvHasTheCourseHeaderAndEveryRow() throws {
        let c = try ScheduleCommand.parse(["--timesteps", "50", "--csv"])
        let lines = try c.output().split(separator: "\n").map(String.init)
        #expect(lines.first == "t,betas,alphas,alphas_cumprod,alphas_cumprod_prev,sqrt_alphas_cumprod,sqrt_one_minus_alphas_cumprod,sqrt_recip_alphas_cumprod,sqrt_recipm1_alphas_cumprod,posterior_variance,posterior_log_variance_clipped,posterior_mean_coef1,posterior_mean_coef2,log_snr")
        #expect(lines.count == 1 + 50)
        let first = lines[1].split(separator: ",")
        #expect(first.count == 14 && first[0] == "0" && first[1] == "0.0001")
        let last = lines[50].split(separator: ",")
        #expect(last[0] == "49" && Float(last[1]) == 0.02)
    }

    @Test func everyKeepsTheLastRowAndColumnsSelect() throws {
        let c = try ScheduleCommand.parse(["--kind", "cosine", "--timesteps", "50", "--csv", "--every", "10", "--columns", "betas, log_snr"])
        let lines = try c.output().split(separator: "\n").map(String.init)
        #expect(lines.first == "t,betas,log_snr")
        #expect(lines.dropFirst().map { $0.split(separator: ",")[0] } == ["0", "10", "20", "30", "40", "49"])
        let s = try NoiseSchedule(.cosine, timesteps: 50)
        #expect(Float(lines[6].split(separator: ",")[1]) == s.betas[49], "values read back as the same Float")
    }

    @Test func tableIsAlignedWithPaperSymbols() throws {
        let c = try ScheduleCommand.parse(["--timesteps", "100"])
        let out = try c.output()
        let lines = out.split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("linear schedule, T=100"))
        #expect(lines[1].contains("√(1-ᾱ)") && lines[1].contains("coef2"))
        // T/10 = 10: rows 0, 10, ..., 90 and the last (99).
        #expect(lines.count == 2 + 11)
        let widths = Set(lines.dropFirst().map(\.count))
        #expect(widths.count == 1, "every row of the table has the same width: \(widths)")
    }

    @Test func badValuesAreOneLineErrors() {
        #expect(CommandFixtures.parseFailure(ScheduleCommand.self, ["--kind", "exponential"])?.message
            == "--kind: unknown schedule 'exponential'; choose linear, cosine, quadratic or sigmoid")
        #expect(CommandFixtures.parseFailure(ScheduleCommand.self, ["--columns", "betas,gammas"])?.message
            .hasPrefix("--columns: unknown buffer 'gammas'") == true)
        #expect(CommandFixtures.parseFailure(ScheduleCommand.self, ["--timesteps", "1"])?.message
            == "--timesteps 1: must be between 2 and 100000")
    }
}

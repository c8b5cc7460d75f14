import Commands
import Foundation
import Testing
import Workbench

/// `ddpm bench` through `BenchCommand`: the table, the JSON, the preset check.
@Suite struct CommandBenchTests {
    @Test func tableAndJSON() throws {
        var c = try BenchCommand.parse(["--preset", "fixture", "--batch", "2", "--steps", "1", "--warmup", "0"])
        let table = Console.capturing()
        let r = try c.run(console: table)
        #expect(r.preset == "fixture" && r.batch == 2 && r.parameters > 0)
        #expect(table.capturedOutput.hasPrefix("preset fixture  batch 2  parameters \(r.parameters)"))
        c.json = true
        let json = Console.capturing()
        try c.run(console: json)
        let object = try JSONSerialization.jsonObject(with: Data(json.capturedOutput.utf8)) as? [String: Any]
        #expect(object?["preset"] as? String == "fixture")
        #expect(object?["trainStepSeconds"] is Double)
    }

    @Test func unknownPreset() {
        #expect(CommandFixtures.parseFailure(BenchCommand.self, ["--preset", "huge"])?.message
            == "--preset: unknown preset 'huge'; choose tiny, course, tiny64 or course64 (or fixture, for tests)")
    }
}

/// `ddpm bench --ab SPEC`: solo steps against A/B pair steps.
@Suite struct CommandBenchPairTests {
    @Test func pairReportComparesTheTwoSteps() throws {
        let c = try BenchCommand.parse(["--preset", "fixture", "--batch", "2", "--steps", "2", "--warmup", "1", "--ab", "input=x0"])
        let console = Console.capturing()
        let r = try c.runPair(console: console)
        #expect(r.label == "input=x0" && r.soloStepSeconds > 0 && r.pairStepSeconds > r.drawSeconds)
        #expect(r.share > 0 && r.share < 1.5)
        #expect(console.capturedOutput.hasPrefix("preset fixture  batch 2  threads "))
        #expect(console.capturedOutput.contains("of its solo throughput"))
        #expect(CommandFixtures.parseFailure(BenchCommand.self, ["--ab", "nope=1"])?.message.hasPrefix("--ab: unknown key 'nope'") == true)
    }
}

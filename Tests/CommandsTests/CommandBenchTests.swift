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

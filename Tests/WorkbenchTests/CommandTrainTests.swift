import DiffusionEngine
import Foundation
import ImageIO
import Testing
import Workbench

/// `ddpm train` through `TrainCommand`: files, printed lines, resume rules.
@Suite struct CommandTrainTests {
    /// A fixture run: 4 steps, milestone every 2, T = 20, 2 samples per grid.
    func fixtureRun(out: String) -> TrainCommand {
        var c = TrainCommand()
        c.out = out
        c.overrides.preset = "fixture"
        c.overrides.steps = 4
        c.overrides.saveEvery = 2
        c.overrides.timesteps = 20
        c.overrides.batch = 2
        c.overrides.accumulate = 1
        c.overrides.samples = 2
        c.logEvery = 2
        return c
    }

    @Test func trainsSavesAndReportsMilestonesThenResumes() throws {
        let dir = try CommandFixtures.tempFolder("train")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let console = Console.capturing()
        let code = try fixtureRun(out: dir).run(console: console)
        #expect(code == 0)
        let out = console.capturedOutput
        #expect(out.hasPrefix("ddpm train: preset fixture"))
        #expect(out.contains("step 2/4  loss "))
        #expect(out.contains("step 2: checkpoint \(dir)/checkpoint.safetensors, samples \(dir)/samples/step-000002.png, nn-RMSE "))
        #expect(out.contains("step 4 (final): checkpoint \(dir)/checkpoint.safetensors, samples \(dir)/samples/step-final.png"))
        #expect(out.contains("finished 4 steps; "))
        #expect(console.capturedErrors.isEmpty)
        for f in ["checkpoint.safetensors", "metrics.jsonl", "samples/step-000002.png", "samples/step-final.png"] {
            #expect(FileManager.default.fileExists(atPath: dir + "/" + f), "\(f) written")
        }
        #expect(try Checkpoint.load(path: dir + "/checkpoint.safetensors").step == 4)

        // Resuming a finished run needs a larger --steps; other flags are ignored with a warning.
        var again = TrainCommand()
        again.resume = dir + "/checkpoint.safetensors"
        #expect(throws: FlagError.self) { try again.run(console: .capturing()) }
        again.overrides.steps = 6
        again.overrides.batch = 99
        let c2 = Console.capturing()
        #expect(try again.run(console: c2) == 0)
        #expect(c2.capturedErrors.contains("warning: --batch ignored with --resume"))
        #expect(c2.capturedOutput.contains("resuming \(dir)/checkpoint.safetensors at step 4"))
        #expect(c2.capturedOutput.contains("step 6 (final)"))
        let c = try Checkpoint.load(path: dir + "/checkpoint.safetensors")
        #expect(c.step == 6 && c.options.batchSize == 2)
    }

    @Test func flagErrorsComeBeforeAnyWork() throws {
        var c = TrainCommand()
        c.overrides.preset = "huge"
        #expect(throws: FlagError("--preset: unknown preset 'huge'; choose tiny, course (or fixture, for tests)")) {
            try c.run(console: .capturing())
        }
        c = TrainCommand()
        c.className = "cat"
        #expect(throws: FlagError.self) { try c.run(console: .capturing()) }
        c = TrainCommand()
        c.resume = "/no/such/checkpoint.safetensors"
        do {
            _ = try c.run(console: .capturing())
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".hasPrefix("checkpoint /no/such/checkpoint.safetensors: no such file"))
        }
    }

    @Test func dataWarningsArePrintedFirst() throws {
        let dir = try CommandFixtures.tempFolder("data")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/images", withIntermediateDirectories: true)
        let img = RGBImage(width: 12, height: 12, red: 0.8, green: 0.2, blue: 0.1)
        for i in 0..<3 { try PNGEncoder.write(img, to: dir + "/images/\(i).png") }
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: dir + "/images/broken.png"))
        var c = fixtureRun(out: dir + "/run")
        c.data = dir + "/images"
        c.overrides.steps = 1
        let console = Console.capturing()
        #expect(try c.run(console: console) == 0)
        #expect(console.capturedErrors.hasPrefix("warning: skipped \(dir)/images/broken.png"))
        #expect(console.capturedOutput.contains("3 images"))
        #expect(c.resumeCommand(checkpoint: "r/c.safetensors") == "ddpm train --resume r/c.safetensors --data \(dir)/images")
    }

    @Test func progressFormatting() {
        #expect(TrainProgress.duration(42) == "42s")
        #expect(TrainProgress.duration(185) == "3m05s")
        #expect(TrainProgress.duration(7980) == "2h13m")
        var p = TrainProgress(totalSteps: 100, window: 2)
        p.record(loss: 1, seconds: 0.5)
        p.record(loss: 2, seconds: nil)
        p.record(loss: 4, seconds: 1.5)
        #expect(p.smoothedLoss == 3)
        #expect(p.secondsPerStep == 1)
        #expect(p.line(step: 3, loss: 4, imagesPerSecond: 12.34, eta: 65) == "step 3/100  loss 4.0000 (avg 3.0000)  12.3 img/s  ETA 1m05s")
        #expect(TrainProgress.milestoneLine(step: 5, final: false, checkpoint: "c", samples: nil, nnRMSE: 0.1234, swd: nil)
            == "step 5: checkpoint c, samples NOT written, nn-RMSE 0.123")
    }
}

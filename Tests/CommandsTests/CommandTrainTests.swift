import Commands
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
        let images = try CommandFixtures.imageFolder(in: dir + "-images", count: 4)
        defer { try? FileManager.default.removeItem(atPath: images) }
        let console = Console.capturing()
        var run = fixtureRun(out: dir)
        run.data = images
        let code = try run.run(console: console)
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

        // A new run does not overwrite a folder that holds a checkpoint.
        do {
            _ = try run.run(console: .capturing())
            Issue.record("expected an error")
        } catch {
            #expect("\(error)" == "--out \(dir): already holds a checkpoint; continue it with --resume \(dir)/checkpoint.safetensors, or pick another --out")
        }

        // Resuming a finished run needs a larger --steps; other flags are ignored with a warning.
        var again = TrainCommand()
        again.resume = dir + "/checkpoint.safetensors"
        again.data = images
        #expect(throws: FlagError.self) { try again.run(console: .capturing()) }
        again.overrides.steps = 6
        again.overrides.batch = 99
        let c2 = Console.capturing()
        #expect(try again.run(console: c2) == 0)
        #expect(c2.capturedErrors.contains("warning: --batch ignored with --resume"))
        #expect(c2.capturedOutput.contains("resuming \(dir)/checkpoint.safetensors at step 4"))
        #expect(c2.capturedOutput.contains("step 6 (final)"))
        #expect(c2.capturedOutput.contains("step 5/6  loss "), "the first step of a resumed run is logged")
        let c = try Checkpoint.load(path: dir + "/checkpoint.safetensors")
        #expect(c.step == 6 && c.options.batchSize == 2)

        // The dataset must match the checkpoint's: the built-in faces are not these 4 images.
        var other = TrainCommand()
        other.resume = dir + "/checkpoint.safetensors"
        other.overrides.steps = 8
        do {
            _ = try other.run(console: .capturing())
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("use the same --data"))
        }
    }

    @Test func divergedLossExitsWithOneAndSaysSo() throws {
        let dir = try CommandFixtures.tempFolder("nan")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let images = try CommandFixtures.imageFolder(in: dir + "/images", count: 2)
        var c = fixtureRun(out: dir + "/run")
        c.data = images
        c.overrides.learningRate = 1e8
        c.overrides.clip = 1e30
        c.overrides.steps = 20
        c.overrides.saveEvery = 100
        let console = Console.capturing()
        #expect(try c.run(console: console) == 1)
        #expect(console.capturedErrors.hasPrefix("error: training: the loss became nan at step "))
        #expect(console.capturedErrors.contains("no checkpoint was written before the loss diverged"))
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

/// Helpers shared by the command tests: temporary folders and a small trained checkpoint.
enum CommandFixtures {
    /// A fresh empty folder under the system's temporary directory.
    static func tempFolder(_ name: String = "cmd") throws -> String {
        let path = FileManager.default.temporaryDirectory.path + "/ddpm-\(name)-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A folder of `count` small PNGs (different colours), for fast runs on a few images.
    static func imageFolder(in path: String, count: Int) throws -> String {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for i in 0..<count {
            let v = Float(i) / Float(max(1, count - 1))
            try PNGEncoder.write(RGBImage(width: 12, height: 12, red: v, green: 1 - v, blue: 0.5), to: path + "/\(i).png")
        }
        return path
    }

    /// Options of the `fixture` preset sized for debug-build tests (8x8, T = 20).
    static func fixtureOptions(timesteps: Int = 20, steps: Int = 2) -> TrainingOptions {
        var o = TrainingOptions()
        o.preset = "fixture"
        o.model = .fixture
        o.timesteps = timesteps
        o.batchSize = 4
        o.accumulate = 1
        o.steps = steps
        o.saveEvery = 1000
        o.sampleCount = 4
        return o
    }

    /// A fixture-preset model trained `steps` steps on random images and saved in `folder`.
    /// - Returns: the checkpoint's path.
    static func trainedCheckpoint(in folder: String, steps: Int = 2, timesteps: Int = 20) throws -> String {
        var rng = RandomGenerator(seed: 3)
        let images = rng.uniformTensor([6, 3, 9, 9], lo: -1, hi: 1)
        let set = try TrainingSet(images: images, size: 8, names: [])
        let trainer = try Trainer(options: fixtureOptions(timesteps: timesteps, steps: steps), dataset: set)
        for _ in 0..<steps { try trainer.trainStep() }
        let path = folder + "/checkpoint.safetensors"
        try trainer.saveCheckpoint(path: path)
        return path
    }
}

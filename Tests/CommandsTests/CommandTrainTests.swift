import ArgumentParser
import Commands
import DiffusionEngine
import Foundation
import ImageIO
import Testing
import Workbench

/// `ddpm train` through `TrainCommand`: files, printed lines, resume rules.
@Suite struct CommandTrainTests {
    /// A fixture run: 4 steps, milestone every 2, T = 20, 2 samples per grid; `changes` add or
    /// replace flags (`["--steps": "1"]`).
    func fixtureRun(out: String, _ changes: [String: String] = [:]) throws -> TrainCommand {
        let flags = [
            "--out": out, "--preset": "fixture", "--steps": "4", "--save-every": "2", "--timesteps": "20",
            "--batch": "2", "--accumulate": "1", "--samples": "2", "--log-every": "2",
        ].merging(changes) { $1 }
        return try TrainCommand.parse(flags.sorted { $0.key < $1.key }.flatMap { [$0.key, $0.value] })
    }

    /// `--model image-size=16,channels=1`: any size the levels divide, grey data, grey grids.
    @Test func trainsAtAnotherSizeOnGreyData() throws {
        let dir = try CommandFixtures.tempFolder("train-grey")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let images = try CommandFixtures.imageFolder(in: dir + "-images", count: 4)
        defer { try? FileManager.default.removeItem(atPath: images) }
        let console = Console.capturing()
        let code = try fixtureRun(out: dir, ["--data": images, "--model": "image-size=16,channels=1", "--steps": "2"]).run(console: console)
        #expect(code == 0)
        #expect(console.capturedOutput.hasPrefix("ddpm train: preset fixture (") && console.capturedOutput.contains(", 16x16 grey), "))
        let c = try Checkpoint.load(path: dir + "/checkpoint.safetensors")
        #expect(c.options.model.imageSize == 16 && c.options.model.channels == 1)
        #expect(c.file.tensors["param.init_conv.weight"]?.shape == [8, 1, 3, 3])
        let grid = try ImageDecoder.decodeFile(atPath: dir + "/samples/step-final.png")
        #expect(grid.width == 2 * (16 + 2) + 2, "2 samples of 16px in a row with 2px padding")
        let plane = grid.width * grid.height
        #expect((0..<plane).allSatisfy { grid.pixels[$0] == grid.pixels[plane + $0] && grid.pixels[$0] == grid.pixels[2 * plane + $0] }, "grey")
        // A size the levels do not divide is one line naming the key.
        do {
            _ = try FlagValues.model("image-size=9", base: .fixture)
            Issue.record("image-size 9 with 2 levels must be refused")
        } catch {
            #expect("\(error)" == "--model: UNet config: imageSize 9 must be divisible by 2^(levels-1) = 2")
        }
        #expect(throws: FlagError("--model: channels=2 must be 1 or 3")) { try FlagValues.model("channels=2", base: .fixture) }
    }

    @Test func trainsSavesAndReportsMilestonesThenResumes() throws {
        let dir = try CommandFixtures.tempFolder("train")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let images = try CommandFixtures.imageFolder(in: dir + "-images", count: 4)
        defer { try? FileManager.default.removeItem(atPath: images) }
        let console = Console.capturing()
        let run = try fixtureRun(out: dir, ["--data": images])
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
        let finished = try TrainCommand.parse(["--resume", dir + "/checkpoint.safetensors", "--data", images])
        #expect(throws: FlagError.self) { try finished.run(console: .capturing()) }
        let again = try TrainCommand.parse(["--resume", dir + "/checkpoint.safetensors", "--data", images, "--steps", "6", "--batch", "99"])
        let c2 = Console.capturing()
        #expect(try again.run(console: c2) == 0)
        #expect(c2.capturedErrors.contains("warning: --batch ignored with --resume"))
        #expect(c2.capturedOutput.contains("resuming \(dir)/checkpoint.safetensors at step 4"))
        #expect(c2.capturedOutput.contains("step 6 (final)"))
        #expect(c2.capturedOutput.contains("step 5/6  loss "), "the first step of a resumed run is logged")
        let c = try Checkpoint.load(path: dir + "/checkpoint.safetensors")
        #expect(c.step == 6 && c.options.batchSize == 2)

        // The dataset must match the checkpoint's: the built-in faces are not these 4 images.
        let other = try TrainCommand.parse(["--resume", dir + "/checkpoint.safetensors", "--steps", "8"])
        do {
            _ = try other.run(console: .capturing())
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("use the same --data"))
        }
    }

    /// On a terminal a folder's decoding shows a count; every milestone line and metrics.jsonl
    /// line carries its seconds (grid, then metrics).
    @Test func terminalShowsTheLoadingCountAndMilestonesTheirSeconds() throws {
        let dir = try CommandFixtures.tempFolder("train-tty")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let images = try CommandFixtures.imageFolder(in: dir + "/images", count: 4)
        let console = Console.capturing(isTerminal: true, columns: 200)
        #expect(try fixtureRun(out: dir + "/run", ["--data": images, "--steps": "2", "--save-every": "1"]).run(console: console) == 0)
        let out = console.capturedOutput
        #expect(out.hasPrefix("\rloading images… ") && out.contains("\rloading images… 4/4\u{1B}[K\r\u{1B}[Kddpm train: "))
        let milestones = out.split(separator: "\n").filter { $0.contains("nn-RMSE") }
        #expect(milestones.count == 2)
        #expect(milestones.allSatisfy { $0.contains(" s: grid ") && $0.hasSuffix(" s)") }, "\(milestones)")
        let lines = try String(contentsOfFile: dir + "/run/metrics.jsonl", encoding: .utf8).split(separator: "\n")
        let events = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
            .filter { ["milestone", "final"].contains($0["event"] as? String) }
        #expect(events.count == 2)
        #expect(events.allSatisfy { ($0["sampling_seconds"] as? Double ?? -1) > 0 && ($0["metrics_seconds"] as? Double ?? -1) >= 0 })
    }

    @Test func divergedLossExitsWithOneAndSaysSo() throws {
        let dir = try CommandFixtures.tempFolder("nan")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let images = try CommandFixtures.imageFolder(in: dir + "/images", count: 2)
        let c = try fixtureRun(out: dir + "/run", ["--data": images, "--lr": "1e8", "--clip": "1e30", "--steps": "20", "--save-every": "100"])
        let console = Console.capturing()
        #expect(try c.run(console: console) == 1)
        #expect(console.capturedErrors.hasPrefix("error: training: the loss became nan at step "))
        #expect(console.capturedErrors.contains("no checkpoint was written before the loss diverged"))
    }

    /// Bad flags fail when the command line is parsed, before any work.
    @Test func flagErrorsComeBeforeAnyWork() throws {
        #expect(CommandFixtures.parseFailure(TrainCommand.self, ["--preset", "huge"])?.message
            == "--preset: unknown preset 'huge'; choose tiny, course, tiny64 or course64 (or fixture, for tests)")
        #expect(CommandFixtures.parseFailure(TrainCommand.self, ["--class", "cat"])?.message
            == "--class: needs --data DIR (the built-in faces have no class folders)")
        #expect(CommandFixtures.parseFailure(TrainCommand.self, ["--resume", "/no/such/checkpoint.safetensors"])?.message
            .hasPrefix("checkpoint /no/such/checkpoint.safetensors: no such file") == true)
    }

    @Test func dataWarningsArePrintedFirst() throws {
        let dir = try CommandFixtures.tempFolder("data")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/images", withIntermediateDirectories: true)
        let img = RGBImage(width: 12, height: 12, red: 0.8, green: 0.2, blue: 0.1)
        for i in 0..<3 { try PNGEncoder.write(img, to: dir + "/images/\(i).png") }
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: dir + "/images/broken.png"))
        let c = try fixtureRun(out: dir + "/run", ["--data": dir + "/images", "--steps": "1"])
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
        #expect(TrainProgress.milestoneLine(step: 5, final: true, checkpoint: "c", samples: "s", nnRMSE: nil, swd: 4.5, seconds: (2.46, 0.051))
            == "step 5 (final): checkpoint c, samples s, SWD 4.5 (2.5 s: grid 2.5 s, metrics 0.05 s)")
    }
}

/// Helpers shared by the command tests: temporary folders, a small trained checkpoint, parse errors.
enum CommandFixtures {
    /// What the argument parser says to `arguments` when it refuses them: the message it prints
    /// after "Error: " and the exit code; nil when they parse.
    static func parseFailure<C: ParsableArguments>(_ type: C.Type, _ arguments: [String]) -> (message: String, exitCode: Int32)? {
        do {
            _ = try C.parse(arguments)
            return nil
        } catch {
            return (C.message(for: error), C.exitCode(for: error).rawValue)
        }
    }

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

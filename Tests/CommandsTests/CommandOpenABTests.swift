import ArgumentParser
import Commands
import DiffusionEngine
import Foundation
import Testing
import Workbench

/// The workbench with two models: `ddpm --checkpoint <pair folder>` continues an A/B pair as
/// `ddpm train --resume <out>` does, and `--checkpoint-b FILE` opens a second model for Compare.
@Suite struct CommandOpenABTests {
    /// A pair stopped at step 2 by `train`, continued to 4 by the workbench's launch and model
    /// source: A and B end with the losses and weights of a pair that ran straight to 4 (which
    /// `CommandTrainABTests` shows `train --resume` reaches too).
    @Test func theWorkbenchContinuesAPairAsTrainResumeDoes() throws {
        let dir = try CommandFixtures.tempFolder("open-ab-resume")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let images = try CommandFixtures.imageFolder(in: dir + "/images", count: 4)
        let spec = ["--ab": "fwd=sqrt-of-sqrt,lr=3e-3", "--save-every": "100"]
        let train = CommandTrainABTests()
        #expect(try train.pairRun(out: dir + "/straight", images: images, spec).run(console: .capturing()) == 0)
        #expect(try train.pairRun(out: dir + "/split", images: images, spec.merging(["--steps": "2"]) { $1 }).run(console: .capturing()) == 0)

        // A's checkpoint names the pair too, as with train --resume.
        for path in [dir + "/split", dir + "/split/A/checkpoint.safetensors"] {
            let launch = try OpenCommand.parse(["--checkpoint", path, "--data", images, "--steps", "4"]).launch()
            #expect(launch.resumesPair && launch.out == dir + "/split" && launch.checkpointB?.path == dir + "/split/B/checkpoint.safetensors")
        }
        let launch = try OpenCommand.parse(["--checkpoint", dir + "/split", "--data", images, "--steps", "4"]).launch()
        let source = try ModelSource(launch)
        #expect(source.pair?.a === source.session && source.info.secondModel?.label == "fwd=sqrt-of-sqrt,lr=0.003")
        #expect(source.weightsB()?.step == 2)
        source.start()
        #expect(source.wait(seconds: 300))
        #expect(source.end == .finished)
        for side in ["A", "B"] {
            let s = try Checkpoint.load(path: "\(dir)/straight/\(side)/checkpoint.safetensors")
            let r = try Checkpoint.load(path: "\(dir)/split/\(side)/checkpoint.safetensors")
            #expect(r.step == 4 && r.file.metadata["loss_history"] == s.file.metadata["loss_history"], "\(side)'s losses")
            #expect(r.values == s.values && r.emaValues == s.emaValues, "\(side)'s weights")
        }
        #expect(try String(contentsOfFile: dir + "/split/B/metrics.jsonl", encoding: .utf8).contains("\"event\":\"resume\""))
        #expect(WorkbenchApp.farewell(source: source, launch: launch, end: .stopped(signal: nil)).hasSuffix("Resume: ddpm --checkpoint \(dir)/split --data \(images)"))

        // Viewing the pair: A, with B beside it for Compare (nothing trains).
        let view = try ModelSource(try OpenCommand.parse(["--checkpoint", dir + "/split", "--view"]).launch())
        #expect(view.session == nil && view.weights().step == 4 && view.weightsB()?.step == 4)
        #expect(view.info.secondModel?.fixes.forwardCoefficients == .sqrtOfSqrt)

        // One-line refusals.
        #expect(CommandFixtures.parseFailure(OpenCommand.self, ["--checkpoint", dir + "/split", "--ab", "input=x0"])?.message
            == "--ab: starts a new pair; continue a pair with ddpm --checkpoint <out>")
        #expect(CommandFixtures.parseFailure(OpenCommand.self, ["--checkpoint", dir + "/split", "--checkpoint-b", dir + "/straight/B/checkpoint.safetensors"])?.message
            == "--checkpoint-b: \(dir)/split is an A/B pair, whose B is its own; drop --checkpoint-b")
    }

    @Test func checkpointBIsASecondModelCheckedLikeCompares() throws {
        let dir = try CommandFixtures.tempFolder("open-checkpoint-b")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/b", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/t10", withIntermediateDirectories: true)
        let a = try CommandFixtures.trainedCheckpoint(in: dir)
        let b = try CommandFixtures.trainedCheckpoint(in: dir + "/b", steps: 3)
        let t10 = try CommandFixtures.trainedCheckpoint(in: dir + "/t10", timesteps: 10)

        let source = try ModelSource(try OpenCommand.parse(["--checkpoint", a, "--checkpoint-b", b, "--view"]).launch())
        #expect(source.weights().step == 2 && source.weightsB()?.step == 3)
        #expect(source.info.secondModel?.label == "same as A")

        #expect(CommandFixtures.parseFailure(OpenCommand.self, ["--checkpoint-b", b])?.message
            == "--checkpoint-b: needs --checkpoint FILE (model A) to compare it with")
        #expect(throws: FlagError("--checkpoint-b \(t10): its schedule has T=10, A's T=20; the two chains must visit the same timesteps")) {
            try OpenCommand.parse(["--checkpoint", a, "--checkpoint-b", t10, "--view"]).launch()
        }
        // The same words as compare's.
        #expect(throws: FlagError("--checkpoint-b \(t10): its schedule has T=10, A's T=20; the two chains must visit the same timesteps")) {
            try CompareCommand.parse(["--checkpoint", a, "--checkpoint-b", t10]).run(console: .capturing())
        }
    }
}

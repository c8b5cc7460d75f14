import ArgumentParser
import Commands
import DiffusionEngine
import Foundation
import Testing
import Workbench

/// `ddpm train --ab SPEC`: two run folders in lockstep, both losses, a verdict, an exact resume.
@Suite struct CommandTrainABTests {
    /// `CommandTrainTests`' fixture run (T = 20, 4 steps, milestone every 2, 2 samples) as a pair
    /// on the images in `images`.
    func pairRun(out: String, images: String, _ changes: [String: String] = [:]) throws -> TrainCommand {
        try CommandTrainTests().fixtureRun(out: out, ["--data": images, "--ab": "input=x0"].merging(changes) { $1 })
    }

    @Test func writesTwoRunFoldersWithBothLossesAndAVerdict() throws {
        let dir = try CommandFixtures.tempFolder("train-ab")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let images = try CommandFixtures.imageFolder(in: dir + "/images", count: 4)
        let console = Console.capturing()
        #expect(try pairRun(out: dir + "/ab", images: images).run(console: console) == 0)
        let out = console.capturedOutput
        #expect(out.hasPrefix("ddpm train --ab: two runs in lockstep"))
        #expect(out.contains("\n  B: A with input=x0\n"))
        #expect(out.contains("step 2/4  A "), "progress shows A's loss…")
        #expect(out.contains(")  B "), "…and B's")
        #expect(out.contains("A step 2: checkpoint \(dir)/ab/A/checkpoint.safetensors, samples \(dir)/ab/A/samples/step-000002.png, nn-RMSE "))
        #expect(out.contains("B step 2: checkpoint \(dir)/ab/B/checkpoint.safetensors"))
        #expect(out.contains("B step 4 (final): checkpoint "))
        #expect(out.components(separatedBy: "\nverdict: ").count == 3, "a verdict after the milestone and at the end")
        #expect(out.contains("finished 4 steps; "))
        let a = try Checkpoint.load(path: dir + "/ab/A/checkpoint.safetensors")
        let b = try Checkpoint.load(path: dir + "/ab/B/checkpoint.safetensors")
        #expect(a.step == 4 && b.step == 4)
        #expect(a.options.fixes == .fixed && b.options.fixes.lossInput == .x0)
        #expect(a.options.batchSize == b.options.batchSize && a.options.seed == b.options.seed)
        for side in ["A", "B"] {
            let first = try String(contentsOfFile: "\(dir)/ab/\(side)/metrics.jsonl", encoding: .utf8).split(separator: "\n").first ?? ""
            #expect(first.contains("\"event\":\"start\""), "each run folder follows the protocol")
        }
        let verdicts = try String(contentsOfFile: dir + "/ab/verdict.txt", encoding: .utf8)
        #expect(verdicts.hasPrefix("step 2: ") && verdicts.contains("\nstep 4 (final): "))
        // The pair's folder is not started again by accident.
        do {
            _ = try pairRun(out: dir + "/ab", images: images).run(console: .capturing())
            Issue.record("a second pair in the same folder must be refused")
        } catch {
            #expect("\(error)" == "--out \(dir)/ab: already holds an A/B pair; continue it with ddpm train --resume \(dir)/ab, or pick another --out")
        }
    }

    /// Stopped at step 2 and resumed (from the folder, or from A's checkpoint) to 4: A and B both
    /// end with the losses and weights of a pair that ran straight to 4.
    @Test func anInterruptedPairResumedEqualsAStraightOne() throws {
        let dir = try CommandFixtures.tempFolder("train-ab-resume")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let images = try CommandFixtures.imageFolder(in: dir + "/images", count: 4)
        let spec = ["--ab": "fwd=sqrt-of-sqrt,lr=3e-3", "--save-every": "100"]
        #expect(try pairRun(out: dir + "/straight", images: images, spec).run(console: .capturing()) == 0)
        #expect(try pairRun(out: dir + "/split", images: images, spec.merging(["--steps": "2"]) { $1 }).run(console: .capturing()) == 0)
        let console = Console.capturing()
        let resume = try TrainCommand.parse(["--resume", dir + "/split/A/checkpoint.safetensors", "--data", images, "--steps", "4", "--ab", "loss=l2", "--log-every", "2"])
        #expect(try resume.run(console: console) == 0)
        #expect(console.capturedOutput.contains("resuming the pair in \(dir)/split at step 2"))
        #expect(console.capturedErrors.contains("warning: --ab ignored with --resume"))
        for side in ["A", "B"] {
            let s = try Checkpoint.load(path: "\(dir)/straight/\(side)/checkpoint.safetensors")
            let r = try Checkpoint.load(path: "\(dir)/split/\(side)/checkpoint.safetensors")
            #expect(r.step == 4 && r.file.metadata["loss_history"] == s.file.metadata["loss_history"], "\(side)'s losses")
            #expect(r.values == s.values && r.emaValues == s.emaValues, "\(side)'s weights")
        }
        #expect(try Checkpoint.load(path: dir + "/split/B/checkpoint.safetensors").options.learningRate == 3e-3)
        let log = try String(contentsOfFile: dir + "/split/B/metrics.jsonl", encoding: .utf8)
        #expect(log.contains("\"event\":\"resume\""))
    }

    @Test func specErrorsAreOneLineAndListTheKeys() throws {
        let base = TrainingOptions()
        #expect(throws: FlagError("--ab: unknown key 'size'; valid keys: fwd, t0, input, extract, clip, var, loss, objective, schedule or lr")) {
            try FlagValues.abOptions("size=2", base: base)
        }
        #expect(throws: FlagError("--ab: fix switches: bad value \"x1\" for input (model input in p_losses); valid values: xt, x0")) {
            try FlagValues.abOptions("input=x1", base: base)
        }
        #expect(throws: FlagError("--ab lr=-1: expected a positive number, e.g. lr=3e-4")) { try FlagValues.abOptions("lr=-1", base: base) }
        #expect(throws: FlagError("--ab schedule: unknown schedule 'flat'; choose linear, cosine, quadratic or sigmoid")) {
            try FlagValues.abOptions("schedule=flat", base: base)
        }
        #expect(throws: FlagError("--ab loss=l1: B would be the same as A; name a difference, e.g. --ab input=x0")) {
            try FlagValues.abOptions("loss=l1", base: base)
        }
        let b = try FlagValues.abOptions("loss=l2, objective=v,schedule=cosine,lr=3e-4,input=x0", base: base)
        #expect(b.fixes.loss == .l2 && b.fixes.lossInput == .x0 && b.objective == .v && b.schedule == .cosine && b.learningRate == 3e-4)
        #expect(try FlagValues.abOptions("course,t0=mean", base: base).fixes.finalStep == .posteriorMean)
        #expect(CommandFixtures.parseFailure(TrainCommand.self, ["--ab", "warmup=3"])?.message.hasPrefix("--ab: unknown key 'warmup'; valid keys: ") == true)
        // B is A (the flags applied) with SPEC: L1 differs from --fixes loss=l2.
        #expect(CommandFixtures.parseFailure(TrainCommand.self, ["--fixes", "loss=l2", "--ab", "loss=l1"]) == nil)
        #expect(CommandFixtures.parseFailure(TrainCommand.self, ["--fixes", "loss=l2", "--ab", "loss=l2"])?.message
            == "--ab loss=l2: B would be the same as A; name a difference, e.g. --ab input=x0")
    }
}

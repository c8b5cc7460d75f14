import Commands
import DiffusionEngine
import Foundation
import Testing
import Workbench

/// `ddpm compare` on a freshly trained fixture checkpoint.
@Suite struct CommandCompareTests {
    @Test func finalStepSwitchIsIdenticalWithinFloatRounding() throws {
        let dir = try CommandFixtures.tempFolder("compare")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try CommandFixtures.trainedCheckpoint(in: dir)
        let console = Console.capturing()
        let c = try CompareCommand.parse(["--checkpoint", path, "--b", "t0=xrecon", "--count", "2"])
        let r = try c.run(console: console)
        #expect(r.a.finalStep == .posteriorMean && r.b.finalStep == .xRecon)
        #expect(r.reverse.isFinished && r.reverse.steps.count == 20)
        #expect(r.reverse.identical)
        #expect(r.forward == nil, "the forward switch is the same, so no forward comparison")
        let out = console.capturedOutput
        #expect(out.contains("verdict: identical within float rounding"))
        #expect(out.contains("switches that differ: final step t=0 (FIX 3)"))
    }

    @Test func reverseVarianceDiffersAndForwardSwitchComparesQSample() throws {
        let dir = try CommandFixtures.tempFolder("compare2")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try CommandFixtures.trainedCheckpoint(in: dir)
        let console = Console.capturing()
        let c = try CompareCommand.parse(["--checkpoint", path, "--b", "var=beta,fwd=sqrt-of-sqrt", "--count", "2"])
        let r = try c.run(console: console)
        #expect(!r.reverse.identical)
        #expect(r.forward.map { !$0.differingTimesteps.isEmpty } == true)
        let out = console.capturedOutput
        #expect(out.contains("verdict: differs from t="))
        #expect(out.contains("forward verdict: differs at"))
        #expect(out.contains("← first"), "the first differing step is always shown")
    }

    @Test func csvGoesToStdoutAndVerdictToStderr() throws {
        let dir = try CommandFixtures.tempFolder("compare3")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try CommandFixtures.trainedCheckpoint(in: dir)
        let console = Console.capturing()
        let c = try CompareCommand.parse(["--checkpoint", path, "--b", "extract=all", "--count", "1", "--csv", "--every", "5"])
        try c.run(console: console)
        let lines = console.capturedOutput.split(separator: "\n")
        #expect(lines.first == "process,t,max_abs_delta,rms_delta,threshold,differs")
        // Rows at step indices 0, 5, 10, 15 and the last (19): t = 19, 14, 9, 4, 0.
        #expect(lines.dropFirst().map { $0.split(separator: ",")[1] } == ["19", "14", "9", "4", "0"])
        for line in lines.dropFirst() {
            let f = line.split(separator: ",")
            #expect(f[0] == "reverse" && f[2] == "0" && f[3] == "0" && f[5] == "false", "extract=all changes no arithmetic: \(line)")
        }
        #expect(console.capturedErrors.contains("verdict: identical within float rounding (max |Δ| 0)"))
    }

    @Test func badFixSetNamesTheFlag() throws {
        let dir = try CommandFixtures.tempFolder("compare4")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try CommandFixtures.trainedCheckpoint(in: dir)
        let failure = CommandFixtures.parseFailure(CompareCommand.self, ["--checkpoint", path, "--b", "t1=mean"])
        #expect(failure?.message.hasPrefix("--b: fix switches: unknown switch \"t1\"") == true)
        #expect(failure?.exitCode == 1)
    }

    /// `--checkpoint-b`: A's and B's models of a `train --ab` pair on one noise, with the training
    /// verdict. Raw weights: after 2 steps both EMAs still hold the shared initial weights (EMA
    /// updates every 10 steps), which the chains would rightly call identical.
    @Test func twoModelsOfAnABPair() throws {
        let dir = try CommandFixtures.tempFolder("compare-ab")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let images = try CommandFixtures.imageFolder(in: dir + "/images", count: 4)
        let train = try TrainCommand.parse(["--out", dir + "/ab", "--data", images, "--preset", "fixture", "--steps", "2", "--timesteps", "20",
                                            "--batch", "2", "--accumulate", "1", "--samples", "1", "--ab", "input=x0"])
        #expect(try train.run(console: .capturing()) == 0)
        let console = Console.capturing()
        let c = try CompareCommand.parse(["--checkpoint", dir + "/ab/A/checkpoint.safetensors", "--checkpoint-b", dir + "/ab/B/checkpoint.safetensors",
                                          "--count", "2", "--data", images, "--raw"])
        let r = try c.run(console: console)
        #expect(r.a == .fixed && r.b.lossInput == .x0, "B's fix set as trained")
        #expect(r.reverse.chainA.steps.count == 20 && !r.reverse.identical, "two models part")
        let out = console.capturedOutput
        #expect(out.contains("  chain B on \(dir)/ab/B/checkpoint.safetensors (step 2, "))
        #expect(out.contains("trained as A with input=x0"))
        #expect(!out.contains("change training only"), "the note is for one model")
        #expect(out.contains("\ntraining verdict (loss histories, and these samples' nn-RMSE): too early to tell: 2 steps"))
        #expect(r.training?.finding == .tooEarly)
        #expect(CommandFixtures.parseFailure(CompareCommand.self, ["--checkpoint", dir + "/ab/A/checkpoint.safetensors"])?.message
            == "--b: give fix set B (e.g. --b t0=xrecon), or --checkpoint-b FILE to compare two models")
    }
}

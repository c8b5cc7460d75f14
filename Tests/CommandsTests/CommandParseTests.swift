import ArgumentParser
import Commands
import DiffusionEngine
import Foundation
import Testing
import Workbench

/// The command types parsed in process, as `ddpm` parses them: the training, sampling, data and
/// checkpoint option groups, and the one-line errors (exit code 1) or usage errors (exit code 64,
/// the argument parser's) that bad values give.
@Suite struct CommandParseTests {
    let missing = "/no/such/checkpoint.safetensors"

    func failure<C: ParsableArguments>(_ type: C.Type, _ arguments: [String]) -> (message: String, exitCode: Int32)? {
        CommandFixtures.parseFailure(type, arguments)
    }

    // MARK: Training options

    /// `--recipe workbench` makes `ddpm train` run the workbench's default recipe headless (and
    /// `--recipe train` the course's in the workbench); other flags change it as usual.
    @Test func recipeChoosesTheDefaults() throws {
        let o = try TrainCommand.parse(["--recipe", "workbench"]).training.options(base: TrainingOptions(), data: .builtin, resuming: nil)
        var interactive = TrainingOptions.interactive
        interactive.augment = .off  // the built-in faces' default
        #expect(o == interactive)
        let changed = try OpenCommand.parse(["--recipe", "train", "--batch", "8"]).training.options(base: .interactive, data: .builtin, resuming: nil)
        #expect(changed.emaStartStep == TrainingOptions().emaStartStep && changed.batchSize == 8)
        #expect(try TrainCommand.parse(["--recipe", "workbench"]).training.ignoredWhenResuming == ["--recipe"])
        #expect(CommandFixtures.parseFailure(TrainCommand.self, ["--recipe", "fast"])?.exitCode == 64)
    }

    @Test func trainingFlagsSetTheirFields() throws {
        let c = try TrainCommand.parse([
            "--preset", "fixture", "--model", "res-blocks=2", "--steps", "7", "--batch", "3", "--lr", "0.002", "--accumulate", "4",
            "--save-every", "5", "--seed", "9", "--timesteps", "40", "--schedule", "cosine", "--objective", "v",
            "--fixes", "t0=xrecon", "--ema-decay", "0.9", "--clip", "2", "--samples", "6", "--sample-steps", "0", "--augment", "flip",
            "--warmup", "50", "--lr-decay", "cosine", "--min-snr", "5",
        ])
        let o = try c.training.apply(to: TrainingOptions())
        var expected = TrainingOptions()
        (expected.preset, expected.model) = ("fixture", .fixture)
        expected.model.resBlocks = 2
        (expected.steps, expected.batchSize, expected.learningRate, expected.accumulate) = (7, 3, 0.002, 4)
        (expected.saveEvery, expected.seed, expected.timesteps) = (5, 9, 40)
        (expected.schedule, expected.objective, expected.fixes.finalStep) = (.cosine, .v, .xRecon)
        (expected.emaDecay, expected.maxGradNorm, expected.sampleCount, expected.milestoneSamplingSteps) = (0.9, 2, 6, 0)
        (expected.augment, expected.warmupSteps, expected.lrDecay, expected.minSNR) = (.flip, 50, .cosine, 5)
        #expect(o == expected)
        #expect(c.training.givenFlags.count == 20, "every flag given is listed: \(c.training.givenFlags)")
    }

    /// The flag names come from the property names (the argument parser's default); they are the
    /// ones `--help` shows, and each names the field it sets.
    @Test func everyTrainingFlagIsInTheHelpAndNamesItsField() throws {
        let flags = try TrainingFlags.parse([])
        let names = flags.settings.map(\.flag)
        // Not the whole list: a new option is a declaration and its field, no test to edit.
        #expect(Array(names.prefix(5)) == ["--preset", "--model", "--steps", "--batch", "--lr"], "declaration order")
        #expect(["--save-every", "--ema-decay", "--clip", "--sample-steps"].allSatisfy(names.contains))
        #expect(Set(names).count == names.count)
        let help = TrainCommand.helpMessage(columns: 200)
        for flag in names { #expect(help.contains("  \(flag) <"), "train --help shows \(flag)") }
        #expect(flags.flag(for: \TrainingOptions.batchSize) == "--batch")
        #expect(flags.flag(for: \TrainingOptions.learningRate) == "--lr")
        #expect(flags.flag(for: \TrainingOptions.maxGradNorm) == "--clip")
        #expect(flags.flag(for: \TrainingOptions.milestoneSamplingSteps) == "--sample-steps")
        #expect(flags.flag(for: \TrainingOptions.emaEvery) == nil, "not a flag")
        #expect(flags.runFlag(for: \Trainer.dataset) == "--data")
        #expect(flags.runFlag(for: \RunFolder.path) == "--out")
        #expect(flags.givenFlags.isEmpty)
    }

    @Test func badTrainingValuesAreOneLineErrors() {
        let cases: [([String], String)] = [
            (["--batch", "0"], "--batch must be at least 1 (got 0)"),
            (["--lr", "-1"], "--lr must be a positive number (got -1.0)"),
            (["--lr=-1"], "--lr must be a positive number (got -1.0)"),
            (["--steps", "0"], "--steps must be at least 1 (got 0)"),
            (["--accumulate", "0"], "--accumulate must be at least 1 (got 0)"),
            (["--save-every", "0"], "--save-every must be at least 1 (got 0)"),
            (["--timesteps", "1"], "--timesteps must be between 2 and 100000 (got 1)"),
            (["--clip", "0"], "--clip must be positive (got 0.0)"),
            (["--ema-decay", "1"], "--ema-decay must be in [0, 1) (got 1.0)"),
            (["--samples", "300"], "--samples must be between 1 and 256 (got 300)"),
            (["--sample-steps", "-1"], "--sample-steps must be 0 (full DDPM) or a positive DDIM step count (got -1)"),
            (["--preset", "huge"], "--preset: unknown preset 'huge'; choose tiny, course, tiny64 or course64 (or fixture, for tests)"),
            (["--model", "dim=0"], "--model: dim=0 must be a whole number in 4...1024"),
            (["--schedule", "expo"], "--schedule: unknown schedule 'expo'; choose linear, cosine, quadratic or sigmoid"),
            (["--objective", "z"], "--objective: unknown objective 'z'; choose epsilon, x0 or v"),
            (["--fixes", "t0=bogus"], "--fixes: fix switches: bad value \"bogus\" for t0 (final step t=0); valid values: mean, xrecon"),
            (["--log-every", "0"], "--log-every 0: must be at least 1"),
        ]
        for (args, message) in cases {
            let f = failure(TrainCommand.self, args)
            #expect(f?.message == message, "\(args)")
            #expect(f?.exitCode == 1, "\(args)")
        }
        // The workbench takes the same flags with the same checks.
        #expect(failure(OpenCommand.self, ["--batch", "0"])?.message == "--batch must be at least 1 (got 0)")
    }

    @Test func wordsForNumbersAreUsageErrors() {
        let steps = failure(TrainCommand.self, ["--steps", "abc"])
        #expect(steps?.message == "The value 'abc' is invalid for '--steps <n>': expected a whole number")
        #expect(steps?.exitCode == 64)
        #expect(failure(TrainCommand.self, ["--seed", "-3"])?.message
            == "The value '-3' is invalid for '--seed <n>': expected a whole number, 0 or more")
        #expect(failure(TrainCommand.self, ["--lr", "fast"])?.message == "The value 'fast' is invalid for '--lr <x>': expected a number")
        let unknown = failure(TrainCommand.self, ["--bogus"])
        #expect(unknown?.message == "Unknown option '--bogus'. Did you mean '--out'?")
        #expect(unknown?.exitCode == 64)
    }

    @Test func resumeChecksItsFileAndStillRefusesBadValues() {
        let f = failure(TrainCommand.self, ["--resume", missing])
        #expect(f?.message == "checkpoint \(missing): no such file; pass the checkpoint.safetensors of a run folder")
        #expect(f?.exitCode == 1)
        // Flags other than --steps are ignored with --resume, but a bad value is still an error.
        #expect(failure(TrainCommand.self, ["--resume", missing, "--batch", "0"])?.message == "--batch must be at least 1 (got 0)")
    }

    // MARK: Data

    @Test func dataFlags() throws {
        let d = try DataFlags.parse(["--data", "/pics", "--class", "cat"])
        #expect(d.source == DataSource(folder: "/pics", className: "cat"))
        #expect(try DataFlags.parse([]).source == .builtin)
        for command in [TrainCommand.self, OpenCommand.self] as [ParsableCommand.Type] {
            let f = CommandFixtures.parseFailure(command, ["--class", "cat"])
            #expect(f?.message == "--class: needs --data DIR (the built-in faces have no class folders)")
            #expect(f?.exitCode == 1)
        }
    }

    // MARK: Checkpoint and sampling

    @Test func checkpointFlag() throws {
        let required = failure(SampleCommand.self, [])
        #expect(required?.message == "Missing expected argument '--checkpoint <file>'")
        #expect(required?.exitCode == 64)
        let noFile = "checkpoint \(missing): no such file; pass the checkpoint.safetensors of a run folder"
        for command in [SampleCommand.self, VisualizeCommand.self, RenderCommand.self] as [ParsableCommand.Type] {
            let f = CommandFixtures.parseFailure(command, ["--checkpoint", missing])
            #expect(f?.message == noFile && f?.exitCode == 1, "\(command)")
        }
        #expect(failure(CompareCommand.self, ["--checkpoint", missing, "--b", "t0=xrecon"])?.message == noFile)
        #expect(failure(OpenCommand.self, ["--checkpoint", missing])?.message == noFile)
    }

    @Test func samplingAndFixesFlags() throws {
        let dir = try CommandFixtures.tempFolder("parse")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try CommandFixtures.trainedCheckpoint(in: dir)
        let s = try SampleCommand.parse(["--checkpoint", path, "--steps", "5", "--eta", "0.5", "--seed", "3", "--raw", "--fixes", "t0=xrecon"])
        #expect(s.sampling.sampler == nil && s.sampling.seed == 3 && s.sampling.raw && s.fixesFlag.fixes == "t0=xrecon")
        #expect(try s.sampling.sampler(timesteps: 20) == .ddim(steps: 5, eta: 0.5))

        let cases: [([String], String)] = [
            (["--sampler", "euler"], "--sampler: unknown sampler 'euler'; choose ddpm or ddim"),
            (["--sampler", "ddpm", "--eta", "0.5"], "--eta: applies to --sampler ddim only"),
            (["--steps", "0"], "--steps 0: DDIM needs at least 1 step"),
            (["--eta=-1"], "--eta -1.0: must be 0 (deterministic) or positive"),
            (["--fixes", "t0=maybe"], "--fixes: fix switches: bad value \"maybe\" for t0 (final step t=0); valid values: mean, xrecon"),
            (["--count", "0"], "--count 0: must be between 1 and 1024"),
        ]
        for (args, message) in cases {
            let f = failure(SampleCommand.self, ["--checkpoint", path] + args)
            #expect(f?.message == message && f?.exitCode == 1, "\(args): \(String(describing: f))")
        }
        // What needs the checkpoint's T is checked when it is open.
        let ddpm = try SampleCommand.parse(["--checkpoint", path, "--sampler", "ddpm", "--steps", "10"])
        #expect(throws: FlagError("--steps 10: DDPM always takes all T=20 steps; use --sampler ddim --steps 10")) {
            try ddpm.run(console: .capturing())
        }
        let tooMany = try SampleCommand.parse(["--checkpoint", path, "--steps", "30"])
        #expect(throws: FlagError("--steps 30: DDIM needs 1...20 steps (the checkpoint's T)")) { try tooMany.run(console: .capturing()) }

        #expect(failure(RenderCommand.self, ["--checkpoint", path, "--eta", "0"])?.message == "--eta: not used by render; drop it")
        #expect(failure(RenderCommand.self, ["--checkpoint", path, "--width", "4"])?.message == "--width 4: must be between 8 and 1000")
        #expect(failure(RenderCommand.self, ["--checkpoint", path, "--color", "rainbow"])?.message
            == "--color: unknown colour mode 'rainbow'; choose truecolor, 256 or 16")
        #expect(failure(CompareCommand.self, ["--checkpoint", path, "--a", "x=1", "--b", "t0=xrecon"])?.message
            .hasPrefix("--a: fix switches: unknown switch \"x\"") == true)
        #expect(failure(VisualizeCommand.self, ["--checkpoint", path, "--scale", "0"])?.message == "--scale 0: must be between 1 and 32")
    }

    // MARK: Baseline

    @Test func baselineFlagReadsARunFolderOnce() throws {
        let nowhere = "/no/such/run"
        let f = failure(OpenCommand.self, ["--baseline", nowhere])
        #expect(f?.message == "--baseline: run folder \(nowhere): no such folder; pass the folder a training run wrote (the one holding metrics.jsonl)")
        #expect(f?.exitCode == 1)
        let dir = try CommandFixtures.tempFolder("baseline")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(failure(OpenCommand.self, ["--baseline", dir])?.message == "--baseline: run folder \(dir): no metrics.jsonl in it; pass the folder a training run wrote")
        // A run folder as a writer leaves it (docs/run-folder.md): the launch carries it as an overlay.
        let lines = [
            #"{"event":"start","step":0,"writer":"ddpm","world_size":1,"device":"cpu"}"#,
            #"{"step":1,"loss":0.5,"loss_by_t_bucket":[0.6,null]}"#, #"{"step":2,"loss":0.4,"loss_by_t_bucket":[0.5,0.3]}"#,
            #"{"event":"milestone","step":2,"nn_rmse":0.8,"swd":0.1,"samples":"x.png"}"#,
        ]
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: dir + "/metrics.jsonl"))
        let open = try OpenCommand.parse(["--baseline", dir, "--out", dir + "/new"])
        #expect(open.baseline == dir)
        let launch = try open.launch()
        let overlay = try #require(launch.overlays.first)
        #expect(launch.overlays.count == 1 && overlay.label == "baseline")
        #expect(overlay.snapshot.history.lastStep == 2 && overlay.snapshot.losses == [0.5, 0.4])
        #expect(overlay.snapshot.milestones == [MilestoneMetrics(step: 2, nearestNeighbourRMSE: 0.8, swd: 0.1)])
        #expect(try OpenCommand.parse(["--out", dir + "/new"]).launch().overlays.isEmpty)
    }

    // MARK: The root command

    @Test func rootCommandDispatchesAndDefaultsToOpen() throws {
        #expect(try DDPM.parseAsRoot([]) is OpenCommand)
        #expect(try DDPM.parseAsRoot(["--steps", "5"]) is OpenCommand)
        #expect(try DDPM.parseAsRoot(["schedule", "--csv"]) is ScheduleCommand)
        do {
            _ = try DDPM.parseAsRoot(["train", "--batch", "0"])
            Issue.record("expected an error")
        } catch {
            #expect(DDPM.fullMessage(for: error) == "Error: --batch must be at least 1 (got 0)")
            #expect(DDPM.exitCode(for: error) == .failure)
        }
    }
}

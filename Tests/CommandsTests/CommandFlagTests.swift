import Commands
import DiffusionEngine
import Foundation
import Testing
import Workbench

/// The meaning of flag values: presets, schedules, samplers, fix sets, training flags.
@Suite struct CommandFlagTests {
    @Test func unknownPresetIsOneLineNamingTheFlagAndTheChoices() {
        #expect(throws: FlagError("--preset: unknown preset 'huge'; choose tiny, course, tiny64 or course64 (or fixture, for tests)")) {
            try FlagValues.preset("huge")
        }
        #expect((try? FlagValues.preset("Course")) == UNetConfig.course)
    }

    @Test func scheduleObjectiveAndColourNames() throws {
        #expect(try FlagValues.schedule("cosine") == .cosine)
        #expect(try FlagValues.objective("eps") == .epsilon)
        #expect(try FlagValues.objective("v") == .v)
        #expect(try FlagValues.colorMode("256", environment: [:]) == .xterm256)
        #expect(try FlagValues.colorMode(nil, environment: ["COLORTERM": "truecolor"]) == .direct)
        do {
            _ = try FlagValues.schedule("expo", flag: "--kind")
            Issue.record("expected an error")
        } catch let e as FlagError {
            #expect(e.message == "--kind: unknown schedule 'expo'; choose linear, cosine, quadratic or sigmoid")
        }
        #expect(throws: FlagError.self) { try FlagValues.colorMode("rainbow", environment: [:]) }
    }

    @Test func fixesParseOverABaseAndErrorsNameTheFlag() throws {
        let f = try FlagValues.fixes("t0=xrecon", base: .course)
        #expect(f.finalStep == .xRecon && f.lossInput == .x0)
        do {
            _ = try FlagValues.fixes("t0=maybe", flag: "--b")
            Issue.record("expected an error")
        } catch let e as FlagError {
            #expect(e.message.hasPrefix("--b: fix switches: bad value \"maybe\" for t0"))
            #expect(!e.message.contains("\n"))
        }
    }

    @Test func samplerRules() throws {
        #expect(try FlagValues.sampler(nil, steps: nil, eta: nil, timesteps: 1000) == .ddpm)
        #expect(try FlagValues.sampler(nil, steps: 50, eta: nil, timesteps: 1000) == .ddim(steps: 50, eta: 0))
        #expect(try FlagValues.sampler("ddim", steps: nil, eta: 0.5, timesteps: 20) == .ddim(steps: 20, eta: 0.5))
        #expect(try FlagValues.sampler("ddpm", steps: 1000, eta: nil, timesteps: 1000) == .ddpm)
        #expect(throws: FlagError.self) { try FlagValues.sampler("ddpm", steps: 50, eta: nil, timesteps: 1000) }
        #expect(throws: FlagError.self) { try FlagValues.sampler("ddim", steps: 2000, eta: nil, timesteps: 1000) }
        #expect(throws: FlagError.self) { try FlagValues.sampler("euler", steps: nil, eta: nil, timesteps: 1000) }
    }

    @Test func modelChangesApplyToThePresetAndNameTheBadKey() throws {
        let m = try FlagValues.model("res-blocks=2, attention=16-8,mults=1-2-4,dim=48", base: .tiny)
        #expect(m.resBlocks == 2 && m.attentionResolutions == [16, 8] && m.channelMults == [1, 2, 4] && m.dim == 48)
        #expect(m.groups == UNetConfig.tiny.groups, "keys not given keep the preset's value")
        #expect(try FlagValues.model("attention=none", base: .course).attentionResolutions.isEmpty)
        #expect(throws: FlagError("--model: unknown key 'width'; use image-size, channels, dim, mults, res-blocks, attention, heads, head-dim or groups")) {
            try FlagValues.model("width=3", base: .tiny)
        }
        #expect(throws: FlagError.self) { try FlagValues.model("dim", base: .tiny) }
        #expect(throws: FlagError.self) { try FlagValues.model("res-blocks=0", base: .tiny) }
        #expect(throws: FlagError.self) { try FlagValues.model("dim=30", base: .tiny) }  // 60 channels, 8 groups
        let o = try TrainingFlags.parse(["--model", "res-blocks=2"])
        #expect(try o.apply(to: .interactive).model.resBlocks == 2)
        #expect(o.givenFlags == ["--model"])
    }

    @Test func trainingFlagsApplyOnTheirBaseAndValidate() throws {
        let o = try TrainingFlags.parse([
            "--preset", "fixture", "--batch", "5", "--lr", "2e-4", "--timesteps", "50", "--schedule", "cosine",
            "--fixes", "loss=l2", "--no-augment",
        ])
        let opts = try o.apply(to: TrainingOptions())
        #expect(opts.model == .fixture && opts.preset == "fixture")
        #expect(opts.batchSize == 5 && opts.learningRate == 2e-4 && opts.timesteps == 50)
        #expect(opts.schedule == .cosine && opts.fixes.loss == .l2 && opts.augment == .off)
        #expect(opts.steps == TrainingOptions().steps, "flags not given keep the base's value")
        #expect(try TrainingFlags.parse([]).apply(to: .interactive) == .interactive)
        #expect(o.givenFlags == ["--preset", "--batch", "--lr", "--timesteps", "--schedule", "--fixes", "--no-augment"])

        #expect(CommandFixtures.parseFailure(TrainingFlags.self, ["--batch", "0"])?.message == "--batch must be at least 1 (got 0)")
        #expect(CommandFixtures.parseFailure(TrainingFlags.self, ["--sample-steps", "-1"])?.message
            == "--sample-steps must be 0 (full DDPM) or a positive DDIM step count (got -1)")
    }

    @Test func helpDefaultsNameBothEntryPointsWhenTheyDiffer() {
        #expect(CommandHelp.defaults(\.batchSize) == "default: 32; workbench: 16")
        #expect(CommandHelp.defaults(\.learningRate) == "default: 0.001")
        #expect(CommandHelp.defaults(\.preset) == "default: tiny")
        #expect(CommandHelp.fixesSyntax.contains("t0=mean|xrecon"))
    }

    @Test func shellWordsAndFolders() {
        #expect(FlagValues.shellWord("runs/a-1/checkpoint.safetensors") == "runs/a-1/checkpoint.safetensors")
        #expect(FlagValues.shellWord("my runs/it's") == "'my runs/it'\\''s'")
        #expect(FlagValues.folder(of: "checkpoint.safetensors") == ".")
        #expect(FlagValues.folder(of: "/a/b/c.png") == "/a/b")
        let name = FlagValues.defaultRunFolder(now: Date(timeIntervalSince1970: 0))
        #expect(name.hasPrefix("runs/19") && name.count == "runs/yyyyMMdd-HHmmss".count)
    }

    @Test func openBuildsTheLaunchWithWorkbenchDefaults() throws {
        let c = try OpenCommand.parse(["--steps", "123"])
        let l = try c.launch()
        var expected = TrainingOptions.interactive
        expected.steps = 123
        expected.augment = .off
        #expect(l.options == expected, "the built-in faces train without crops and flips by default")
        #expect(l.data == .builtin && !l.viewOnly && l.checkpoint == nil && l.out.hasPrefix("runs/"))

        let folder = try OpenCommand.parse(["--data", "/some/folder"])
        #expect(try folder.launch().options.augment == .off, "the workbench trains on a folder's images as they are")
        #expect(try TrainCommand.parse(["--data", "/some/folder"]).training.options(base: TrainingOptions(), data: .folder(path: "/some/folder", className: nil), resuming: nil).augment == .cropFlip,
                "ddpm train crops and mirrors, as the course")
        #expect(try OpenCommand.parse([]).launch().options.augment == .off, "the built-in faces are never augmented by default")
        #expect(try OpenCommand.parse(["--data", "/some/folder", "--no-augment"]).launch().options.augment == .off)
        #expect(try OpenCommand.parse(["--augment", "crop-flip"]).launch().options.augment == .cropFlip)
        #expect(try OpenCommand.parse(["--data", "/some/folder", "--augment", "FLIP"]).launch().options.augment == .flip)
        #expect(throws: (any Error).self) { try OpenCommand.parse(["--augment", "flip", "--no-augment"]) }

        #expect(CommandFixtures.parseFailure(OpenCommand.self, ["--view"])?.message == "--view: needs --checkpoint FILE to view")
        #expect(CommandFixtures.parseFailure(OpenCommand.self, ["--theme", "no-such-theme"])?.message
            .hasPrefix("--theme: unknown theme 'no-such-theme'") == true)
        #expect(try OpenCommand.parse(["--theme", "light"]).launch().theme == "light")
        // `ddpm --ab SPEC`: B's options over the workbench's, a new pair only.
        let pair = try OpenCommand.parse(["--ab", "input=x0", "--out", "/tmp/ddpm-no-such-pair"]).launch()
        #expect(pair.abOptions?.fixes.lossInput == .x0 && pair.abOptions?.batchSize == pair.options.batchSize)
        #expect(try OpenCommand.parse([]).launch().abOptions == nil)
        #expect(CommandFixtures.parseFailure(OpenCommand.self, ["--ab", "input=x0", "--checkpoint", "/no/such.safetensors"]) != nil)
        #expect(CommandFixtures.parseFailure(OpenCommand.self, ["--class", "cat"])?.message
            == "--class: needs --data DIR (the built-in faces have no class folders)")
    }

    /// `ddpm watch DIR` and `ddpm --watch DIR`: the same launch, watching instead of training.
    @Test func watchOpensAFolderForWatching() throws {
        let dir = try CommandFixtures.tempFolder("watch-flag")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let viaOpen = try OpenCommand.parse(["--watch", dir, "--theme", "light"]).launch()
        let viaWatch = try WatchCommand.parse([dir, "--theme", "light"]).launch()
        for l in [viaOpen, viaWatch] {
            #expect(l.watch == dir && l.viewOnly && l.checkpoint == nil && l.theme == "light")
        }
        #expect(CommandFixtures.parseFailure(WatchCommand.self, [dir + "/nope"])?.message
            == "watch \(dir)/nope: no such folder; pass the run folder the writer's --out names")
        #expect(CommandFixtures.parseFailure(OpenCommand.self, ["--watch", dir + "/nope"])?.message
            == "--watch \(dir)/nope: no such folder; pass the run folder the writer's --out names")
    }

    @Test func openWithACheckpointTakesItsOptionsAndFolder() throws {
        let dir = try CommandFixtures.tempFolder("open")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try CommandFixtures.trainedCheckpoint(in: dir)
        let l = try OpenCommand.parse(["--checkpoint", path, "--view"]).launch()
        #expect(l.options == CommandFixtures.fixtureOptions())
        #expect(l.out == dir && l.viewOnly && l.checkpoint?.path == path)

        // A fresh workbench run does not take over that folder.
        let fresh = try OpenCommand.parse(["--out", dir])
        #expect(throws: FlagError("--out \(dir): already holds a checkpoint; continue it with --checkpoint \(path), or pick another --out")) {
            try fresh.launch()
        }
    }
}

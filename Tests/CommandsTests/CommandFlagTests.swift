import Commands
import DiffusionEngine
import Foundation
import Testing
import Workbench

/// The meaning of flag values: presets, schedules, samplers, fix sets, training overrides.
@Suite struct CommandFlagTests {
    @Test func unknownPresetIsOneLineNamingTheFlagAndTheChoices() {
        #expect(throws: FlagError("--preset: unknown preset 'huge'; choose tiny, course (or fixture, for tests)")) {
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
        #expect(throws: FlagError("--model: unknown key 'width'; use dim, mults, res-blocks, attention, heads, head-dim or groups")) {
            try FlagValues.model("width=3", base: .tiny)
        }
        #expect(throws: FlagError.self) { try FlagValues.model("dim", base: .tiny) }
        #expect(throws: FlagError.self) { try FlagValues.model("res-blocks=0", base: .tiny) }
        #expect(throws: FlagError.self) { try FlagValues.model("dim=30", base: .tiny) }  // 60 channels, 8 groups
        var o = TrainingOverrides()
        o.model = "res-blocks=2"
        #expect(try o.apply(to: .interactive).model.resBlocks == 2)
        #expect(o.givenFlags == ["--model"])
    }

    @Test func overridesApplyOnTheirBaseAndValidate() throws {
        var o = TrainingOverrides()
        o.preset = "fixture"
        o.batch = 5
        o.learningRate = 2e-4
        o.timesteps = 50
        o.schedule = "cosine"
        o.fixes = "loss=l2"
        o.augment = false
        let opts = try o.apply(to: TrainingOptions())
        #expect(opts.model == .fixture && opts.preset == "fixture")
        #expect(opts.batchSize == 5 && opts.learningRate == 2e-4 && opts.timesteps == 50)
        #expect(opts.schedule == .cosine && opts.fixes.loss == .l2 && !opts.augment)
        #expect(opts.steps == TrainingOptions().steps, "flags not given keep the base's value")
        #expect(try TrainingOverrides().apply(to: .interactive) == .interactive)
        #expect(o.givenFlags == ["--preset", "--batch", "--lr", "--timesteps", "--schedule", "--fixes", "--no-augment"])

        var bad = TrainingOverrides()
        bad.batch = 0
        #expect(throws: EngineError("--batch must be at least 1 (got 0)")) { try bad.apply(to: TrainingOptions()) }
        bad = TrainingOverrides()
        bad.sampleSteps = -1
        #expect(throws: FlagError.self) { try bad.apply(to: TrainingOptions()) }
    }

    @Test func helpDefaultsNameBothEntryPointsWhenTheyDiffer() {
        #expect(CommandHelp.defaults(\.batch) == "default: 32; workbench: 16")
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
        var c = OpenCommand()
        c.overrides.steps = 123
        let l = try c.launch()
        var expected = TrainingOptions.interactive
        expected.steps = 123
        expected.augment = false
        #expect(l.options == expected, "the built-in faces train without crops and flips by default")
        #expect(l.data == .builtin && !l.viewOnly && l.checkpoint == nil && l.out.hasPrefix("runs/"))

        var folder = OpenCommand()
        folder.data = "/some/folder"
        #expect(try folder.launch().options.augment, "a folder augments by default, as in the course")
        folder.overrides.augment = false
        #expect(try !folder.launch().options.augment)
        var builtinOn = OpenCommand()
        builtinOn.overrides.augment = true
        #expect(try builtinOn.launch().options.augment)

        var view = OpenCommand()
        view.view = true
        #expect(throws: FlagError("--view: needs --checkpoint FILE to view")) { try view.launch() }

        var theme = OpenCommand()
        theme.theme = "no-such-theme"
        #expect(throws: FlagError.self) { try theme.launch() }
        theme.theme = "light"
        #expect(try theme.launch().theme == "light")

        var cls = OpenCommand()
        cls.className = "cat"
        #expect(throws: FlagError.self) { try cls.launch() }
    }

    @Test func openWithACheckpointTakesItsOptionsAndFolder() throws {
        let dir = try CommandFixtures.tempFolder("open")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try CommandFixtures.trainedCheckpoint(in: dir)
        var c = OpenCommand()
        c.checkpoint = path
        c.view = true
        let l = try c.launch()
        #expect(l.options == CommandFixtures.fixtureOptions())
        #expect(l.out == dir && l.viewOnly && l.checkpoint?.path == path)

        // A fresh workbench run does not take over that folder.
        var fresh = OpenCommand()
        fresh.out = dir
        #expect(throws: FlagError("--out \(dir): already holds a checkpoint; continue it with --checkpoint \(path), or pick another --out")) {
            try fresh.launch()
        }
    }
}

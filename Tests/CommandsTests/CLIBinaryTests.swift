import Foundation
import Testing

/// The built `ddpm` executable, run as a user would: flag parsing, exit codes, one-line errors,
/// and a Ctrl-C in the middle of training. Skipped when the binary is not next to the test bundle.
@Suite struct CLIBinaryTests {
    /// `ddpm` in the build folder of this test run (next to the test bundle), or nil.
    static let binary: String? = {
        var candidates: [String] = []
        if let exe = Bundle.main.executableURL {
            candidates.append(exe.deletingLastPathComponent().appendingPathComponent("ddpm").path)
            candidates.append(exe.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("ddpm").path)
        }
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("ddpm").path)
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug/ddpm").path)
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    struct Run {
        var status: Int32
        var out: String
        var err: String
    }

    /// Runs the binary to completion with stdout and stderr captured (not a terminal).
    static func run(_ args: [String]) throws -> Run {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary!)
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Read before waiting: a full pipe would block the child.
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Run(status: p.terminationStatus, out: String(decoding: o, as: UTF8.self), err: String(decoding: e, as: UTF8.self))
    }

    @Test(.enabled(if: binary != nil, "ddpm binary not found next to the test bundle; run `swift build` first"))
    func scheduleCSV() throws {
        let r = try Self.run(["schedule", "--csv", "--timesteps", "50"])
        #expect(r.status == 0)
        let lines = r.out.split(separator: "\n")
        #expect(lines.count == 51)
        #expect(lines.first?.hasPrefix("t,betas,alphas,alphas_cumprod,") == true)
        #expect(r.err.isEmpty)
    }

    @Test(.enabled(if: binary != nil, "ddpm binary not found next to the test bundle; run `swift build` first"))
    func badValuesAreOneLineErrors() throws {
        let preset = try Self.run(["train", "--preset", "huge"])
        #expect(preset.status == 1)
        #expect(preset.err == "Error: --preset: unknown preset 'huge'; choose tiny, course, tiny64 or course64 (or fixture, for tests)\n")
        #expect(preset.out.isEmpty)

        let dir = try CommandFixtures.tempFolder("cli-broken")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let broken = dir + "/checkpoint.safetensors"
        try Data("definitely not safetensors".utf8).write(to: URL(fileURLWithPath: broken))
        for cmd in ["sample", "visualize", "render"] {
            let r = try Self.run([cmd, "--checkpoint", broken])
            #expect(r.status == 1, "\(cmd)")
            #expect(r.err.hasPrefix("Error: ") && r.err.contains(broken), "\(cmd): \(r.err)")
            #expect(r.err.split(separator: "\n").count == 1, "\(cmd): one line, got \(r.err)")
        }
        let compare = try Self.run(["compare", "--checkpoint", broken + ".missing", "--b", "t0=xrecon"])
        #expect(compare.status == 1 && compare.err.contains("no such file"))
        let baseline = try Self.run(["--baseline", dir + "/nope"])
        #expect(baseline.status == 1)
        #expect(baseline.err == "Error: --baseline: run folder \(dir)/nope: no such folder; pass the folder a training run wrote (the one holding metrics.jsonl)\n")
    }

    @Test(.enabled(if: binary != nil, "ddpm binary not found next to the test bundle; run `swift build` first"))
    func everyHelpExplainsItsFlags() throws {
        // ArgumentParser's machine-readable help: every argument of every command has an abstract.
        let dump = try Self.run(["--experimental-dump-help"])
        #expect(dump.status == 0)
        let json = try JSONSerialization.jsonObject(with: Data(dump.out.utf8)) as? [String: Any]
        let root = json?["command"] as? [String: Any]
        // ArgumentParser's own `help` subcommand is not ours to document.
        let commands = ((root?["subcommands"] as? [[String: Any]]) ?? []).filter { $0["commandName"] as? String != "help" }
        #expect(Set(commands.compactMap { $0["commandName"] as? String })
            == ["open", "train", "sample", "reconstruct", "interpolate", "schedule", "visualize", "compare", "render", "bench", "watch", "export"])
        for cmd in commands {
            let name = cmd["commandName"] as? String ?? "?"
            #expect(!((cmd["abstract"] as? String) ?? "").isEmpty, "\(name) has an abstract")
            for arg in (cmd["arguments"] as? [[String: Any]]) ?? [] {
                let flag = ((arg["names"] as? [[String: Any]])?.first?["name"] as? String) ?? "?"
                let abstract = (arg["abstract"] as? String) ?? ""
                #expect(!abstract.isEmpty, "\(name) --\(flag) has a help text")
                // ArgumentParser prints "(default: …)" itself for flags with a default value.
                #expect(arg["defaultValue"] == nil || !abstract.contains("default:"), "\(name) --\(flag) states its default twice")
            }
        }
        let train = try Self.run(["train", "--help"]).out
        for flag in ["--data", "--class", "--preset", "--steps", "--batch", "--lr", "--accumulate", "--save-every", "--seed",
                     "--out", "--timesteps", "--schedule", "--objective", "--fixes", "--resume", "--ema-decay", "--clip",
                     "--samples", "--no-augment"] {
            #expect(train.contains(flag + " ") || train.contains(flag + "\n"), "train --help mentions \(flag)")
        }
        #expect(train.contains("default: 32; workbench: 16"))
    }

    @Test(.enabled(if: binary != nil, "ddpm binary not found next to the test bundle; run `swift build` first"))
    func ctrlCSavesAndResumes() throws {
        let dir = try CommandFixtures.tempFolder("cli-sigint")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let images = try CommandFixtures.imageFolder(in: dir + "/images", count: 3)
        let log = dir + "/out.txt"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary!)
        p.arguments = ["train", "--preset", "fixture", "--timesteps", "20", "--steps", "1000000", "--batch", "2",
                       "--accumulate", "1", "--save-every", "1000000", "--samples", "2", "--log-every", "1", "--out", dir + "/run",
                       "--data", images]
        p.standardOutput = FileHandle(forWritingAtPath: log)
        p.standardError = FileHandle.nullDevice
        try p.run()
        // Wait for a few steps, then press Ctrl-C.
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, !(try String(contentsOfFile: log, encoding: .utf8)).contains("step 3/") {
            usleep(50_000)
        }
        p.interrupt()
        // A watchdog: a run that ignores Ctrl-C fails the test instead of hanging it.
        let stopDeadline = Date().addingTimeInterval(60)
        while p.isRunning && Date() < stopDeadline { usleep(50_000) }
        let ignoredCtrlC = p.isRunning
        if ignoredCtrlC { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        #expect(!ignoredCtrlC, "ddpm train did not stop within 60 s of SIGINT")
        let out = try String(contentsOfFile: log, encoding: .utf8)
        let tail = out.split(separator: "\n").suffix(4).joined(separator: "\n")
        #expect(p.terminationStatus == 130, "exit status; output ends with:\n\(tail)")
        #expect(out.contains("by SIGINT"), "\(tail)")
        #expect(out.contains("resume with: ddpm train --resume \(dir)/run/checkpoint.safetensors --data \(images)"), "\(tail)")
        #expect(FileManager.default.fileExists(atPath: dir + "/run/samples/step-final.png"))

        // Resume to a few more steps than were saved.
        let saved = out.components(separatedBy: "stopped at step ").last.flatMap { Int($0.prefix { $0.isNumber }) } ?? -1
        #expect(saved >= 3)
        let r = try Self.run(["train", "--resume", dir + "/run/checkpoint.safetensors", "--data", images, "--steps", String(saved + 2)])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("resuming \(dir)/run/checkpoint.safetensors at step \(saved)"))
        #expect(r.out.contains("finished \(saved + 2) steps"))
    }
}

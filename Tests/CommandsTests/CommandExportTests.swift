import ArgumentParser
import Commands
import DiffusionEngine
import Foundation
import ImageIO
import Testing

/// `ddpm export`: the folder a GPU machine continues the run from.
@Suite struct CommandExportTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The trainer inside the binary is the one in reference/ (run scripts/embed-trainer after editing it).
    @Test func embeddedTrainerIsReferenceAsCommitted() throws {
        let files = TrainerSources.files
        #expect(files.map(\.name).contains("train.py") && files.count >= 10)
        for (name, contents) in files {
            let onDisk = try Data(contentsOf: Self.repository.appendingPathComponent("reference/" + name))
            #expect(contents == onDisk, "reference/\(name) differs from the embedded copy: run scripts/embed-trainer")
        }
    }

    @Test func freshRunFolderWithCheckpointDataModelAndLaunchScript() throws {
        let dir = try CommandFixtures.tempFolder("export")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let out = dir + "/gpu"
        let console = Console.capturing()
        try ExportCommand.parse(["--preset", "fixture", "--steps", "50", "--batch", "4", "--out", out]).run(console: console)
        #expect(console.capturedOutput.hasPrefix("ddpm export: wrote \(out) (fixture, 8x8, step 0 of 50, global batch 4 x accumulate 2)"))
        for f in ["train.py", "unet.py", "requirements.txt", "checkpoint.safetensors", "model.safetensors", "config.json", "launch.sh", "data/NOTICE"] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + f), "\(f) written")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: out + "/data").filter { $0.hasSuffix(".png") }.count == BuiltinFaces.count)
        let c = try Checkpoint.load(path: out + "/checkpoint.safetensors")
        #expect(c.step == 0 && c.options.steps == 50 && c.options.model == .fixture && c.options.batchSize == 4)
        // model.safetensors: the EMA weights under the twin's plain names.
        let model = try SafeTensors.read(path: out + "/model.safetensors")
        #expect(Set(model.tensors.keys) == Set(c.file.tensors.keys.filter { $0.hasPrefix("ema.") }.map { String($0.dropFirst(4)) }))
        #expect(model.tensors["init_conv.weight"]?.data == c.file.tensors["ema.init_conv.weight"]?.data)
        let config = try JSONDecoder().decode(UNetConfig.self, from: Data(contentsOf: URL(fileURLWithPath: out + "/config.json")))
        #expect(config == .fixture)
        let launch = try String(contentsOfFile: out + "/launch.sh", encoding: .utf8)
        #expect(launch.contains("torchrun --standalone --nproc_per_node=\"$NPROC\" train.py"))
        #expect(launch.contains("--data \"${DATA:-data}\" --resume \"$OUT/checkpoint.safetensors\" --steps 50 --out \"$OUT\""))
        #expect(FileManager.default.isExecutableFile(atPath: out + "/launch.sh"))
        // A folder that already holds a checkpoint is not overwritten.
        #expect(CommandFixtures.parseFailure(ExportCommand.self, ["--preset", "fixture", "--out", out])?.message
            == "--out \(out): already holds a checkpoint; continue it with ddpm export --checkpoint \(out)/checkpoint.safetensors, or pick another --out")
    }

    @Test func fromACheckpointKeepsItsOptionsAndRaisesSteps() throws {
        let dir = try CommandFixtures.tempFolder("export-ckpt")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ExportCommand.parse(["--preset", "fixture", "--steps", "5", "--out", dir + "/a"]).run(console: .capturing())
        let source = dir + "/a/checkpoint.safetensors"
        try ExportCommand.parse(["--checkpoint", source, "--steps", "9", "--data", "/elsewhere/faces", "--out", dir + "/b"]).run(console: .capturing())
        let c = try Checkpoint.load(path: dir + "/b/checkpoint.safetensors")
        #expect(c.options.steps == 9 && c.options.model == .fixture)
        #expect(!FileManager.default.fileExists(atPath: dir + "/b/data"), "with --data the user copies their own folder")
        #expect(try String(contentsOfFile: dir + "/b/launch.sh", encoding: .utf8).contains("--data \"${DATA:-/elsewhere/faces}\""))
    }
}

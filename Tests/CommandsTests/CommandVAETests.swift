import ArgumentParser
import Commands
import DiffusionEngine
import Foundation
import ImageIO
import Testing
import Workbench

/// The VAE through the commands: `--model vae,...`, `train`, `sample` (the prior),
/// `reconstruct`, `interpolate`, and the one-line errors when a checkpoint is the wrong family.
@Suite struct CommandVAETests {
    @Test func modelFlagTakesAFamilyWordThenItsKeys() throws {
        let base = TrainingOptions()
        let plain = try FlagValues.model("vae", options: base)
        #expect(plain.family == .vae && plain.vae == .tiny && plain.model == base.model)
        #expect(plain.batchSize == 16 && plain.accumulate == 1 && plain.saveEvery == 250 && plain.emaStartStep == 100, "the VAE recipe")
        // Flags after --model still change the recipe's values.
        let flags = try TrainingFlags.parse(["--model", "vae", "--batch", "8", "--save-every", "50"])
        let applied = try flags.apply(to: base)
        #expect(applied.family == .vae && applied.batchSize == 8 && applied.saveEvery == 50 && applied.steps == 4000)
        let o = try FlagValues.model("vae, latent=128, beta=0.25, warmup=500, recon=L1, dim=48", options: base)
        #expect(o.vae.latentShape == [128] && o.vae.beta == 0.25 && o.vae.klWarmupSteps == 500)
        #expect(o.vae.reconstruction == .l1 && o.vae.dim == 48)
        #expect(plain.vae.latentShape == [128])
        // A map latent follows the image size unless it is given.
        var fixture = base
        fixture.preset = "fixture"
        #expect(try FlagValues.model("vae", options: fixture).vae == .fixture)
        #expect(try FlagValues.model("vae,image-size=16", options: fixture).vae.latentShape == [2, 8, 8])
        // The UNet's keys still work, with or without the family word.
        #expect(try FlagValues.model("unet,res-blocks=2", options: base).model.resBlocks == 2)
        #expect(try FlagValues.model("res-blocks=2", options: base).family == .diffusion)
        #expect(throws: FlagError("--model: unknown key 'attention'; use image-size, channels, dim, mults, res-blocks, groups, latent, beta, warmup or recon")) {
            try FlagValues.model("vae,attention=16", options: base)
        }
        #expect(throws: FlagError("--model: latent=4x8 must be CxSxS (a map, e.g. 4x8x8) or N (a vector, e.g. 128)")) {
            try FlagValues.model("vae,latent=4x8", options: base)
        }
        do {
            _ = try FlagValues.model("vae,latent=4x4x4", options: base)
            Issue.record("a 4x4 latent from a 32px image with 3 levels must be refused")
        } catch {
            #expect("\(error)".hasPrefix("--model: VAE config: latent 4x4x4 needs side 8"))
        }
        var course = base
        course.preset = "course"
        #expect(throws: FlagError.self) { try FlagValues.model("vae", options: course) }
    }

    /// A VAE trained by `ddpm train --preset fixture --model vae`, then sampled, reconstructed and
    /// interpolated; a diffusion checkpoint given to reconstruct is one line.
    @Test func trainSampleReconstructInterpolate() throws {
        let dir = try CommandFixtures.tempFolder("vae")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let images = try CommandFixtures.imageFolder(in: dir + "-images", count: 4)
        defer { try? FileManager.default.removeItem(atPath: images) }
        let console = Console.capturing()
        let train = try TrainCommand.parse(["--data", images, "--out", dir, "--preset", "fixture", "--model", "vae", "--steps", "2",
                                            "--save-every", "1", "--batch", "2", "--accumulate", "1", "--samples", "2"])
        #expect(try train.run(console: console) == 0)
        let out = console.capturedOutput
        #expect(out.hasPrefix("ddpm train: VAE ("), "\(out)")
        #expect(out.contains("latent 2x4x4"))
        #expect(out.contains("step 1: checkpoint \(dir)/checkpoint.safetensors, samples \(dir)/samples/step-000001.png, nn-RMSE "))
        #expect(out.contains(", reconstructions \(dir)/samples/recon-step-000001.png (RMSE "))
        #expect(out.contains("latent units active"))
        for f in ["samples/recon-step-000001.png", "samples/recon-step-final.png", "samples/step-final.png"] {
            #expect(FileManager.default.fileExists(atPath: dir + "/" + f), "\(f) written")
        }
        let metrics = try String(contentsOfFile: dir + "/metrics.jsonl", encoding: .utf8)
        #expect(metrics.contains("\"recon_rmse\"") && metrics.contains("\"kl_per_unit\"") && metrics.contains("\"reconstruction\""))
        let ckpt = dir + "/checkpoint.safetensors"
        #expect(try Checkpoint.load(path: ckpt).options.family == .vae)

        // sample: the prior, in one pass; a sampler flag is an error
        let s = try SampleCommand.parse(["--checkpoint", ckpt, "--count", "3", "--out", dir + "/prior.png"]).run(console: .capturing())
        #expect(s.samples.shape == [3, 3, 8, 8] && s.sampler == nil)
        #expect(throws: FlagError.self) { try SampleCommand.parse(["--checkpoint", ckpt, "--steps", "5"]).run(console: .capturing()) }

        // reconstruct: 3 pairs, a grid of 2 rows of 3
        let r = try ReconstructCommand.parse(["--checkpoint", ckpt, "--data", images, "--count", "3"]).run(console: .capturing())
        #expect(r.path == dir + "/samples/reconstruct.png" && r.inputs.shape == [3, 3, 8, 8])
        let grid = try ImageDecoder.decodeFile(atPath: r.path)
        #expect(grid.width == 3 * (8 + 2) + 2 && grid.height == 2 * (8 + 2) + 2)

        // interpolate: by index and by file
        let i = try InterpolateCommand.parse(["--checkpoint", ckpt, "--data", images, "--from", "0", "--to", images + "/3.png",
                                              "--steps", "4"]).run(console: .capturing())
        #expect(i.row.shape == [4, 3, 8, 8] && i.path == dir + "/samples/interpolate-0-3.png")
        #expect(throws: FlagError.self) {
            try InterpolateCommand.parse(["--checkpoint", ckpt, "--data", images, "--from", "0", "--to", "9"]).run(console: .capturing())
        }

        // the wrong family, either way, is one line
        let diffusionFolder = try CommandFixtures.tempFolder("vae-diffusion")
        defer { try? FileManager.default.removeItem(atPath: diffusionFolder) }
        let diffusion = try CommandFixtures.trainedCheckpoint(in: diffusionFolder)
        do {
            _ = try ReconstructCommand.parse(["--checkpoint", diffusion, "--data", images]).run(console: .capturing())
            Issue.record("a diffusion checkpoint must be refused")
        } catch {
            #expect("\(error)" == "checkpoint \(diffusion) is a diffusion model, not a VAE: reconstruct needs a checkpoint of ddpm train --model vae")
        }
        #expect(throws: FlagError.self) { try CheckpointModel(path: ckpt) }
    }
}

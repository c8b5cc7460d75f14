import DiffusionEngine
import Foundation
import Testing
import TerminalUI
import Workbench

/// The VAE screen: its keys, what it draws for a VAE (and for a diffusion run), the worker that
/// computes its images, the VAE vs diffusion view, and a VAE run in the whole loop.
@Suite struct VAEScreenTests {
    static var options: TrainingOptions {
        var o = AppFixture.options
        o.family = .vae
        o.vae = .fixture
        return o
    }

    static func weights(step: Int = 7) throws -> ModelWeights {
        let values = try VAE(config: .fixture, seed: 3).store.values
        return ModelWeights(step: step, config: .fixture, diffusion: try options.makeDiffusion(), values: values,
                            emaValues: values, vae: .fixture)
    }

    static func state() -> AppState {
        AppState(timesteps: AppFixture.T, family: .vae, vaeImages: 4)
    }

    /// A frame input of a VAE run at step 120 with the model view computed.
    static func input(_ state: AppState, versus: VersusComparison? = nil) throws -> FrameInput {
        var snap = TrainingSnapshot.initial(options: options, data: "fixture patterns: 4 images")
        snap.step = 120
        snap.terms = ["reconstruction": (0..<120).map { 200 * exp(-Float($0) / 40) + 20 }, "kl": (0..<120).map { Float($0) / 10 },
                      "kl_weight": Array(repeating: 0.5, count: 120), "rmse": Array(repeating: 0.3, count: 120)]
        let info = RunInfo(options: options, viewOnly: false, checkpointPath: nil, outPath: "/runs/v",
                           dataDescription: "fixture patterns: 4 images", images: AppFixture.images())
        let frame = try VAEWorker.frame(try weights(), config: .fixture, view: state.vae, images: AppFixture.images())
        return FrameInput(state: state, snapshot: snap, info: info, vae: frame, versus: versus)
    }

    @Test func aVAEOpensOnItsScreenAndItsKeysMoveTheCursors() {
        var s = Self.state()
        #expect(s.screen == .vae && s.vae.from == 0 && s.vae.to == 1)
        for _ in 0..<20 { _ = s.handle(.right) }
        #expect(s.vae.position == VAEView.interpolationSteps - 1)
        _ = s.handle(.left)
        _ = s.handle(.character("a"))
        _ = s.handle(.character("B"))
        #expect(s.vae.position == VAEView.interpolationSteps - 2 && s.vae.from == 1 && s.vae.to == 0)
        _ = s.handle(.character("A"))
        _ = s.handle(.character("A"))
        #expect(s.vae.from == 3, "wraps over the 4 images")
        _ = s.handle(.character("n"))
        _ = s.handle(.character("v"))
        #expect(s.vae.priorSeed == 2 && s.vae.versus)
        _ = s.handle(.character("3"))
        #expect(s.screen == .denoise)
        #expect(WorkbenchApp.wants(s) == ChainWorker.Wants(), "a VAE asks for no reverse chain")
        _ = s.handle(.character("6"))
        #expect(s.screen == .vae, "digits switch screens from a VAE's Denoise: it has no steps to jump to")
    }

    @Test func drawsLossesLatentReconstructionsInterpolationAndSamples() throws {
        var s = Self.state()
        s.vae.position = 4
        let input = try Self.input(s)
        for (w, h, glyphs) in [(160, 50, Glyphs.unicode), (80, 24, .unicode), (120, 40, .ascii)] {
            let g = AppFixture.frame(input, width: w, height: h, glyphs: glyphs)
            let text = g.textLines().joined(separator: "\n")
            for part in ["Loss terms per image", "KL per channel", "reconstructions", "Interpolation image 0", "Prior samples", " 6 VAE "] {
                #expect(text.contains(part), "\(w)x\(h): \(part)")
            }
            if glyphs == .ascii { #expect(g.cells.allSatisfy { $0.character.isASCII }) }
        }
        let big = AppFixture.frame(input).textLines().joined(separator: "\n")
        #expect(big.contains("α 0.500") && big.contains("step 7 · EMA · RMSE"))
        #expect(big.contains("active 2/2 (> 0.01) · KL "))
        // Denoise for a VAE says why there is nothing to step through.
        var d = s
        d.screen = .denoise
        #expect(AppFixture.frame(try Self.input(d)).textLines().joined().contains("A VAE has no reverse chain"))
    }

    @Test func aDiffusionRunSaysHowToGetAVAE() {
        let text = AppFixture.frame(AppFixture.input(AppFixture.state(.vae))).textLines().joined(separator: " ")
        #expect(text.contains("No VAE here") && text.contains("--versus"))
    }

    @Test func versusViewShowsBothSidesWithTheirMetrics() throws {
        var s = Self.state()
        s.vae.versus = true
        let side = VersusComparison.Side(samples: AppFixture.images(), what: "prior", step: 5, nnRMSE: 0.25, swd: 0.5)
        var v = VersusComparison(status: "done")
        v.vae = side
        v.diffusion = side
        let text = AppFixture.frame(try Self.input(s, versus: v)).textLines().joined(separator: "\n")
        #expect(text.contains("VAE: prior") && text.contains("Diffusion: prior") && text.contains("nn-RMSE 0.25"))
        #expect(text.contains("VAE vs diffusion"))
        v.diffusion = nil
        v.status = "no diffusion checkpoint: open one beside it with ddpm --checkpoint VAE --versus DIFFUSION"
        let missing = AppFixture.frame(try Self.input(s, versus: v)).textLines().joined(separator: "\n")
        #expect(missing.contains("│no diffusion checkpoint") && !missing.contains("sampling…"))
    }

    @Test func workerComputesTheModelView() throws {
        let w = try Self.weights()
        let worker = VAEWorker(vaeWeights: { w }, diffusionWeights: { nil }, images: AppFixture.images(), references: AppFixture.images())
        worker.start()
        defer { worker.stop() }
        var view = VAEView(imageCount: 4)
        view.to = 2
        worker.want(VAEWorker.Wants(view: view))
        let deadline = Date().addingTimeInterval(20)
        while worker.frame.read().value?.view.to != 2 && Date() < deadline { usleep(10_000) }
        let f = try #require(worker.frame.read().value)
        #expect(f.step == 7 && f.inputs.shape == [4, 3, 8, 8] && f.reconstructions.shape == f.inputs.shape)
        #expect(f.interpolation.shape == [VAEView.interpolationSteps, 3, 8, 8] && f.klPerUnit.count == 2)
        // The versus view without a diffusion model samples the VAE and says what is missing.
        view.versus = true
        worker.want(VAEWorker.Wants(view: view))
        while worker.versus.read().value?.vae == nil && Date() < deadline { usleep(10_000) }
        let v = try #require(worker.versus.read().value)
        #expect(v.vae?.samples.shape == [VAEWorker.versusCount, 3, 8, 8] && v.diffusion == nil)
        #expect(v.status.contains("--versus"))
    }

    /// `ddpm --model vae` in the whole loop: it opens on the VAE screen, trains, the worker fills
    /// the panels from the session's weights, Denoise says a VAE has no chain, `q` saves and ends.
    @Test func aVAERunInTheLoop() throws {
        let out = try WorkbenchFixtures.tempFolder("vae-loop")
        defer { try? FileManager.default.removeItem(atPath: out) }
        var o = Self.options
        o.steps = 100_000
        o.saveEvery = 100_000
        let backend = MemoryBackend(width: 160, height: 50)
        let loop = try WorkbenchLoop(AppLaunch(options: o, data: .builtin, out: out, checkpoint: nil, viewOnly: false, theme: nil),
                                     backend: backend, stopRequested: { false })
        defer { _ = loop.finish() }
        let runner = RunLoopTests()
        let frame = try runner.step(loop, backend, until: "step 0 · EMA · RMSE")
        #expect(frame.contains("Interpolation image 0 → 1") && frame.contains("KL per channel"))
        backend.send(.right)
        try runner.step(loop, backend, until: "α 0.125")
        backend.send(.character("3"))
        try runner.step(loop, backend, until: "A VAE has no reverse chain")
        backend.send(.character("q"))
        while loop.step() {}
        #expect(try Checkpoint.load(path: out + "/checkpoint.safetensors").options.family == .vae)
    }
}

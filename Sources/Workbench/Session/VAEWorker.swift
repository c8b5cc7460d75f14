import DiffusionEngine
import Foundation

/// Computes what the VAE screen shows, on its own thread, from the newest VAE weights: the first
/// training images beside their reconstructions, prior samples, an interpolation between two
/// images, the KL per latent unit — and, for the "VAE vs diffusion" view, both models' samples
/// with their quality metrics. The UI thread says what it wants and reads `frame`/`versus`;
/// nothing runs while the VAE screen is hidden.
public final class VAEWorker: @unchecked Sendable {
    /// What the visible VAE screen needs (nil fields: not visible).
    public struct Wants: Equatable, Sendable {
        public var view: VAEView?
        public init(view: VAEView? = nil) { self.view = view }
    }

    /// The model view of one weights copy.
    public struct Frame: Sendable {
        public var step: Int
        public var view: VAEView
        /// The first training images and their reconstructions (z = μ), (K, C, S, S) each.
        public var inputs: Tensor
        public var reconstructions: Tensor
        public var rmse: Float
        /// KL per latent unit (nats), mean over every image the worker holds.
        public var klPerUnit: [Float]
        /// Decoded draws from the prior N(0, I), seeded by `view.priorSeed`.
        public var samples: Tensor
        /// `VAEView.interpolationSteps` images from `view.from` to `view.to`.
        public var interpolation: Tensor
        public var config: VAEConfig
    }

    /// The newest model view, nil before the first (or when there is no VAE).
    public let frame = Latest<Frame?>(nil)
    /// The newest VAE vs diffusion comparison, nil until asked for.
    public let versus = Latest<VersusComparison?>(nil)

    private let vaeWeights: @Sendable () -> ModelWeights?
    private let diffusionWeights: @Sendable () -> ModelWeights?
    private let images: Tensor?
    private let references: Tensor?
    private let wants = Latest<Wants>(Wants())
    private let worker = WorkerThread()
    private var descriptors: SlicedWassersteinDistance.Descriptors?

    /// Images the model view reconstructs.
    public static let reconstructionCount = 8
    /// Images each side of the versus view samples.
    public static let versusCount = 16

    /// - Parameters:
    ///   - vaeWeights: the newest VAE weights (nil: no VAE in this session).
    ///   - diffusionWeights: a diffusion model's, for the versus view (nil: none).
    ///   - images: the training images the screen picks from (N, C, S, S).
    ///   - references: every training image, what the versus metrics measure against.
    public init(vaeWeights: @escaping @Sendable () -> ModelWeights?, diffusionWeights: @escaping @Sendable () -> ModelWeights?,
                images: Tensor?, references: Tensor?) {
        self.vaeWeights = vaeWeights
        self.diffusionWeights = diffusionWeights
        self.images = images
        self.references = references
    }

    public func start() {
        worker.start(name: "ddpm-vae") { [self] in loop() }
    }

    /// Replaces what the worker should compute.
    public func want(_ w: Wants) {
        if wants.read().value != w { wants.write(w) }
    }

    /// Stops the thread after the work in flight and waits for it.
    public func stop() { worker.stop() }

    private func loop() {
        // What the last model view and comparison were computed for (the cursor's position and
        // the view switch change neither).
        var done: (model: [UInt64]?, versus: [UInt64]?) = (nil, nil)
        while !worker.isStopping {
            guard let view = wants.read().value.view, let w = vaeWeights(), let config = w.vae else {
                usleep(20_000)
                continue
            }
            let step = UInt64(w.step)
            if view.versus {
                if done.versus != [step, view.priorSeed] {
                    compareWithDiffusion(w, seed: view.priorSeed)
                    done.versus = [step, view.priorSeed]
                    continue
                }
            } else if done.model != [step, UInt64(view.from), UInt64(view.to), view.priorSeed], let images {
                if let f = try? Self.frame(w, config: config, view: view, images: images) { frame.write(f) }
                done.model = [step, UInt64(view.from), UInt64(view.to), view.priorSeed]
                continue
            }
            usleep(20_000)
        }
    }

    /// The model view of `w` for `view`.
    public static func frame(_ w: ModelWeights, config: VAEConfig, view: VAEView, images: Tensor) throws -> Frame {
        let vae = try w.makeVAE(ema: true)
        let n = images.shape[0]
        let inputs = ModelSource.firstImages(images, count: reconstructionCount)
        let recon = vae.reconstruct(inputs)
        var rng = RandomGenerator(seed: view.priorSeed)
        let row = vae.interpolate(ModelSource.image(images, index: view.from % n), ModelSource.image(images, index: view.to % n),
                                  steps: VAEView.interpolationSteps)
        return Frame(step: w.step, view: view, inputs: inputs, reconstructions: recon, rmse: recon.rmsDifference(inputs),
                     klPerUnit: vae.klPerUnit(images), samples: vae.samplePrior(count: reconstructionCount, rng: &rng),
                     interpolation: row, config: config)
    }

    /// Samples both models on `seed` and measures them (the diffusion side's reverse chain
    /// publishes its progress as it goes).
    private func compareWithDiffusion(_ vaeW: ModelWeights, seed: UInt64) {
        var result = VersusComparison(status: "sampling the VAE's prior…")
        versus.write(result)
        do {
            guard let references else { throw EngineError("no training images loaded: nothing to measure the samples against") }
            if descriptors == nil { descriptors = try SlicedWassersteinDistance.referenceDescriptors(of: references) }
            func measure(_ x: Tensor, _ what: String, step: Int) throws -> VersusComparison.Side {
                VersusComparison.Side(
                    samples: x, what: what, step: step,
                    nnRMSE: try NearestNeighbourDistance.compute(samples: x, training: references).meanRMSE,
                    swd: try SlicedWassersteinDistance.compute(x, against: descriptors!).mean)
            }
            var rng = RandomGenerator(seed: seed)
            let vae = try vaeW.makeVAE(ema: true)
            result.vae = try measure(vae.samplePrior(count: Self.versusCount, rng: &rng), "prior N(0, I), one decoder pass", step: vaeW.step)
            guard let dw = diffusionWeights() else {
                result.status = "no diffusion checkpoint: open one beside it with ddpm --checkpoint VAE --versus DIFFUSION"
                versus.write(result)
                return
            }
            guard dw.config.imageSize == vaeW.vae?.imageSize, dw.config.channels == vaeW.vae?.channels else {
                throw EngineError("the diffusion model makes \(dw.config.imageSize)px images, the VAE \(vaeW.vae?.imageSize ?? 0)px")
            }
            let unet = try dw.makeModel(ema: true)
            let sampler = Sampler.ddim(steps: min(AppState.defaultDDIMSteps, dw.diffusion.timesteps), eta: 0)
            let shape = [Self.versusCount, dw.config.channels, dw.config.imageSize, dw.config.imageSize]
            var chainRNG = RandomGenerator(seed: seed)
            var done = 0
            let x = try dw.diffusion.sample(model: unet, shape: shape, rng: &chainRNG, sampler: sampler) { _ in
                done += 1
                if done % 10 == 0 {
                    result.status = "sampling the diffusion model: DDIM step \(done)/\(AppState.defaultDDIMSteps)"
                    self.versus.write(result)
                }
                return !self.worker.isStopping
            }
            result.diffusion = try measure(x, "DDIM \(AppState.defaultDDIMSteps) steps, EMA weights", step: dw.step)
            result.status = "done"
        } catch {
            result.status = "failed: \(error)"
        }
        versus.write(result)
    }
}

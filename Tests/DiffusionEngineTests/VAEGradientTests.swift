import DiffusionEngine
import Testing

/// Finite-difference checks of every piece the VAE adds: the reparameterisation, the loss terms,
/// the time-less ResBlock, the encoder and decoder (map and vector latents) and the whole network.
@Suite struct VAEGradientTests {
    /// The fixture configs with GroupNorm affines and biases moved off their init.
    static func perturbed(_ config: VAEConfig, seed: UInt64) throws -> VAE {
        let vae = try VAE(config: config, seed: seed)
        var rng = RandomGenerator(seed: seed &+ 1)
        for i in 0..<vae.store.count { vae.store.values[i] += 0.1 * rng.normal() }
        return vae
    }

    @Test func reparameterizeGradients() {
        var rng = RandomGenerator(seed: 41)
        let layer = Reparameterize()
        var eps = rng.normalTensor([2, 3, 2, 2])
        // log σ² from -2 to 2, plus two entries outside the clamp range (their gradient is 0); the
        // upper one's σ is e^10, so its ε is small enough to keep z's float rounding small.
        var logvar = rng.uniformTensor([2, 3, 2, 2], lo: -2, hi: 2)
        logvar.data[0] = -40
        logvar.data[1] = 25
        eps.data[1] = 1e-4
        let check = GradientCheck(
            inputs: [rng.normalTensor([2, 3, 2, 2]), logvar], store: nil,
            forward: { layer.forward(mu: $0[0], logvar: $0[1], eps: eps, training: $1) },
            backward: { let g = layer.backward($0); return [g.dMu, g.dLogvar] })
        check.eps = 1e-3
        check.samples = 24
        check.run()
    }

    @Test(arguments: VAEConfig.ReconstructionLoss.allCases)
    func lossGradients(_ kind: VAEConfig.ReconstructionLoss) {
        var rng = RandomGenerator(seed: 42)
        let x = rng.uniformTensor([3, 2, 3, 3], lo: -1, hi: 1)
        var logvar = rng.uniformTensor([3, 4], lo: -2, hi: 2)
        logvar.data[5] = -31  // clamped: no gradient
        let w: Float = 0.7, scale: Float = 0.5
        func pass(_ t: [Tensor]) -> VAE.Pass {
            VAE.Pass(mu: t[1], logvar: t[2], z: t[1], reconstruction: t[0])
        }
        // The loss as a (1)-tensor of (x̂, μ, log σ²); L1's kink is avoided by x̂ far from x.
        var xhat = rng.uniformTensor([3, 2, 3, 3], lo: -1, hi: 1)
        if kind == .l1 { for i in 0..<xhat.count where abs(xhat.data[i] - x.data[i]) < 0.05 { xhat.data[i] += 0.2 } }
        let inputs = [xhat, rng.normalTensor([3, 4]), logvar]
        let check = GradientCheck(
            inputs: inputs, store: nil,
            forward: { t, _ in
                let r = VAELoss.evaluate(pass(t), x: x, kind: kind, klWeight: w).result
                return Tensor(shape: [1], data: [r.loss * scale])
            },
            backward: { dOut in
                let g = VAELoss.evaluate(pass(inputs), x: x, kind: kind, klWeight: w, gradScale: scale * dOut.data[0]).gradients
                return [g.reconstruction, g.mu, g.logvar]
            })
        check.eps = 1e-3
        check.samples = 12
        check.run()
    }

    @Test func lossTermsAreSumsPerImageMeanOverTheBatch() {
        // One image, 2 values off by 1 and 2; μ = 1, log σ² = 0 in one latent value.
        let x = Tensor(zeros: [1, 1, 1, 2])
        let pass = VAE.Pass(mu: Tensor(shape: [1, 1], data: [1]), logvar: Tensor(zeros: [1, 1]), z: Tensor(zeros: [1, 1]),
                            reconstruction: Tensor(shape: [1, 1, 1, 2], data: [1, 2]))
        let l2 = VAELoss.evaluate(pass, x: x, kind: .l2, klWeight: 0.5).result
        #expect(l2.reconstruction == 5 && l2.kl == 0.5 && l2.loss == 5.25)
        #expect(abs(l2.rmse - (2.5 as Float).squareRoot()) < 1e-6)
        #expect(VAELoss.evaluate(pass, x: x, kind: .l1, klWeight: 0).result.loss == 3)
        // Two copies of the image: the means per image stay.
        let two = VAE.Pass(mu: Tensor(shape: [2, 1], data: [1, 1]), logvar: Tensor(zeros: [2, 1]), z: Tensor(zeros: [2, 1]),
                           reconstruction: Tensor(shape: [2, 1, 1, 2], data: [1, 2, 1, 2]))
        #expect(VAELoss.evaluate(two, x: Tensor(zeros: [2, 1, 1, 2]), kind: .l2, klWeight: 0.5).result == l2)
    }

    @Test func klWarmup() {
        var c = VAEConfig.fixture
        c.beta = 2
        c.klWarmupSteps = 4
        #expect([0, 1, 2, 4, 10].map(c.klWeight(step:)) == [0, 0.5, 1, 2, 2])
        c.klWarmupSteps = 0
        #expect(c.klWeight(step: 0) == 2)
    }

    @Test(arguments: [(4, 6), (4, 4)])
    func resBlockWithoutTimeGradients(_ channels: (Int, Int)) {
        let (cin, cout) = channels
        var rng = RandomGenerator(seed: 43)
        let store = ParameterStore()
        let block = ResBlock(store: store, name: "b", inChannels: cin, outChannels: cout, timeDim: nil, groups: 2, rng: &rng)
        var names = ["norm1", "conv1", "norm2", "conv2"]
        if cin != cout { names.append("skip") }
        #expect(store.entries.map(\.name) == names.flatMap { ["b.\($0).weight", "b.\($0).bias"] })
        for i in 0..<store.count { store.values[i] += 0.2 * rng.normal() }
        let check = GradientCheck(
            inputs: [rng.normalTensor([2, cin, 5, 3])], store: store,
            forward: { block.forward($0[0], training: $1) },
            backward: { let g = block.backward($0); #expect(g.dTemb == nil); return [g.dx] })
        check.eps = 2e-3
        check.tolerance = 5e-3
        check.run()
    }

    @Test(arguments: [VAEConfig.fixture, .fixtureVector])
    func encoderGradients(_ config: VAEConfig) throws {
        let vae = try Self.perturbed(config, seed: 44)
        var rng = RandomGenerator(seed: 45)
        let half = vae.latentShape(count: 2)
        // Checks μ and log σ² together: the output is μ's values followed by log σ²'s.
        let check = GradientCheck(
            inputs: [rng.uniformTensor([2, 3, 8, 8], lo: -1, hi: 1)], store: vae.store,
            forward: { t, training in
                let (mu, lv) = vae.encoder.forward(t[0], training: training)
                return Tensor(shape: [mu.count + lv.count], data: mu.data + lv.data)
            },
            backward: { d in
                let n = vae.config.latentCount * 2  // μ of both images, then log σ² of both
                return [vae.encoder.backward(dMu: Tensor(shape: half, data: Array(d.data[0..<n])),
                                             dLogvar: Tensor(shape: half, data: Array(d.data[n...])))]
            })
        check.eps = 2e-3
        check.tolerance = 1e-2
        check.run(parameters: vae.store.entries.map(\.name).filter { $0.hasPrefix("encoder.") })
    }

    @Test(arguments: [VAEConfig.fixture, .fixtureVector])
    func decoderGradients(_ config: VAEConfig) throws {
        let vae = try Self.perturbed(config, seed: 46)
        var rng = RandomGenerator(seed: 47)
        let check = GradientCheck(
            inputs: [rng.normalTensor(vae.latentShape(count: 2))], store: vae.store,
            forward: { vae.decoder.forward($0[0], training: $1) },
            backward: { [vae.decoder.backward($0)] })
        check.eps = 2e-3
        check.tolerance = 1e-2
        check.run(parameters: vae.store.entries.map(\.name).filter { $0.hasPrefix("decoder.") })
    }

    /// The whole network through z: x̂(x, ε) with the loss weights on x̂ only (dμ = dlogvar = 0
    /// from outside), so every gradient reaches the encoder through the reparameterisation.
    @Test(arguments: [VAEConfig.fixture, .fixtureVector])
    func wholeNetworkGradients(_ config: VAEConfig) throws {
        let vae = try Self.perturbed(config, seed: 48)
        var rng = RandomGenerator(seed: 49)
        let eps = rng.normalTensor(vae.latentShape(count: 2))
        let zeros = Tensor(zeros: vae.latentShape(count: 2))
        let check = GradientCheck(
            inputs: [rng.uniformTensor([2, 3, 8, 8], lo: -1, hi: 1)], store: vae.store,
            forward: { vae.forward($0[0], eps: eps, training: $1).reconstruction },
            backward: { [vae.backward(dReconstruction: $0, dMu: zeros, dLogvar: zeros)] })
        check.eps = 2e-3
        check.tolerance = 1e-2
        check.run()
    }
}

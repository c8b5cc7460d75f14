import Testing
import DiffusionEngine

/// The reverse process: pSample, the full chain, DDIM, and the A/B facts the switches reveal.
@Suite struct DiffusionSamplingTests {
    static let schedule = try! NoiseSchedule(.linear, timesteps: 50)
    static let shape = [2, 3, 4, 4]

    func diffusion(_ fixes: FixSet = .fixed, objective: Objective = .epsilon) -> GaussianDiffusion {
        GaussianDiffusion(schedule: Self.schedule, objective: objective, fixes: fixes)
    }

    func fixes(_ text: String) -> FixSet { try! FixSet(parsing: text) }

    /// A and B's chains run on one seed until `onStep` says stop (the engine's `ChainPair`).
    func compare(
        model: Denoiser, a: FixSet, b: FixSet, seed: UInt64,
        onStep: (StepDifference, StepInfo, StepInfo) -> Bool = { _, _, _ in true }
    ) throws -> ChainPair {
        var pair = try ChainPair(diffusion: diffusion(), a: a, b: b, shape: Self.shape, rng: RandomGenerator(seed: seed))
        pair.run(model: model, onStep: onStep)
        return pair
    }

    @Test func finalStepPosteriorMeanEqualsXRecon() throws {
        // FIX 3 changes nothing measurable: at t = 0, coef1 = 1 and coef2 = 0.
        for clip in ["on", "off"] {
            let r = try compare(
                model: LinearDenoiser(channels: 3), a: fixes("clip=\(clip)"), b: fixes("clip=\(clip),t0=xrecon"), seed: 1)
            #expect(r.isFinished && r.steps.count == 50)
            #expect(r.identical)
            #expect(r.largestMaxAbs == 0)
            #expect(r.verdict == "identical within float rounding (max |Δ| 0)")
        }
    }

    @Test func extractingAllCoefficientsGivesTheSameNumbers() throws {
        let r = try compare(
            model: LinearDenoiser(channels: 3), a: .fixed, b: fixes("extract=all"), seed: 2,
            onStep: { _, sa, sb in
                #expect(sa.coefficients.count == 5 && sa.coefficients.allSatisfy(\.used))
                #expect(sb.coefficients.count == 8 && sb.coefficients.filter { !$0.used }.map(\.name)
                    == ["alphas_cumprod", "alphas_cumprod_prev", "betas"])
                return true
            })
        #expect(r.largestMaxAbs == 0 && r.finalMaxAbs == 0)
    }

    @Test func reverseVarianceBetaDiffersFromPosterior() throws {
        let r = try compare(
            model: LinearDenoiser(channels: 3), a: .fixed, b: fixes("var=beta"), seed: 3,
            onStep: { _, sa, sb in
                #expect(sa.noise == sb.noise)   // same noise whatever the switches
                if sa.t > 0 {
                    #expect(sa.sigma == Self.schedule.posteriorVariance[sa.t].squareRoot())
                    #expect(sb.sigma == Self.schedule.betas[sb.t].squareRoot())
                } else {
                    #expect(sa.sigma == 0 && sb.sigma == 0)
                }
                return true
            })
        #expect(r.firstDifferingT == 49)
        #expect(r.finalRMS > 1e-3)
        #expect(r.verdict.hasPrefix("differs from t=49 on; final RMS Δ "))
    }

    @Test func clippingMattersOnlyWhenXReconLeavesTheRange() throws {
        let over = try compare(
            model: OvershootDenoiser(), a: .fixed, b: fixes("clip=off"), seed: 4)
        #expect(!over.identical)
        #expect(over.finalMaxAbs > 0.1)
        // The exact denoiser of a point mass inside [-1, 1] predicts x_recon = x0* inside the range.
        var target = smoothImages(n: 1, h: 4, w: 4).reshaped([3, 4, 4])
        for i in 0..<target.count { target.data[i] *= 0.8 }
        let inside = try compare(
            model: PointMassDenoiser(target: target, schedule: Self.schedule), a: .fixed, b: fixes("clip=off"), seed: 4)
        #expect(inside.identical)
    }

    @Test(arguments: Objective.allCases)
    func exactDenoiserSamplesItsPointMass(objective: Objective) throws {
        var target = smoothImages(n: 1, h: 4, w: 4).reshaped([3, 4, 4])
        for i in 0..<target.count { target.data[i] *= 0.8 }
        let model = PointMassDenoiser(target: target, schedule: Self.schedule, objective: objective)
        var g = RandomGenerator(seed: 5)
        var steps = 0
        let x = try diffusion(objective: objective).sample(model: model, shape: Self.shape, rng: &g) { info in
            steps += 1
            #expect(info.predictedX0.data.prefix(48).elementsEqual(target.data, by: { abs($0 - $1) < 1e-3 }))
            return true
        }
        #expect(steps == 50)
        for i in 0..<x.count { #expect(abs(x.data[i] - target.data[i % 48]) < 1e-4) }
        #expect(g.counter > 0)   // the caller's generator advanced
    }

    @Test func pSampleReportsItsPieces() {
        let d = diffusion()
        var g = RandomGenerator(seed: 6)
        let x = g.normalTensor(Self.shape), z = g.normalTensor(Self.shape)
        let info = d.pSample(model: LinearDenoiser(channels: 3), x: x, t: 20, noise: z)
        let c1 = Self.schedule.posteriorMeanCoef1[20], c2 = Self.schedule.posteriorMeanCoef2[20]
        let sd = Self.schedule.posteriorVariance[20].squareRoot()
        for i in 0..<x.count {
            #expect(abs(info.mean.data[i] - (c1 * info.predictedX0.data[i] + c2 * x.data[i])) < 1e-5)
            #expect(abs(info.xPrev.data[i] - (info.mean.data[i] + sd * z.data[i])) < 1e-5)
            #expect(abs(info.predictedX0.data[i]) <= 1)
        }
        #expect(info.t == 20 && info.tPrev == 19 && info.x == x)
        #expect(info.coefficients.map(\.name) == [
            "sqrt_one_minus_alphas_cumprod", "sqrt_alphas_cumprod", "posterior_mean_coef1", "posterior_mean_coef2",
            "posterior_variance",
        ])
    }

    @Test func ddimStepPairs() throws {
        let ddpm = try Sampler.ddpm.stepPairs(timesteps: 10)
        let full = try Sampler.ddim(steps: 10, eta: 0).stepPairs(timesteps: 10)
        #expect(full.map(\.t) == ddpm.map(\.t) && full.map(\.tPrev) == ddpm.map(\.tPrev))
        let three = try Sampler.ddim(steps: 3, eta: 0).stepPairs(timesteps: 10)
        #expect(three.map(\.t) == [9, 5, 2] && three.map(\.tPrev) == [5, 2, -1])
        #expect(throws: EngineError.self) { try Sampler.ddim(steps: 0, eta: 0).stepPairs(timesteps: 10) }
        #expect(throws: EngineError.self) { try Sampler.ddim(steps: 11, eta: 0).stepPairs(timesteps: 10) }
        #expect(throws: EngineError.self) { try Sampler.ddim(steps: 5, eta: -1).stepPairs(timesteps: 10) }
    }

    @Test func ddimWithEtaZeroDependsOnlyOnTheStart() throws {
        let model = LinearDenoiser(channels: 3)
        var g0 = RandomGenerator(seed: 7)
        let start = g0.normalTensor(Self.shape)
        var g1 = RandomGenerator(seed: 100), g2 = RandomGenerator(seed: 200)
        let a = try diffusion().ddimSample(model: model, shape: Self.shape, steps: 10, eta: 0, rng: &g1, start: start)
        let b = try diffusion().ddimSample(model: model, shape: Self.shape, steps: 10, eta: 0, rng: &g2, start: start)
        #expect(a == b)
        // With eta > 0 the per-step noise enters, so different generators give different images.
        var g3 = RandomGenerator(seed: 100), g4 = RandomGenerator(seed: 200)
        let c = try diffusion().ddimSample(model: model, shape: Self.shape, steps: 10, eta: 0.5, rng: &g3, start: start)
        let e = try diffusion().ddimSample(model: model, shape: Self.shape, steps: 10, eta: 0.5, rng: &g4, start: start)
        #expect(c.maxAbsDifference(e) > 1e-3)
    }

    @Test(arguments: [true, false])
    func ddimWithAllStepsAndEtaOneIsDDPM(clip: Bool) throws {
        // Provable: with η = 1 and every t visited, DDIM's σ² is β̃_t and its mean
        // √ᾱ_prev·x̂0 + √(1-ᾱ_prev-β̃)·ε̂ equals coef1·x̂0 + coef2·x_t, so on the same noise the two
        // chains agree step by step up to float rounding.
        var f = FixSet.fixed
        f.clipXRecon = clip
        let d = diffusion(f)
        let model = LinearDenoiser(channels: 3)
        var g1 = RandomGenerator(seed: 8), g2 = RandomGenerator(seed: 8)
        let ddpm = try d.sample(model: model, shape: Self.shape, rng: &g1)
        let ddim = try d.ddimSample(model: model, shape: Self.shape, steps: 50, eta: 1, rng: &g2)
        let scale = max(1, ddpm.data.map(abs).max()!)
        #expect(ddpm.maxAbsDifference(ddim) < 1e-4 * scale)
        #expect(g1 == g2)
    }

    @Test func stoppingEarly() throws {
        var n = 0
        let r = try compare(
            model: LinearDenoiser(channels: 3), a: .fixed, b: fixes("var=beta"), seed: 9, onStep: { _, _, _ in n += 1; return n < 3 })
        #expect(!r.isFinished && r.steps.map(\.t) == [49, 48, 47])
        #expect(r.verdict.hasPrefix("so far (down to t=47): differs from t=49 on; current RMS Δ "))

        var chain = try ReverseChain(diffusion: diffusion(), shape: Self.shape, rng: RandomGenerator(seed: 9))
        #expect(chain.nextT == 49 && !chain.isFinished)
        _ = chain.step(model: LinearDenoiser(channels: 3))
        #expect(chain.nextT == 48 && chain.position == 1)
    }

    @Test func verdictNumbers() {
        #expect(FixComparison.format(0) == "0")
        #expect(FixComparison.format(0.2137) == "0.21")
        #expect(FixComparison.format(6.04e-8) == "6e-8")
        #expect(FixComparison.format(6.34e-8) == "6.3e-8")
        #expect(FixComparison.format(12.4) == "12")
        #expect(FixComparison.format(0.0797, digits: 3) == "0.0797")
        #expect(FixComparison.format(0.006352, digits: 3) == "0.00635")
        #expect(FixComparison.format(9.96e-5) == "1e-4")
    }
}

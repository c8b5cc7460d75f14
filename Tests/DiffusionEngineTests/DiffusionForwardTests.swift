import Testing
import DiffusionEngine

/// The forward process q(x_t | x_0) and the FIX 1 switch.
@Suite struct DiffusionForwardTests {
    static let linear = try! NoiseSchedule(.linear, timesteps: 1000)

    func diffusion(_ fwd: FixSet.ForwardCoefficients, _ s: NoiseSchedule = linear) -> GaussianDiffusion {
        GaussianDiffusion(schedule: s, fixes: FixSet(forwardCoefficients: fwd))
    }

    @Test func originalForwardCodeEqualsThePrecomputedBuffers() throws {
        // The course's original line took √ at call time: the same numbers as the buffers. The only
        // difference is Float rounding of ᾱ before 1 - ᾱ, largest near t = 0 (measured 8.9e-7 for
        // linear, 1.7e-6 for cosine where 1 - ᾱ_0 is 4e-5).
        for (s, bound) in [(Self.linear, Float(1e-6)), (try NoiseSchedule(.cosine, timesteps: 1000), Float(2e-6))] {
            let pre = diffusion(.precomputed, s), call = diffusion(.sqrtAtCallTime, s)
            var worst: Float = 0
            for t in 0..<1000 {
                let a = pre.forwardCoefficients(t), b = call.forwardCoefficients(t)
                worst = max(worst, abs(a.signal - b.signal), abs(a.noise - b.noise))
            }
            #expect(worst <= bound, "\(s.kind): max coefficient difference \(worst)")
            #expect(worst > 0)   // not literally the same code path
        }
    }

    @Test func fourthRootSignalAtTheLastStep() {
        let (signal, noise) = diffusion(.sqrtOfSqrt).forwardCoefficients(999)
        #expect(abs(signal - 0.0797) < 1e-4)                                     // ᾱ^(1/4)
        #expect(abs(diffusion(.precomputed).forwardCoefficients(999).signal - 0.00635) < 1e-5)   // √ᾱ
        #expect(abs(noise - 0.99999) < 1e-5)
        // At t = 0 the noise coefficient is (1-ᾱ)^(1/4) = 0.1 instead of 0.01: ten times the noise.
        #expect(abs(diffusion(.sqrtOfSqrt).forwardCoefficients(0).noise - 0.1) < 1e-4)
    }

    @Test func qSampleIsSignalPlusNoisePerSample() {
        let d = diffusion(.precomputed)
        let x0 = smoothImages(n: 2, h: 4, w: 4)
        var g = RandomGenerator(seed: 4)
        let eps = g.normalTensor(x0.shape)
        let xt = d.qSample(x0, t: [0, 999], noise: eps)
        let per = 48
        for i in 0..<per {
            let s0 = Self.linear.sqrtAlphasCumprod[0], n0 = Self.linear.sqrtOneMinusAlphasCumprod[0]
            #expect(abs(xt.data[i] - (s0 * x0.data[i] + n0 * eps.data[i])) < 1e-6)
            let s1 = Self.linear.sqrtAlphasCumprod[999], n1 = Self.linear.sqrtOneMinusAlphasCumprod[999]
            #expect(abs(xt.data[per + i] - (s1 * x0.data[per + i] + n1 * eps.data[per + i])) < 1e-6)
        }
    }

    @Test func checklistTest1NoiseLevelsMatchTheSchedule() {
        // TEST 1: the empirical noise std of q_sample is √(1-ᾱ_t) and its signal scale √ᾱ_t.
        var g = RandomGenerator(seed: 11)
        let ts = [0, 10, 100, 500, 999]
        for fwd in [FixSet.ForwardCoefficients.precomputed, .sqrtAtCallTime] {
            let check = ForwardProcessCheck(diffusion: diffusion(fwd), timesteps: ts, samples: 20_000, rng: &g)
            for row in check.rows {
                #expect(row.passes(), "t=\(row.t): signal z \(row.signalZ), noise z \(row.noiseZ)")
            }
            #expect(abs(check.rows[2].measuredNoiseStd - (1 - Double(Self.linear.alphasCumprod[100])).squareRoot()) < 0.02)
        }
        // ...and the check can fail: the 4th root gives 10x the noise at t = 0 and about twice the
        // signal at t = 500 (0.528 vs 0.279); at t = 999 the 12x signal (0.080 vs 0.0064) is still
        // six standard errors out, as the slope is hard to measure under almost pure noise.
        let bad = ForwardProcessCheck(diffusion: diffusion(.sqrtOfSqrt), timesteps: [0, 500, 999], samples: 20_000, rng: &g)
        #expect(!bad.passes)
        #expect(bad.rows.allSatisfy { !$0.passes() })
        #expect(bad.rows[0].noiseZ > 100)
        #expect(bad.rows[1].signalZ > 15)
    }

    @Test func forwardABVerdicts() {
        let x0 = smoothImages(n: 2, h: 4, w: 4)
        let g = RandomGenerator(seed: 9)
        let same = FixComparison.forward(
            diffusion: diffusion(.precomputed), x0: x0, a: .fixed, b: FixSet(forwardCoefficients: .sqrtAtCallTime), rng: g)
        #expect(same.differingTimesteps.isEmpty)
        #expect(same.verdict.hasPrefix("identical within float rounding"))
        #expect(same.largestCoefficientDelta < 1e-6)
        #expect(same.rows.count == 1000)

        let fourth = FixComparison.forward(
            diffusion: diffusion(.precomputed), x0: x0, a: .fixed, b: FixSet(forwardCoefficients: .sqrtOfSqrt), rng: g,
            timesteps: [0, 250, 500, 999])
        #expect(fourth.differingTimesteps == [0, 250, 500, 999])
        #expect(fourth.verdict.hasPrefix("differs at 4 of 4 timesteps (from t=0); at t=999 signal 0.00635 vs 0.0797"))
    }
}

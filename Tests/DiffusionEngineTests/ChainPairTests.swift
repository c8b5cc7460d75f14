import Testing
import DiffusionEngine

/// The one A/B stepper of the reverse process and its one verdict, finished or running.
@Suite struct ChainPairTests {
    static let schedule = try! NoiseSchedule(.linear, timesteps: 20)
    static let shape = [1, 3, 4, 4]

    func pair(_ b: String, sampler: Sampler = .ddpm) throws -> ChainPair {
        try ChainPair(diffusion: GaussianDiffusion(schedule: Self.schedule), a: .fixed, b: FixSet(parsing: b),
                      sampler: sampler, shape: Self.shape, rng: RandomGenerator(seed: 11))
    }

    @Test func verdictWordsEveryState() {
        let same = StepDifference(t: 9, maxAbs: 0, rms: 0, threshold: 1e-5)
        let tiny = StepDifference(t: 8, maxAbs: 6.34e-8, rms: 1e-8, threshold: 1e-5)
        let apart = StepDifference(t: 7, maxAbs: 0.9, rms: 0.2137, threshold: 1e-5)
        let later = StepDifference(t: 0, maxAbs: 0.5, rms: 0.1, threshold: 1e-5)
        #expect(ChainPair.verdict(steps: [], finished: false) == "starting…")
        #expect(ChainPair.verdict(steps: [same], finished: false) == "so far (down to t=9): identical within float rounding (max |Δ| 0)")
        #expect(ChainPair.verdict(steps: [same, tiny], finished: true) == "identical within float rounding (max |Δ| 6.3e-8)")
        #expect(ChainPair.verdict(steps: [same, tiny, apart], finished: false)
            == "so far (down to t=7): differs from t=7 on; current RMS Δ 0.21, max |Δ| 0.9")
        #expect(ChainPair.verdict(steps: [same, tiny, apart, later], finished: true)
            == "differs from t=7 on; final RMS Δ 0.1, max |Δ| 0.5")
    }

    @Test func steppingMeasuresBothChainsOnSharedNoise() throws {
        var p = try pair("var=beta")
        #expect(p.length == 20 && !p.isFinished && p.verdict == "starting…")
        #expect(p.chainA.x == p.chainB.x)  // one x_T
        let s = p.step(model: LinearDenoiser(channels: 3))
        #expect(s.a.noise == s.b.noise)
        #expect(s.difference == StepDifference(t: 19, s.a.xPrev, s.b.xPrev))
        #expect(p.steps == [s.difference] && p.verdict.hasPrefix("so far (down to t=19): "))
        p.run(model: LinearDenoiser(channels: 3))
        #expect(p.isFinished && p.steps.count == 20 && p.steps.map(\.t) == Array((0..<20).reversed()))
        #expect(p.finalRMS == p.steps.last!.rms && p.finalMaxAbs == p.steps.last!.maxAbs)
        #expect(p.verdict.hasPrefix("differs from t=19 on; final RMS Δ "))
    }

    @Test func thresholdIsToleranceTimesTheLargerMagnitude() {
        let a = Tensor(shape: [1, 1, 1, 2], data: [3, -1]), b = Tensor(shape: [1, 1, 1, 2], data: [2, 4])
        let d = StepDifference(t: 5, a, b, tolerance: 0.1)
        #expect(d.maxAbs == 5 && d.threshold == Float(0.1) * 4 && d.differs)
        #expect(StepDifference(t: 5, a, a, tolerance: 0.1, scale: 10).threshold == 1)
        let small = Tensor(shape: [1, 1, 1, 1], data: [0.5])
        #expect(StepDifference(t: 0, small, small).threshold == FixComparison.defaultTolerance)  // scale at least 1
    }

    @Test func ddimIgnoresTheDDPMOnlySwitches() throws {
        for b in ["t0=xrecon", "var=beta", "extract=all"] {
            var p = try pair(b, sampler: .ddim(steps: 5, eta: 0.5))
            p.run(model: LinearDenoiser(channels: 3))
            #expect(p.isFinished && p.largestMaxAbs == 0, "\(b)")
        }
    }

    /// Two models: each chain steps with its own, on the same x_T and noise; one model passed
    /// twice is the one-model pair.
    @Test func twoModelsRunOnTheSameNoise() throws {
        let d = GaussianDiffusion(schedule: Self.schedule)
        var one = try pair("fixed")
        one.run(model: LinearDenoiser(channels: 3, seed: 1))
        var same = try ChainPair(a: d, b: d, shape: Self.shape, rng: RandomGenerator(seed: 11))
        same.run(model: LinearDenoiser(channels: 3, seed: 1), modelB: LinearDenoiser(channels: 3, seed: 1))
        #expect(same.identical && same.chainA.x == one.chainA.x)
        var two = try ChainPair(a: d, b: d, shape: Self.shape, rng: RandomGenerator(seed: 11))
        let s = two.step(model: LinearDenoiser(channels: 3, seed: 1), modelB: LinearDenoiser(channels: 3, seed: 2))
        #expect(s.a.noise == s.b.noise && s.difference.differs && two.firstDifferingT == 19)
        let other = GaussianDiffusion(schedule: try NoiseSchedule(.linear, timesteps: 10))
        #expect(throws: EngineError.self) { try ChainPair(a: d, b: other, shape: Self.shape, rng: RandomGenerator(seed: 1)) }
    }
}

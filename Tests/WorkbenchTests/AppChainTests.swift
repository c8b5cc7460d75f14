import DiffusionEngine
import Foundation
import Testing
import Workbench

/// The chains behind the Denoise and Compare screens: they must be the engine's chains, step for
/// step, and the Compare verdict must be the engine's, on the same measurements.
@Suite struct AppChainTests {
    @Test func denoiseHistoryIsTheEnginesChain() throws {
        let w = try AppFixture.weights()
        let h = try AppFixture.denoise(ChainSettings(seed: 5))
        var rng = RandomGenerator(seed: 5)
        var steps: [StepInfo] = []
        let x0 = try w.diffusion.sample(model: try w.makeModel(ema: true), shape: [1, 3, 8, 8], rng: &rng) { steps.append($0); return true }
        #expect(h.current == x0)
        #expect(h.frames.count == steps.count)
        for (f, s) in zip(h.frames, steps) {
            #expect(f.t == s.t && f.x == s.x && f.predictedX0 == s.predictedX0 && f.predictedNoise == s.predictedNoise && f.sigma == s.sigma)
        }
        #expect(h.frames.last?.sigma == 0)
        #expect(h.frames.first?.coefficients.count == 5)
    }

    @Test func emaAndRawWeightsGiveDifferentChains() throws {
        let ema = try AppFixture.denoise(ChainSettings(seed: 1, ema: true))
        let raw = try AppFixture.denoise(ChainSettings(seed: 1, ema: false))
        #expect(ema.current != raw.current)
        #expect(ema.frames[0].x == raw.frames[0].x)  // same x_T
    }

    @Test func ddimChainHasItsOwnSteps() throws {
        let h = try AppFixture.denoise(ChainSettings(seed: 1, sampler: .ddim))
        // T = 10 < 100 DDIM steps: DDIM visits every t, like DDPM, but its own way.
        #expect(h.length == AppFixture.T)
        #expect(h.isFinished)
        #expect(h.frames.first?.coefficients.contains { $0.name == "direction_coef" } == true)
        #expect(h.frames.first?.coefficients.contains { $0.name == "posterior_mean_coef1" } == false)
    }

    /// The engine's `ChainPair` run to the end on the same weights, seed and switches: the Compare
    /// screen must measure the same steps and so print the very same verdict.
    func engineVerdict(a: FixSet, b: FixSet) throws -> String {
        let w = try AppFixture.weights()
        var pair = try ChainPair(diffusion: w.diffusion, a: a, b: b, shape: [1, 3, 8, 8], rng: RandomGenerator(seed: 1))
        pair.run(model: try w.makeModel(ema: true))
        return pair.verdict
    }

    @Test func finalStepSwitchIsMeasuredIdentical() throws {
        var b = FixSet.fixed
        b.finalStep = .xRecon
        let h = try AppFixture.compare(b: b)
        #expect(h.isFinished)
        #expect(h.firstDifferingT == nil)
        #expect(h.verdict == "identical within float rounding (max |Δ| 0)")
        #expect(h.modelCalls == AppFixture.T)  // B reused every one of A's model outputs
        let engine = try engineVerdict(a: .fixed, b: b)
        #expect(h.verdict == engine)
    }

    @Test func varianceSwitchIsMeasuredDifferent() throws {
        var b = FixSet.fixed
        b.reverseVariance = .beta
        let h = try AppFixture.compare(b: b)
        #expect(h.firstDifferingT != nil)
        #expect(h.verdict.hasPrefix("differs from t="))
        #expect(h.modelCalls == 1 + 2 * (AppFixture.T - 1))  // shared only until the first step's noise differed
        let engine = try engineVerdict(a: .fixed, b: b)
        #expect(h.verdict == engine)
    }

    @Test func forwardSwitchGetsTheForwardComparison() throws {
        var b = FixSet.fixed
        b.forwardCoefficients = .sqrtOfSqrt
        let h = try AppFixture.compare(b: b)
        #expect(h.firstDifferingT == nil)  // q_sample is not part of the reverse chain
        let fwd = try #require(h.forward)
        #expect(!fwd.differingTimesteps.isEmpty)
        var same = FixSet.fixed
        same.finalStep = .xRecon
        let other = try AppFixture.compare(b: same)
        #expect(other.forward == nil)
    }

    @Test func unfinishedVerdictSaysSoFar() throws {
        var run = CompareRun(weights: try AppFixture.weights(), request: .init(settings: ChainSettings(seed: 1), a: .fixed, b: .fixed))
        #expect(run.history.verdict == "starting…")
        run.step()
        #expect(run.history.verdict.hasPrefix("so far (down to t=9): identical"))
    }

    @Test func workerComputesOnlyWhatIsWanted() throws {
        let w = try AppFixture.weights()
        let worker = ChainWorker(weights: { w }, forwardImage: nil)
        worker.start()
        defer { worker.stop() }
        let settings = ChainSettings(seed: 3)
        worker.want(.init(denoise: settings, denoiseTarget: 4))
        let h = try waitFor { worker.denoise.read().value.flatMap { $0.frames.count >= 4 ? $0 : nil } }
        usleep(100_000)
        #expect(worker.denoise.read().value?.frames.count == 4)  // stopped at the target
        #expect(h.settings == settings)
        #expect(worker.compare.read().value == nil)  // Compare was not visible

        var b = FixSet.fixed
        b.clipXRecon = false
        worker.want(.init(compare: .init(settings: settings, a: .fixed, b: b)))
        let c = try waitFor { worker.compare.read().value.flatMap { $0.isFinished ? $0 : nil } }
        #expect(c.b == b && c.stepsDone == AppFixture.T)

        // New settings start a new chain.
        worker.want(.init(denoise: ChainSettings(seed: 4), denoiseTarget: 100))
        let h2 = try waitFor { worker.denoise.read().value.flatMap { $0.settings.seed == 4 && $0.isFinished ? $0 : nil } }
        #expect(h2.frames.count == AppFixture.T)
    }

    /// Polls `body` until it returns a value (deadline 20 s: debug builds on a busy machine).
    func waitFor<T>(_ body: () -> T?, sourceLocation: SourceLocation = #_sourceLocation) throws -> T {
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if let v = body() { return v }
            usleep(5_000)
        }
        Issue.record("timed out", sourceLocation: sourceLocation)
        throw CancellationError()
    }
}

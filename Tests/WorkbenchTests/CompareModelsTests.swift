import DiffusionEngine
import Foundation
import Testing
import TerminalUI
import Workbench

/// Compare's `m`: chain A on A's model, chain B on B's (an A/B pair's B, or `--checkpoint-b`),
/// on the same noise, through the engine's `ChainPair`.
@Suite struct CompareModelsTests {
    /// B: other weights (a different init), trained with L2 and a cosine schedule.
    static func weightsB() throws -> ModelWeights {
        let m = try UNet(config: .fixture, seed: 9)
        var d = GaussianDiffusion(schedule: try NoiseSchedule(.cosine, timesteps: AppFixture.T))
        d.fixes.loss = .l2
        return ModelWeights(step: 42, config: .fixture, diffusion: d, values: m.store.values, emaValues: m.store.values.map { $0 * 0.5 })
    }

    static func run(_ r: CompareRun) -> CompareHistory {
        var r = r
        while r.canStep { r.step() }
        return r.history
    }

    /// Each chain equals that model's own chain on the seed: A's as on one model, B's as B's
    /// model run alone with its schedule; and the verdict measures the two apart.
    @Test func eachChainRunsItsOwnModel() throws {
        let a = try AppFixture.weights(), b = try Self.weightsB()
        let settings = ChainSettings(seed: 5)
        let models = Self.run(CompareRun(weights: a, weightsB: b, request: .init(settings: settings, a: .fixed, b: b.diffusion.fixes, mode: .models)))
        let aAlone = Self.run(CompareRun(weights: a, request: .init(settings: settings, a: .fixed, b: .fixed)))
        let bAlone = Self.run(CompareRun(weights: b, request: .init(settings: settings, a: b.diffusion.fixes, b: b.diffusion.fixes)))
        #expect(models.error == nil && models.isFinished && models.mode == .models)
        #expect(models.frames.first?.xA == models.frames.first?.xB, "the same x_T")
        #expect(models.frames.last?.xA == aAlone.frames.last?.xA, "A's chain is A's model's")
        #expect(models.frames.last?.xB == bAlone.frames.last?.xA, "B's chain is B's model's, with its schedule")
        #expect(aAlone.frames.last?.xB == aAlone.frames.last?.xA)
        #expect(models.verdict.hasPrefix("differs from t=9 on; final RMS Δ"), "\(models.verdict)")
        #expect(models.modelCalls == 2 * AppFixture.T && models.weightsStepB == 42)

        let none = CompareRun(weights: a, request: .init(settings: settings, a: .fixed, b: .fixed, mode: .models))
        #expect(none.history.error == "there is no second model to run chain B on" && !none.canStep)
    }

    @Test func theMKeySwitchesModesWhenThereIsASecondModel() {
        var one = AppState(timesteps: AppFixture.T)
        one.screen = .compare
        #expect(one.handle(.character("m")).isEmpty)
        #expect(one.compare.mode == .fixSets)
        #expect(one.notice == "one model: open a second with --checkpoint-b FILE, or train a pair with --ab SPEC")

        var b = FixSet.fixed
        b.lossInput = .x0
        var s = AppState(timesteps: AppFixture.T, modelB: .init(fixes: b, label: "input=x0"))
        s.screen = .compare
        s.compare.b.loss = .l2  // a fix set of the one-model A/B, replaced by B's trained one
        s.compare.position = 3
        #expect(s.handle(.character("m")) == [.refreshWeights])
        #expect(s.compare.mode == .models && s.compare.a == .fixed && s.compare.b == b && s.compare.position == nil)
        #expect(s.notice?.hasPrefix("A's model vs B's model (input=x0)") == true)
        #expect(WorkbenchApp.wants(s).compare?.mode == .models)
        _ = s.handle(.character("m"))
        #expect(s.compare.mode == .fixSets && s.compare.b == .fixed)
    }

    @Test func theScreenSaysWhichModelsRun() throws {
        let a = try AppFixture.weights(), b = try Self.weightsB()
        var s = AppState(timesteps: AppFixture.T, modelB: .init(fixes: b.diffusion.fixes, label: "loss=l2,schedule=cosine"))
        s.screen = .compare
        var info = AppFixture.info()
        info.secondModel = s.modelB
        let one = AppFixture.frame(FrameInput(state: s, snapshot: AppFixture.snapshot(), info: info,
                                              compare: try AppFixture.compare(b: .fixed))).text
        #expect(one.contains("Switches: A | B (number keys flip B) · one model, two fix sets (m: A's model vs B's)"))
        _ = s.handle(.character("m"))
        let h = Self.run(CompareRun(weights: a, weightsB: b, request: WorkbenchApp.wants(s).compare!))
        let two = AppFixture.frame(FrameInput(state: s, snapshot: AppFixture.snapshot(), info: info, compare: h)).text
        #expect(two.contains("A's model vs B's model (loss=l2,schedule=cosine) · m: one model"))
        #expect(two.contains("A's model: result") && two.contains("B's model: result"))
        #expect(two.contains("A's model vs B's model (loss=l2,schedule=cosine): differs from t=9 on"))
        #expect(two.contains("A's weights from step 42, B's from step 42"))
    }
}

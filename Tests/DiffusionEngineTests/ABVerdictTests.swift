import Foundation
import Testing
import DiffusionEngine

/// The A/B training verdict's rules on synthetic loss curves.
@Suite struct ABVerdictTests {
    /// A falling curve: `floor + (top - floor) e^(-i/tau)` with a deterministic ±`wobble` ripple.
    func falling(_ n: Int, top: Float = 0.9, floor: Float = 0.06, tau: Float = 100, wobble: Float = 0.01) -> [Float] {
        (0..<n).map { i -> Float in
            let decay: Float = Float(Foundation.exp(-Double(i) / Double(tau)))
            let ripple: Float = i % 2 == 0 ? wobble : -wobble
            return floor + (top - floor) * decay + ripple
        }
    }

    func flat(_ n: Int, at level: Float, wobble: Float = 0.02) -> [Float] {
        (0..<n).map { i -> Float in level + (i % 3 == 0 ? wobble : -wobble / 2) }
    }

    @Test func curveMeasuresSmoothedLossPlateauAndDrop() {
        // 400 steps: 1 for 200 steps, then 0.5.
        let c = ABVerdict.Curve(losses: [Float](repeating: 1, count: 200) + [Float](repeating: 0.5, count: 200))
        #expect(c.steps == 400 && c.span == 200)
        #expect(c.start == 1 && c.end == 0.5 && c.earlier == 1)
        #expect(c.drop == 0.5 && c.recentChange == -0.5)
        #expect(!c.plateaued(ABVerdict.Rules()))
        let p = ABVerdict.Curve(losses: [Float](repeating: 2, count: 100) + [Float](repeating: 1, count: 300))
        #expect(p.plateaued(ABVerdict.Rules()), "flat over the last 200 steps")
        // Non-finite losses are skipped; a short run shrinks the window to a quarter of it.
        let s = ABVerdict.Curve(losses: [4, .nan, 4, 2, 2])
        #expect(s.steps == 4 && s.start == 4 && s.end == 2)
    }

    @Test func aRunStuckOnAPlateauDoesNotLearn() {
        let v = ABVerdict(a: falling(600), b: flat(600, at: 0.8), label: "input=x0",
                          samples: .init(step: 600, nnRMSEA: 0.34, nnRMSEB: 1.02, swdA: 4, swdB: 9.1))
        #expect(v.finding == .bDoesNotLearn && v.samples == .worse)
        #expect(v.text == "B (input=x0) does not learn: its loss plateaus at 0.8 (A 0.063); B's samples are worse: nn-RMSE 1.02 vs A 0.34 (SWD 9.1 vs 4) at step 600")
        // The mirror image names A.
        let m = ABVerdict(a: flat(600, at: 0.8), b: falling(600), label: "input=xt")
        #expect(m.finding == .aDoesNotLearn)
        #expect(m.text.hasPrefix("A does not learn but B (input=xt) does: A's loss plateaus at 0.8 (B 0.063)"))
    }

    /// A run whose loss fell by its first window's height but sits far above the other's on the
    /// same scale, flat, has stopped learning; on two scales only the drop counts.
    @Test func theStuckRatioAppliesOnOneScaleOnly() {
        let b = [Float](repeating: 2, count: 50) + flat(550, at: 0.8, wobble: 0.001)
        let one = ABVerdict(a: falling(600), b: b, label: "input=x0")
        #expect(one.b.drop > 0.5 && one.finding == .bDoesNotLearn)
        let two = ABVerdict(a: falling(600), b: b, label: "loss=l2", scales: "B's loss is L2, A's L1")
        #expect(two.finding == .bothLearnOnTwoScales)
        #expect(two.text.hasPrefix("both learn (B's loss is L2, A's L1, so the losses are not compared): smoothed loss fell 60% in B (loss=l2) (2 → 0.8), "))
    }

    @Test func slowerFasterAlikeAndNeither() {
        #expect(ABVerdict(a: falling(600), b: falling(600, floor: 0.2), label: "lr=0.0001").finding == .bSlower)
        let faster = ABVerdict(a: falling(600, floor: 0.2), b: falling(600), label: "schedule=cosine")
        #expect(faster.finding == .bFaster)
        #expect(faster.text.hasPrefix("B (schedule=cosine) learns faster: smoothed loss 0.063 vs A 0.2 (0.31×)"))
        #expect(ABVerdict(a: falling(600), b: falling(600, floor: 0.07), label: "fwd=sqrt-at-call").finding == .alike)
        let neither = ABVerdict(a: flat(600, at: 0.8), b: flat(600, at: 0.79), label: "input=x0")
        #expect(neither.finding == .neitherLearns)
        #expect(neither.text.hasPrefix("neither run learns yet: smoothed loss A "))
    }

    @Test func identicalTooEarlyAndDiverged() {
        let l = falling(300)
        #expect(ABVerdict(a: l, b: l, label: "t0=xrecon").text == "B (t0=xrecon) trains exactly as A: the same loss at every one of 300 steps")
        #expect(ABVerdict(a: falling(10), b: flat(10, at: 1), label: "x").text == "too early to tell: 10 steps (the verdict needs 20)")
        let d = ABVerdict(a: falling(300), b: falling(40), label: "lr=10", diverged: (side: "B", step: 41))
        #expect(d.finding == .diverged)
        #expect(d.text.hasPrefix("B (lr=10) diverges: its loss is not finite at step 41 (A's smoothed loss "))
    }

    @Test func samplesAreJudgedByNearestNeighbourRMSEWithAMargin() {
        let better = ABVerdict(a: falling(600), b: falling(600), label: "x", samples: .init(step: 600, nnRMSEA: 0.5, nnRMSEB: 0.4))
        #expect(better.samples == .better && better.text.hasSuffix("; B's samples are better: nn-RMSE 0.4 vs A 0.5 at step 600"))
        let alike = ABVerdict(a: falling(600), b: falling(600), label: "x", samples: .init(step: 600, nnRMSEA: 0.5, nnRMSEB: 0.55))
        #expect(alike.samples == .alike)
    }

    @Test func scalesAndLabelNameTheDifferences() {
        var a = TrainingOptions(), b = TrainingOptions()
        #expect(ABVerdict.scales(a: a, b: b) == nil)
        b.fixes.loss = .l2
        b.objective = .v
        #expect(ABVerdict.scales(a: a, b: b) == "B's loss is L2, A's L1; B predicts v, A epsilon")
        b.learningRate = 3e-4
        #expect(TrainerPair.label(a: a, b: b) == "loss=l2,objective=v,lr=0.0003")
        a.fixes = b.fixes
        #expect(TrainerPair.label(a: a, b: b) == "objective=v,lr=0.0003")
    }
}

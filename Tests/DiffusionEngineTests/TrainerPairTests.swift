import Foundation
import Testing
import DiffusionEngine

/// Lockstep A/B training: one draw per step fed to both runs.
@Suite struct TrainerPairTests {
    func options(_ change: (inout TrainingOptions) -> Void = { _ in }) -> TrainingOptions {
        var o = smallOptions(steps: 6)
        change(&o)
        return o
    }

    /// B with A's options is A: the same weights, losses and EMA at every step; and A in a pair
    /// trains exactly as A alone (the pair only shares the draw).
    @Test func aPairOfEqualRunsIsTwoCopiesOfTheSoloRun() throws {
        let data = try smallTrainingSet()
        let pair = try TrainerPair(a: options(), b: options(), dataset: data)
        let solo = try Trainer(options: options(), dataset: data)
        #expect(pair.a.model.store.values == pair.b.model.store.values, "identical initial weights")
        for _ in 0..<4 {
            let r = try pair.trainStep()
            let s = try solo.trainStep()
            #expect(r.a.loss == s.loss && r.b.loss == s.loss)
            #expect(r.a.perSample.map(\.t) == r.b.perSample.map(\.t), "the same timesteps")
        }
        #expect(pair.step == 4 && pair.b.step == 4)
        #expect(pair.a.model.store.values == solo.model.store.values && pair.b.model.store.values == solo.model.store.values)
        #expect(pair.b.ema.values == solo.ema.values)
    }

    /// B fed x_0 (OPT 2) sees the same batches and noise but learns something else.
    @Test func theNamedDifferenceIsTheOnlyOne() throws {
        let data = try smallTrainingSet()
        let pair = try TrainerPair(a: options(), b: options { $0.fixes.lossInput = .x0 }, dataset: data)
        let r = try pair.trainStep()
        #expect(r.a.perSample.map(\.t) == r.b.perSample.map(\.t))
        #expect(r.a.loss != r.b.loss)
        #expect(r.aSeconds > 0 && r.bSeconds > 0)
    }

    @Test func optionsOutsideTheVariableOnesAreRefused() throws {
        let data = try smallTrainingSet()
        do {
            _ = try TrainerPair(a: options(), b: options { $0.batchSize = 2; $0.seed = 3 }, dataset: data)
            Issue.record("a pair with two batch sizes must be refused")
        } catch {
            #expect("\(error)" == "A/B training: A and B must differ only in fix switches, objective, schedule and learning rate; they also differ in batchSize, seed")
        }
        let ok = options { $0.fixes = .course; $0.objective = .v; $0.schedule = .cosine; $0.learningRate = 1e-4 }
        #expect(TrainerPair.fixedFieldsDiffering(options(), ok).isEmpty)
        let a = try Trainer(options: options(), dataset: data)
        try a.trainStep()
        #expect(throws: EngineError.self) { try TrainerPair(a: a, b: Trainer(options: options(), dataset: data)) }
    }

    /// Interrupted at step 3 (both checkpoints written), resumed, run to 6: the same losses,
    /// weights, EMA and Adam state in A and in B as a pair that ran straight to 6.
    @Test func anInterruptedPairResumesExactly() throws {
        let data = try smallTrainingSet()
        let b = options { $0.fixes.forwardCoefficients = .sqrtOfSqrt; $0.learningRate = 3e-3 }
        let straight = try TrainerPair(a: options(), b: b, dataset: data)
        for _ in 0..<6 { try straight.trainStep() }

        let dir = temporaryDirectory("pair-resume")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try TrainerPair(a: options(), b: b, dataset: data)
        for _ in 0..<3 { try first.trainStep() }
        try first.a.saveCheckpoint(path: dir + "/a.safetensors")
        try first.b.saveCheckpoint(path: dir + "/b.safetensors")
        let resumed = try TrainerPair(a: Trainer(resuming: Checkpoint.load(path: dir + "/a.safetensors"), dataset: data),
                                      b: Trainer(resuming: Checkpoint.load(path: dir + "/b.safetensors"), dataset: data))
        #expect(resumed.step == 3)
        for _ in 0..<3 { try resumed.trainStep() }
        for (r, s) in [(resumed.a, straight.a), (resumed.b, straight.b)] {
            #expect(r.lossHistory == s.lossHistory)
            #expect(r.model.store.values == s.model.store.values)
            #expect(r.ema.values == s.ema.values && r.adam.m == s.adam.m)
        }
        #expect(straight.a.lossHistory != straight.b.lossHistory)
    }
}

import DiffusionEngine
import Foundation
import Testing
import Workbench

/// The A/B session: two snapshots, a verdict, both runs stopped and resumed together.
@Suite struct ABTrainingSessionTests {
    func data() throws -> DataSource.Loaded {
        var rng = RandomGenerator(seed: 5)
        return .init(set: try TrainingSet(images: rng.uniformTensor([6, 3, 9, 9], lo: -1, hi: 1), size: 8, names: []), description: "random")
    }

    func options(steps: Int = 4) -> TrainingOptions {
        var o = WorkbenchFixtures.fixtureOptions(steps: steps)
        (o.batchSize, o.saveEvery, o.sampleCount, o.milestoneSamplingSteps) = (2, 1000, 1, 2)
        return o
    }

    /// Stopped by a request after step 2 (both checkpoints of step 2 written), resumed to 4: A and
    /// B match a pair that ran straight to 4, and their snapshots and the verdict are published.
    @Test func aStoppedPairResumesToTheStraightPair() throws {
        let dir = try WorkbenchFixtures.tempFolder("ab-session")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let d = try data()
        var b = options(steps: 4)
        b.fixes.lossInput = .x0
        let straight = try ABTrainingSession(a: options(steps: 4), b: b, data: d, out: dir + "/straight")
        #expect(straight.run() == .finished)
        #expect(straight.snapshotA.read().value.finished && straight.snapshotB.read().value.step == 4)
        #expect(straight.verdict.read().value?.text.hasPrefix("too early to tell: 4 steps") == true)

        let first = try ABTrainingSession(a: options(steps: 4), b: b, data: d, out: dir + "/split")
        #expect(first.run { r, _, _ in if r.a.step == 2 { first.stop() } } == .stopped(signal: nil))
        #expect(first.pair.step == 2 && first.snapshotB.read().value.lastCheckpointStep == 2)
        #expect(ABTrainingSession.pairFolder(resuming: dir + "/split") == dir + "/split")
        #expect(ABTrainingSession.pairFolder(resuming: dir + "/split/B/checkpoint.safetensors") == dir + "/split")
        #expect(ABTrainingSession.pairFolder(resuming: dir + "/split/A") == nil)
        let resumed = try ABTrainingSession(
            resumingA: Checkpoint.load(path: dir + "/split/A/checkpoint.safetensors"),
            b: Checkpoint.load(path: dir + "/split/B/checkpoint.safetensors"), data: d, out: dir + "/split")
        #expect(resumed.label == "input=x0")
        #expect(resumed.run() == .finished)
        #expect(resumed.pair.a.lossHistory == straight.pair.a.lossHistory && resumed.pair.b.lossHistory == straight.pair.b.lossHistory)
        #expect(resumed.pair.a.model.store.values == straight.pair.a.model.store.values)
        #expect(resumed.pair.b.model.store.values == straight.pair.b.model.store.values)
        let verdicts = try String(contentsOfFile: resumed.verdictPath, encoding: .utf8)
        #expect(verdicts.contains("step 2 (final): ") && verdicts.contains("step 4 (final): "))
    }
}

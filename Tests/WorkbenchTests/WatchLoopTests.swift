import DiffusionEngine
import Foundation
import Testing
import TerminalUI
import Workbench

/// `ddpm watch DIR` through the whole run loop: the Train screen follows a folder that another
/// writer fills, and the chains start over when its checkpoint is replaced.
@Suite struct WatchLoopTests {
    func train(_ dir: String, to steps: Int, resume: Bool) throws {
        var rng = RandomGenerator(seed: 5)
        let set = try TrainingSet(images: rng.uniformTensor([6, 3, 9, 9], lo: -1, hi: 1), size: 8, names: [])
        var o = AppFixture.options
        o.steps = steps
        o.saveEvery = 3
        o.milestoneSamplingSteps = 5
        let data = DataSource.Loaded(set: set, description: "random")
        let s = resume
            ? try TrainingSession(resuming: Checkpoint.load(path: dir + "/checkpoint.safetensors"), steps: steps, data: data, out: dir)
            : try TrainingSession(options: o, data: data, out: dir)
        #expect(s.run() == .finished)
    }

    @Test func followsTheWriterAndRestartsChainsOnANewCheckpoint() throws {
        let dir = try WorkbenchFixtures.tempFolder("watch-loop")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try train(dir, to: 3, resume: false)
        let backend = MemoryBackend(width: 160, height: 50)
        let launch = AppLaunch(options: AppFixture.options, data: .builtin, out: dir, checkpoint: nil, viewOnly: false, theme: nil, watch: dir)
        let loop = try WorkbenchLoop(launch, backend: backend, stopRequested: { false })
        defer { _ = loop.finish() }
        let first = try RunLoopTests().step(loop, backend, until: "step 3/3")
        #expect(first.contains("watching ddpm cpu"))
        #expect(first.contains("Watched run"))
        #expect(loop.state.screen == .train)
        // The writer goes on (a resumed run, as after a kill): 3 more steps and a new checkpoint.
        try train(dir, to: 6, resume: true)
        // The notice shows first (it takes the status's place for a few seconds), then the status.
        try RunLoopTests().step(loop, backend, until: "new checkpoint (step 6)")
        #expect(loop.state.denoise.settings.weightsGeneration == 1)
        let later = try RunLoopTests().step(loop, backend, until: "step 6/6")
        #expect(later.contains("watching ddpm cpu"))
        backend.send(.character("q"))
        while loop.step() {}
        #expect(loop.finish() == 0)
        #expect(loop.farewell.contains("stopped watching"))
    }
}

import DiffusionEngine
import Foundation
import Testing
import Workbench

/// The session behind the workbench: how a stop ends (checkpoint first, then the final grid).
@Suite struct TrainingSessionTests {
    /// A session of the 8x8 `fixture` UNet on 6 random images, T = 20, writing to `dir`.
    func session(in dir: String, steps: Int = 3) throws -> TrainingSession {
        var rng = RandomGenerator(seed: 5)
        let set = try TrainingSet(images: rng.uniformTensor([6, 3, 9, 9], lo: -1, hi: 1), size: 8, names: [])
        var o = TrainingOptions()
        (o.preset, o.model, o.timesteps, o.steps) = ("fixture", .fixture, 20, steps)
        (o.batchSize, o.accumulate, o.sampleCount) = (4, 1, 4)
        o.milestoneSamplingSteps = 0  // DDPM: 20 reverse steps, so a skip has steps to cut
        return try TrainingSession(options: o, data: .init(set: set, description: "random"), out: dir)
    }

    @Test func aStopSavesTheCheckpointAndWritesTheFinalGrid() throws {
        let dir = try WorkbenchFixtures.tempFolder("session-stop")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let s = try session(in: dir)
        s.stop()
        #expect(s.run() == .stopped(signal: nil))
        #expect(FileManager.default.fileExists(atPath: s.folder.checkpointPath))
        #expect(FileManager.default.fileExists(atPath: s.folder.finalSamplePath))
    }

    /// `q` twice in the workbench: the checkpoint is still written, only the grid is given up.
    @Test func skippingTheFinalGridStillSavesTheCheckpoint() throws {
        let dir = try WorkbenchFixtures.tempFolder("session-skip")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let s = try session(in: dir)
        s.stop()
        s.skipFinalGrid()
        #expect(s.run() == .stopped(signal: nil))
        #expect(FileManager.default.fileExists(atPath: s.folder.checkpointPath))
        #expect(!FileManager.default.fileExists(atPath: s.folder.finalSamplePath))
        let loaded = try Checkpoint.load(path: s.folder.checkpointPath)
        #expect(loaded.step == s.trainer.step)
        let log = try String(contentsOfFile: dir + "/metrics.jsonl", encoding: .utf8)
        #expect(log.contains("final grid skipped"))
        #expect(s.snapshot.read().value.status.contains("saved"))
    }

    /// A resume takes the checkpoint its caller loaded (no second read) and carries on from its step.
    @Test func resumingContinuesTheLoadedCheckpoint() throws {
        let dir = try WorkbenchFixtures.tempFolder("session-resume")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try session(in: dir, steps: 2)
        #expect(first.run() == .finished)
        let loaded = try Checkpoint.load(path: first.folder.checkpointPath)
        let resumed = try TrainingSession(resuming: loaded, steps: 3, data: .init(set: first.trainer.dataset, description: "random"), out: dir)
        #expect(resumed.trainer.step == 2 && resumed.trainer.options.steps == 3)
        #expect(resumed.snapshot.read().value.lastCheckpointPath == loaded.path)
        #expect(resumed.run() == .finished)
        #expect(resumed.trainer.step == 3)
    }

    /// The run-folder protocol: a first line naming the writer, plain paths, and a `resume` line
    /// at the checkpoint's step so readers can drop the steps a killed run logged after it.
    @Test func metricsNameTheWriterUsePlainPathsAndMarkAResume() throws {
        let dir = try WorkbenchFixtures.tempFolder("session-log")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try session(in: dir, steps: 2)
        #expect(first.run() == .finished)
        let loaded = try Checkpoint.load(path: first.folder.checkpointPath)
        let resumed = try TrainingSession(resuming: loaded, steps: 3, data: .init(set: first.trainer.dataset, description: "random"), out: dir)
        #expect(resumed.run() == .finished)
        let lines = try String(contentsOfFile: dir + "/metrics.jsonl", encoding: .utf8).split(separator: "\n")
        let records = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(records.first?["event"] as? String == "start" && records.first?["writer"] as? String == "ddpm")
        #expect(records.first?["world_size"] as? Int == 1)
        // The first line carries the run's options, readable as they were (bools stay bools).
        guard case .event(let start)? = MetricsLine(json: lines[0]) else { Issue.record("no start event"); return }
        #expect(start.options == first.trainer.options)
        #expect(lines[0].contains("\"clipXRecon\":true"))
        let resume = records.first { $0["event"] as? String == "resume" }
        #expect(resume?["step"] as? Int == 2)
        #expect(resume?["checkpoint"] as? String == first.folder.checkpointPath)
        #expect(!lines.contains { $0.contains("\\/") }, "paths are written without escaped slashes")
        #expect(lines.contains { $0.contains("\"path\":\"\(dir)/checkpoint.safetensors\"") })
    }
}

import DiffusionEngine
import Foundation
import ImageIO
import Testing
import Workbench

/// `ddpm watch`: the Train screen's snapshot made from a folder another process wrote.
@Suite struct RunWatcherTests {
    @Test func aFinishedRunReadsAsItsOwnSession() throws {
        let dir = try WorkbenchFixtures.tempFolder("watch")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let session = try WorkbenchFixtures.shortRun(in: dir, steps: 4, seed: 5)
        let o = session.trainer.options
        #expect(session.run() == .finished)
        let written = session.snapshot.read().value

        let watcher = try RunWatcher(folder: dir)
        let s = watcher.snapshot.read().value
        #expect(s.step == 4 && s.totalSteps == 4 && s.finished)
        #expect(s.losses == written.losses)
        #expect(s.options == o)
        #expect(s.samplesStep == 4 && s.samples?.shape == [4, 3, 8, 8])
        #expect(s.nearestNeighbourRMSE == written.nearestNeighbourRMSE)
        #expect(s.status.hasPrefix("watching ddpm cpu · finished"))
        let w = try #require(watcher.weights.read().value)
        #expect(w.step == 4 && w.emaValues == session.trainer.ema.values)
        // The grid read back is the grid written (8-bit PNG rounding: 1/255 in [0,1], 2/255 in [-1,1]).
        let drawn = try #require(written.samples).data.map { min(1, max(-1, $0)) }
        let read = try #require(s.samples).data
        #expect(zip(drawn, read).allSatisfy { abs($0 - $1) <= 2.0 / 255 + 1e-6 })
    }

    /// Before the writer's first checkpoint the Train screen says who saves and when (this
    /// process cannot: `c` saves only a run it trains), from the options on the start line. The
    /// start line holds no data source, so the data line says so instead of naming the folder as data.
    @Test func beforeItsFirstCheckpointTheWriterSavesAtItsOwnSteps() throws {
        let dir = try WorkbenchFixtures.tempFolder("watch-start")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var o = AppFixture.options
        o.saveEvery = 25
        let start: [String: Any] = [
            "event": "start", "step": 0, "writer": "pytorch", "world_size": 2, "device": "cuda",
            "wall_time": Date().timeIntervalSince1970,
            "options": try JSONSerialization.jsonObject(with: JSONEncoder().encode(o)),
        ]
        var line = try JSONSerialization.data(withJSONObject: start, options: [.sortedKeys])
        line.append(0x0a)
        try line.write(to: URL(fileURLWithPath: dir + "/metrics.jsonl"))

        let watcher = try RunWatcher(folder: dir)
        let s = watcher.snapshot.read().value
        #expect(s.options.saveEvery == 25 && s.lastCheckpointStep == nil)
        let info = RunInfo(options: s.options, viewOnly: true, checkpointPath: nil, outPath: dir,
                           dataDescription: dir, images: nil, watchedFolder: dir)
        let g = AppFixture.frame(FrameInput(state: AppFixture.state(.train), snapshot: s, info: info), width: 200, height: 50)
        let text = g.text
        #expect(text.contains("last saved not yet"))
        #expect(text.contains("the writer saves every 25 steps"))
        #expect(!text.contains("c saves"), "this process cannot save a watched run")
        let data = try #require(g.textLines().first { $0.contains("data ") })
        #expect(data.contains("data      not logged by the writer"), "\(data)")
    }

    @Test func anEmptyOrMissingFolder() throws {
        let dir = try WorkbenchFixtures.tempFolder("watch-empty")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let watcher = try RunWatcher(folder: dir)
        #expect(watcher.snapshot.read().value.status == "waiting for metrics.jsonl")
        #expect(watcher.weights.read().value == nil)
        do {
            _ = try RunWatcher(folder: dir + "/nope")
            Issue.record("a missing folder must be an error")
        } catch let e as EngineError {
            #expect(e.message.contains("no such folder"))
        }
    }

    @Test func gridsSplitBackIntoTheirImages() {
        let images = (0..<5).map { k in RGBImage(width: 3, height: 3, red: Float(k) / 5, green: 0.5, blue: 1) }
        let grid = ImageGrid.makeGrid(images, nrow: 3, padding: 2)
        #expect(ImageGrid.split(grid, count: 5, tile: 3, nrow: 3) == images)
        #expect(ImageGrid.split(grid, count: 5, tile: 4) == nil, "a wrong tile size does not fit")
    }
}

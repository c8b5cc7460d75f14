import DiffusionEngine
import Foundation
import Testing
import TerminalUI
import Workbench

/// `ddpm --baseline DIR`: a finished run folder read once and drawn over the current run.
@Suite struct RunOverlayTests {
    @Test func aBaselineIsTheRunItsFolderRecords() throws {
        let dir = try WorkbenchFixtures.tempFolder("baseline")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let session = try WorkbenchFixtures.shortRun(in: dir, steps: 6, seed: 7)
        #expect(session.run() == .finished)
        let written = session.snapshot.read().value

        let baseline = try RunOverlay.baseline(folder: dir)
        let s = baseline.snapshot
        #expect(baseline.label == "baseline" && baseline.color == .seriesB)
        #expect(s.step == 6 && s.status == "finished")
        #expect(s.losses == written.losses)
        #expect(s.history.lastStep == 6 && s.history.bins.map(\.mean) == written.history.bins.map(\.mean))
        #expect(s.history.smoothed == written.history.smoothed)
        let same = zip(s.history.bucketColumns(6), written.history.bucketColumns(6)).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
        #expect(same && s.history.bucketCount == Trainer.bucketCount)
        #expect(s.milestones.map(\.step) == [2, 4, 6])
        #expect(s.milestones == written.milestones)

        // Drawn over the fixture's run: a legend entry, its milestones in the table.
        var input = AppFixture.input(AppFixture.state(.train))
        input.overlays = [baseline]
        let g = AppFixture.frame(input, width: 160, height: 50)
        #expect(g.text.contains("── baseline"))
        let lines = g.textLines()
        let row = try #require(lines.firstIndex { $0.contains("     6 baseline") })
        #expect(lines[row].contains(AppRenderer.number(Double(try #require(written.nearestNeighbourRMSE)))))
        #expect(g.fgRuns(row: row).contains { $0.color == Theme.default.seriesB })
    }

    @Test func whatIsNotARunFolderIsOneLineNamingIt() throws {
        let dir = try WorkbenchFixtures.tempFolder("baseline-bad")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func message(_ folder: String) -> String? {
            do { _ = try RunOverlay.baseline(folder: folder); return nil } catch let e as EngineError { return e.message } catch { return "\(error)" }
        }
        #expect(message(dir + "/nope") == "run folder \(dir)/nope: no such folder; pass the folder a training run wrote (the one holding metrics.jsonl)")
        #expect(message(dir) == "run folder \(dir): no metrics.jsonl in it; pass the folder a training run wrote")
        try Data("{\"event\":\"start\",\"step\":0}\n".utf8).write(to: URL(fileURLWithPath: dir + "/metrics.jsonl"))
        #expect(message(dir) == "run folder \(dir): metrics.jsonl has no step lines yet; pass a run that has trained")
        for m in [message(dir + "/nope"), message(dir)] { #expect(m?.contains("\n") == false) }
    }
}

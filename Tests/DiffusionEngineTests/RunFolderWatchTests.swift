import Foundation
import Testing
import DiffusionEngine

/// Reading a run folder that another process writes (docs/run-folder.md): metrics.jsonl as it
/// grows, and the checkpoint as it is replaced.
@Suite struct RunFolderWatchTests {
    func append(_ text: String, to path: String) throws {
        if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
        let h = try #require(FileHandle(forWritingAtPath: path))
        h.seekToEndOfFile()
        h.write(Data(text.utf8))
        try h.close()
    }

    func stepLine(_ step: Int, loss: Double = 0.5) -> String {
        "{\"grad_norm\":1,\"loss\":\(loss),\"loss_by_t_bucket\":[0.2,null],\"lr\":0.001,\"step\":\(step),\"wall_time\":\(1000 + step)}\n"
    }

    @Test func followsAGrowingFileAndWaitsForAPartialLastLine() throws {
        let dir = temporaryDirectory("follow")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/metrics.jsonl"
        let f = MetricsFollower(path: path)
        #expect(f.poll() == .missing)
        try append("{\"device\":\"cpu\",\"event\":\"start\",\"step\":0,\"world_size\":2,\"writer\":\"pytorch\"}\n" + stepLine(1), to: path)
        guard case .appended(let first) = f.poll() else { Issue.record("expected lines"); return }
        #expect(first.count == 2)
        var log = RunLog()
        log.apply(first)
        #expect(log.writer?.writer == "pytorch" && log.writer?.worldSize == 2 && log.step == 1)
        #expect(log.steps[0].bucketLoss.count == 2 && log.steps[0].bucketLoss[1].isNaN, "null buckets read as NaN")
        // Half a line: nothing yet; the rest: one line.
        let line = stepLine(2)
        let cut = line.index(line.startIndex, offsetBy: 20)
        try append(String(line[..<cut]), to: path)
        #expect(f.poll() == .appended([]))
        try append(String(line[cut...]), to: path)
        guard case .appended(let second) = f.poll() else { Issue.record("expected a line"); return }
        #expect(second.map(\.step) == [2])
        #expect(f.poll() == .appended([]), "nothing new, nothing read")
    }

    @Test func aReplacedOrTruncatedFileIsARestart() throws {
        let dir = temporaryDirectory("restart")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/metrics.jsonl"
        try append(stepLine(1) + stepLine(2) + stepLine(3), to: path)
        let f = MetricsFollower(path: path)
        _ = f.poll()
        try FileManager.default.removeItem(atPath: path)
        try append(stepLine(1, loss: 0.9), to: path)
        guard case .restarted(let lines) = f.poll() else { Issue.record("expected a restart"); return }
        #expect(lines.count == 1)
    }

    @Test func aResumeDropsTheOrphanedStepsAndDamagedLinesAreSkipped() {
        var log = RunLog()
        let lines = ([1, 2, 3, 4, 5].map { stepLine($0) }
            + ["{\"event\":\"checkpoint\",\"path\":\"r/checkpoint.safetensors\",\"step\":3}\n", "not json\n", stepLine(6)]
            + ["{\"checkpoint\":\"r/checkpoint.safetensors\",\"event\":\"resume\",\"step\":3,\"writer\":\"ddpm\"}\n", stepLine(4, loss: 0.1)])
            .joined().split(separator: "\n").compactMap { MetricsLine(json: $0) }
        #expect(lines.count == 9, "the damaged line is skipped")
        log.apply(lines)
        #expect(log.steps.map(\.step) == [1, 2, 3, 4])
        #expect(log.steps.last?.loss == 0.1)
        #expect(log.droppedSteps == 3 && log.resumes == 1)
        #expect(log.lastCheckpoint?.step == 3)
    }

    @Test func aReplacedCheckpointLoadsAndOneCaughtMidCopyWaits() throws {
        let dir = temporaryDirectory("ckpt-watch")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/checkpoint.safetensors"
        let w = CheckpointWatcher(path: path)
        guard case .missing = w.poll() else { Issue.record("a folder without a checkpoint is missing"); return }
        let trainer = try Trainer(options: smallOptions(steps: 2), dataset: try smallTrainingSet())
        try trainer.saveCheckpoint(path: path)
        guard case .loaded(let first) = w.poll() else { Issue.record("expected a load"); return }
        #expect(first.step == 0)
        guard case .unchanged = w.poll() else { Issue.record("expected no reload"); return }
        // Replaced atomically by the writer: the new one loads.
        try trainer.trainStep()
        try trainer.saveCheckpoint(path: path)
        guard case .loaded(let second) = w.poll() else { Issue.record("expected the replacement"); return }
        #expect(second.step == 1)
        // A non-atomic copy caught half-way: one failure, then it waits for the file to change.
        try trainer.trainStep()
        let next = Data(trainer.checkpointFile().serialized())
        try next.prefix(next.count / 2).write(to: URL(fileURLWithPath: path))
        guard case .failed(let message) = w.poll() else { Issue.record("a half file must not load"); return }
        #expect(message.contains(path))
        guard case .unchanged = w.poll() else { Issue.record("the same half file is not retried"); return }
        try next.write(to: URL(fileURLWithPath: path))
        guard case .loaded(let third) = w.poll() else { Issue.record("the finished copy loads"); return }
        #expect(third.step == 2)
    }
}

import DiffusionEngine
import Foundation
import ImageIO

/// The workbench's window onto a run folder that another process writes (`ddpm watch DIR`): the
/// PyTorch trainer under torchrun, a folder synced from a GPU machine, or a headless `ddpm train`.
///
/// On its own thread it follows `metrics.jsonl` (only the new bytes each time), decodes the newest
/// milestone grid, and reloads the checkpoint when its writer replaces it; it publishes snapshots
/// and weights the way a training session does, so the screens cannot tell the difference. The
/// UI thread only reads `snapshot` and `weights`; nothing here ever blocks it.
public final class RunWatcher: @unchecked Sendable {
    public let folder: String
    /// The newest picture of the run, as the Train screen draws it.
    public let snapshot: Latest<TrainingSnapshot>
    /// The newest checkpoint's weights (nil until the folder has one).
    public let weights = Latest<ModelWeights?>(nil)
    /// Seconds between polls.
    public var interval = 0.5

    private let metrics: MetricsFollower
    private let checkpoint: CheckpointWatcher
    private var log = RunLog()
    /// The steps' history, extended as lines arrive (built again when the log goes back).
    private var followed: (history: StepHistory, position: StepHistory.LogPosition)?
    private var options: TrainingOptions?
    private var checkpointError: String?
    private var grid: (path: String, identity: FileIdentity, images: Tensor)?
    private let control = Latest<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private var thread: Thread?

    /// Reads what the folder holds now (so the first frame has it), without starting the thread.
    /// - Throws: a one-line error when `folder` is not a folder.
    public init(folder: String) throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue else {
            throw EngineError("watch \(folder): no such folder; pass the run folder (the one holding metrics.jsonl)")
        }
        self.folder = folder
        metrics = MetricsFollower(path: folder + "/metrics.jsonl")
        checkpoint = CheckpointWatcher(path: folder + "/checkpoint.safetensors")
        snapshot = Latest(TrainingSnapshot.initial(options: TrainingOptions(), data: Self.dataDescription(folder: folder)))
        poll(now: Date().timeIntervalSince1970)
    }

    public func start() {
        guard thread == nil else { return }
        let t = Thread { [self] in
            while !control.read().value {
                usleep(UInt32(interval * 1e6))
                poll(now: Date().timeIntervalSince1970)
            }
            finished.signal()
        }
        t.name = "ddpm-watch"
        thread = t
        t.start()
    }

    public func stop() {
        guard thread != nil else { return }
        control.write(true)
        finished.wait()
        thread = nil
    }

    /// One look at the folder: new metrics lines, a new grid, a replaced checkpoint.
    public func poll(now: Double) {
        switch metrics.poll() {
        case .missing: break
        case .appended(let lines): log.apply(lines)
        case .restarted(let lines):
            log = RunLog()
            log.apply(lines)
        }
        for e in [log.writer].compactMap({ $0 }) where e.options != nil && options == nil { options = e.options }
        switch checkpoint.poll() {
        case .missing, .unchanged: break
        case .loaded(let c):
            options = c.options
            checkpointError = nil
            if let w = try? ModelWeights(checkpoint: c) { weights.write(w) }
        case .failed(let message): checkpointError = message
        }
        refreshGrid()
        publish(now: now)
    }

    /// Decodes the newest milestone grid when it is new (or rewritten).
    private func refreshGrid() {
        guard let m = log.milestones.last(where: { $0.samples != nil }), let rel = m.samples, let o = options else { return }
        let path = rel.hasPrefix("/") || FileManager.default.fileExists(atPath: rel) ? rel : folder + "/samples/" + (rel as NSString).lastPathComponent
        guard let id = FileIdentity(path: path), grid?.path != path || grid?.identity != id else { return }
        guard let image = try? ImageDecoder.decodeFile(atPath: path),
              let tiles = ImageGrid.split(image, count: o.sampleCount, tile: o.model.imageSize) else { return }
        let c = o.model.channels, side = o.model.imageSize, plane = side * side
        var data = [Float](repeating: 0, count: tiles.count * c * plane)
        for (i, t) in tiles.enumerated() {
            for j in 0..<c * plane { data[i * c * plane + j] = t.pixels[j] * 2 - 1 }
        }
        grid = (path, id, Tensor(shape: [tiles.count, c, side, side], data: data))
    }

    private func publish(now: Double) {
        let o = options ?? TrainingOptions()
        followed = StepHistory.follow(log, from: followed)
        var s = TrainingSnapshot(log: log, options: o, data: Self.dataDescription(folder: folder), history: followed?.history)
        for key in Set(log.steps.flatMap(\.terms.keys)) { s.terms[key] = log.steps.map { $0.terms[key] ?? .nan } }
        if let m = log.milestones.last, let g = grid { s.samples = g.images; s.samplesStep = m.step }
        s.lastCheckpointStep = s.lastCheckpointStep ?? weights.read().value?.step
        s.lastCheckpointPath = checkpoint.path
        s.lastError = checkpointError.map { "checkpoint: \($0)" }
        s.status = Self.status(log: log, options: options, hasWeights: weights.read().value != nil, now: now)
        snapshot.write(s)
    }

    /// The Train screen's "data" line for a watched run. Neither writer puts the data source in
    /// the run folder (the start line holds the options, not the data), so the line says that,
    /// and names the folder watched.
    static func dataDescription(folder: String) -> String { "not logged by the writer · \(folder)" }

    /// "watching pytorch ×2 cuda · wrote 3s ago", "finished", "diverged: …", "waiting for metrics.jsonl".
    static func status(log: RunLog, options: TrainingOptions?, hasWeights: Bool, now: Double) -> String {
        if let d = log.diverged { return "diverged: \(d)" }
        if log.writer == nil && log.steps.isEmpty { return "waiting for metrics.jsonl" }
        let w = log.writer
        var who = "watching \(w?.writer ?? "a writer")"
        if let n = w?.worldSize, n > 1 { who += " ×\(n)" }
        if let d = w?.device { who += " \(d)" }
        if log.finished { who += " · finished" }
        if let t = log.lastWallTime { who += " · wrote \(AppRenderer.duration(max(0, now - t))) ago" }
        if !hasWeights { who += " · no checkpoint yet" }
        return who
    }
}

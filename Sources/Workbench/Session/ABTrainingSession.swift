import DiffusionEngine
import Foundation

/// Two training runs in lockstep (the engine's `TrainerPair`), each an ordinary run folder:
///
///     <out>/A/        checkpoint.safetensors, metrics.jsonl, samples/   (the base options)
///     <out>/B/        the same for B (the base options plus the named differences)
///     <out>/ab.json   what makes <out> a pair: B's label (`--resume <out>` finds the runs by it)
///     <out>/verdict.txt   the verdict at each milestone and at the end, one line each
///
/// Each run is a `TrainingSession` (its own files, snapshot, weights and milestone code); this
/// drives both from one loop: one draw per step fed to A and B, both recorded with the pair's
/// step time, milestones for both at once (the same seed, so the two grids start from the same
/// noise), and after each milestone a verdict (`ABVerdict`) published in `verdict`. Requests
/// from the UI (pause, save, sample, stop) act on both; SIGINT/SIGTERM end both with their final
/// checkpoints written at the same step, so `--resume <out>` continues the pair exactly.
public final class ABTrainingSession: @unchecked Sendable {
    public let pair: TrainerPair
    public let a: TrainingSession
    public let b: TrainingSession
    /// The pair's folder (`<out>`).
    public let path: String
    /// B's differences from A ("input=x0").
    public let label: String
    /// The newest verdict (nil before the first one); its `text` is what the UI and CLI print.
    public let verdict: Latest<ABVerdict?>

    /// A's and B's newest snapshots, for screens on other threads.
    public var snapshotA: Latest<TrainingSnapshot> { a.snapshot }
    public var snapshotB: Latest<TrainingSnapshot> { b.snapshot }

    /// Refresh the verdict every this many steps between milestones (loss curves only).
    public var verdictEvery = 100

    public enum End: Equatable, Sendable {
        case finished
        case stopped(signal: Int32?)
        /// One run's loss became non-finite; nothing was saved over either run's last checkpoint.
        case diverged(side: TrainerPair.Side, message: String)
    }

    /// A fresh pair: A trains `a`, B trains `b` (which may differ only in `TrainerPair.variableFields`).
    public convenience init(a: TrainingOptions, b: TrainingOptions, data: DataSource.Loaded, out: String) throws {
        try self.init(pair: TrainerPair(a: a, b: b, dataset: data.set), data: data, out: out, resumed: nil)
    }

    /// Continues a pair from A's and B's checkpoints (loaded by the caller), which must be at the
    /// same step; `steps` is a new total for both, nil keeps the checkpoints'.
    public convenience init(resumingA ca: Checkpoint.Loaded, b cb: Checkpoint.Loaded, steps: Int? = nil,
                            data: DataSource.Loaded, out: String) throws {
        let pair = try TrainerPair(a: Trainer(resuming: ca, dataset: data.set, steps: steps),
                                   b: Trainer(resuming: cb, dataset: data.set, steps: steps))
        try self.init(pair: pair, data: data, out: out, resumed: (ca.path, cb.path))
    }

    private init(pair: TrainerPair, data: DataSource.Loaded, out: String, resumed: (a: String, b: String)?) throws {
        self.pair = pair
        path = out
        label = TrainerPair.label(a: pair.a.options, b: pair.b.options)
        a = try TrainingSession(trainer: pair.a, data: data, out: Self.runPath(out, .a), resumedFrom: resumed?.a)
        b = try TrainingSession(trainer: pair.b, data: data, out: Self.runPath(out, .b), resumedFrom: resumed?.b)
        verdict = Latest(nil)
        let marker = try JSONSerialization.data(withJSONObject: ["b_label": label, "a": "A", "b": "B"], options: [.sortedKeys])
        try marker.write(to: URL(fileURLWithPath: Self.markerPath(out)), options: .atomic)
    }

    // MARK: The folder

    /// `<out>/A` or `<out>/B`.
    public static func runPath(_ out: String, _ side: TrainerPair.Side) -> String { out + "/" + side.rawValue }
    static func markerPath(_ out: String) -> String { out + "/ab.json" }
    public var verdictPath: String { path + "/verdict.txt" }

    /// The pair folder a `--resume` path names, or nil when it names no pair: the folder itself
    /// (holding `ab.json`, `A/` and `B/`), or A's (or B's) checkpoint inside one.
    public static func pairFolder(resuming p: String) -> String? {
        let fm = FileManager.default
        func isPair(_ d: String) -> Bool {
            fm.fileExists(atPath: markerPath(d)) && TrainerPair.Side.allCases.allSatisfy {
                fm.fileExists(atPath: runPath(d, $0) + "/checkpoint.safetensors")
            }
        }
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: p, isDirectory: &isDir), isDir.boolValue {
            return isPair(p) ? p : nil
        }
        let run = (p as NSString).deletingLastPathComponent
        let side = (run as NSString).lastPathComponent
        let parent = (run as NSString).deletingLastPathComponent
        let d = parent.isEmpty ? "." : parent
        return TrainerPair.Side.allCases.contains { $0.rawValue == side } && isPair(d) ? d : nil
    }

    /// A's and B's checkpoints in the pair folder `dir` (as `pairFolder(resuming:)` names it),
    /// loaded and validated: what `ddpm train --resume <out>` and `ddpm --checkpoint <out>` pass
    /// to `init(resumingA:b:steps:data:out:)`.
    /// - Throws: `EngineError`, one line, for a missing or damaged checkpoint.
    public static func checkpoints(in dir: String) throws -> (a: Checkpoint.Loaded, b: Checkpoint.Loaded) {
        let load = { (side: TrainerPair.Side) in try Checkpoint.load(path: runPath(dir, side) + "/checkpoint.safetensors") }
        return (try load(.a), try load(.b))
    }

    // MARK: Requests from the UI thread (A's request box drives the loop)

    public func setPaused(_ p: Bool) { a.setPaused(p) }
    public func requestSave() { a.requestSave() }
    public func requestSample() { a.requestSample() }
    public func stop() { a.stop() }
    public func skipFinalGrid() { a.skipFinalGrid(); b.skipFinalGrid() }

    // MARK: The loop

    /// Trains both runs until `options.steps`, a stop request or a signal.
    /// - Parameter onStep: called on the training thread after every lockstep step.
    public func run(onStep: (TrainerPair.StepResult, _ a: TrainingSnapshot, _ b: TrainingSnapshot) -> Void = { _, _, _ in }) -> End {
        let steps = pair.a.options.steps
        let both = [a, b]
        for s in both {
            s.logStart()
            s.publish { $0.status = "training" }
        }
        while pair.step < steps {
            guard a.serveRequests(
                save: { both.forEach { $0.saveCheckpoint() } },
                sample: { milestones(writeCheckpoint: false) },
                weights: { both.forEach { $0.weights.write(ModelWeights(trainer: $0.trainer)) } },
                paused: { p in both.forEach { $0.publishPaused(p) } })
            else { break }
            let result: TrainerPair.StepResult
            do {
                result = try pair.trainStep()
            } catch {
                return diverged(error)
            }
            let seconds = result.drawSeconds + result.aSeconds + result.bSeconds
            a.record(result.a, seconds: seconds)
            b.record(result.b, seconds: seconds)
            if pair.step % verdictEvery == 0 { updateVerdict(final: false, writeLine: false) }
            onStep(result, a.snapshot.read().value, b.snapshot.read().value)
            if pair.step % pair.a.options.saveEvery == 0 && pair.step < steps {
                milestones(writeCheckpoint: true)
            }
        }
        let ends = both.map { $0.finishRun() }
        updateVerdict(final: true, writeLine: true)
        return ends[0] == .finished && ends[1] == .finished ? .finished : .stopped(signal: StopSignal.pending)
    }

    /// A milestone of both runs, then the verdict with their sample metrics.
    func milestones(writeCheckpoint: Bool) {
        a.milestone(final: false, writeCheckpoint: writeCheckpoint)
        b.milestone(final: false, writeCheckpoint: writeCheckpoint)
        updateVerdict(final: false, writeLine: true)
    }

    func diverged(_ e: TrainerPair.StepError) -> End {
        let (bad, good) = e.side == .a ? (a, b) : (b, a)
        bad.markDiverged("\(e.error)")
        good.publish { $0.status = "stopped: \(e.side.rawValue) diverged"; $0.finished = true }
        updateVerdict(final: true, writeLine: true, diverged: (e.side.rawValue, bad.trainer.step + 1))
        return .diverged(side: e.side, message: "\(e.error)")
    }

    /// The verdict on the curves so far and the newest milestone both runs reached; published,
    /// and appended to `verdict.txt` when `writeLine`.
    func updateVerdict(final: Bool, writeLine: Bool, diverged: (side: String, step: Int)? = nil) {
        let sa = a.snapshot.read().value, sb = b.snapshot.read().value
        var samples: ABVerdict.Samples?
        if let step = sa.samplesStep, sb.samplesStep == step, let na = sa.nearestNeighbourRMSE, let nb = sb.nearestNeighbourRMSE {
            samples = .init(step: step, nnRMSEA: na, nnRMSEB: nb, swdA: sa.swd, swdB: sb.swd)
        }
        let v = ABVerdict(a: pair.a.lossHistory, b: pair.b.lossHistory, label: label,
                          scales: ABVerdict.scales(a: pair.a.options, b: pair.b.options), samples: samples, diverged: diverged)
        verdict.write(v)
        guard writeLine else { return }
        let line = "step \(pair.step)\(final ? " (final)" : ""): \(v.text)\n"
        if let h = FileHandle(forWritingAtPath: verdictPath) ?? {
            FileManager.default.createFile(atPath: verdictPath, contents: nil)
            return FileHandle(forWritingAtPath: verdictPath)
        }() {
            h.seekToEndOfFile()
            h.write(Data(line.utf8))
            try? h.close()
        }
    }
}

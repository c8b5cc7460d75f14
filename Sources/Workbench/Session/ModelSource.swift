import DiffusionEngine
import Foundation

/// The model side of the workbench: a training session (or a lockstep A/B pair) running on its
/// own thread, a checkpoint opened for viewing, or a run folder another process writes (watched
/// on its own thread). The UI thread reads snapshots and weight copies from it and sends it the
/// user's requests; it never touches the trainer's arrays.
public final class ModelSource: @unchecked Sendable {
    public let info: RunInfo
    /// nil when viewing a checkpoint or watching a folder; A's session in an A/B pair.
    public let session: TrainingSession?
    /// The lockstep A/B pair (`ddpm --ab`), whose A is `session`; nil for one run.
    public let pair: ABTrainingSession?
    /// The run folder followed (`ddpm watch`), nil otherwise.
    public let watcher: RunWatcher?
    /// Until a watched folder has a checkpoint: an untrained model of its options, so the
    /// Denoise and Compare screens have something to run (they say which step they run on).
    private let watchPlaceholder: ModelWeights?
    /// Things to tell the user (skipped files, …), printed again on exit.
    public let warnings: [String]
    /// The other family's checkpoint opened beside this one (`--versus`), for the VAE screen.
    public let versus: ModelWeights?
    /// Every training image centre-cropped at the model's size (nil without data): what the
    /// VAE screen encodes and the versus view measures against.
    public let references: Tensor?

    private let fixed: (snapshot: TrainingSnapshot, weights: ModelWeights)?
    /// The `--checkpoint-b` model (not a trained pair's B, which `pair` holds).
    private let fixedB: ModelWeights?
    private let ended = Latest<TrainingSession.End?>(nil)
    private let done = DispatchSemaphore(value: 0)
    private var thread: Thread?

    /// Loads the data and builds the session (or loads the checkpoint for viewing).
    /// - Parameter progress: (files done, files found) while a data folder decodes (`DataSource.load`).
    /// - Throws: a one-line error (missing folder, damaged checkpoint, …).
    public init(_ launch: AppLaunch, progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws {
        if let folder = launch.watch {
            let w = try RunWatcher(folder: folder)
            let options = w.snapshot.read().value.options
            watcher = w
            session = nil
            pair = nil
            fixed = nil
            fixedB = nil
            warnings = []
            versus = nil
            references = nil
            let untrained = try options.makeModel(seed: options.seed).store.values
            watchPlaceholder = ModelWeights(
                step: 0, config: options.model, diffusion: try options.makeDiffusion(), values: untrained, emaValues: untrained,
                vae: options.family == .vae ? options.vae : nil)
            info = RunInfo(options: options, viewOnly: true, checkpointPath: w.snapshot.read().value.lastCheckpointPath,
                           outPath: folder, dataDescription: folder, images: nil, watchedFolder: folder)
            return
        }
        watcher = nil
        watchPlaceholder = nil
        versus = try launch.versus.map { try ModelSource.versus($0, beside: launch.checkpoint?.options ?? launch.options) }
        let second = launch.checkpointB.flatMap { launch.resumesPair && !launch.viewOnly ? nil : $0 }
        fixedB = try second.map(ModelWeights.init(checkpoint:))
        if launch.viewOnly {
            guard let c = launch.checkpoint else {
                throw EngineError("viewing needs a checkpoint: the launch has none to open")
            }
            let path = c.path
            let weights = try ModelWeights(checkpoint: c)
            // The data only feeds the Schedule screen's forward strip here; viewing works without it.
            var warnings: [String] = []
            var images: Tensor?, references: Tensor?
            var dataDescription = "no data loaded"
            do {
                let data = try launch.data.load(for: c.options, progress: progress)
                references = data.set.centreCrops()
                images = data.set.centreCrops(limit: 16)
                dataDescription = data.description
                warnings += data.warnings
            } catch {
                warnings.append("data for the forward strip: \(error)")
            }
            var s = TrainingSnapshot.initial(options: c.options, data: dataDescription)
            s.step = c.step
            s.losses = ModelSource.floats(c.file.metadata["loss_history"])
            s.history = StepHistory(losses: s.losses, bucketCount: Trainer.bucketCount)
            s.bucketLoss = ModelSource.floats(c.file.metadata["bucket_loss"])
            s.terms = ModelSource.terms(c.file.metadata["term_history"])
            s.lastCheckpointStep = c.step
            s.lastCheckpointPath = path
            s.finished = true
            s.status = "viewing (no training)"
            fixed = (s, weights)
            session = nil
            pair = nil
            self.warnings = warnings
            self.references = references
            var info = RunInfo(options: c.options, viewOnly: true, checkpointPath: path, outPath: nil,
                               dataDescription: dataDescription, images: images)
            info.secondModel = second.map { Self.secondModel(a: c.options, b: $0.options) }
            self.info = info
            return
        }
        // A resumed run crops its images to the checkpoint's size, whatever the launch options say.
        let data = try launch.data.load(for: launch.checkpoint?.options ?? launch.options, progress: progress)
        if let b = launch.abOptions {
            pair = try ABTrainingSession(a: launch.options, b: b, data: data, out: launch.out)
        } else if launch.resumesPair, let ca = launch.checkpoint, let cb = launch.checkpointB {
            pair = try ABTrainingSession(resumingA: ca, b: cb, steps: launch.options.steps, data: data, out: launch.out)
        } else {
            pair = nil
        }
        let session = try pair?.a ?? launch.checkpoint.map {
            try TrainingSession(resuming: $0, steps: launch.options.steps, data: data, out: launch.out)
        } ?? TrainingSession(options: launch.options, data: data, out: launch.out)
        self.session = session
        fixed = nil
        warnings = data.warnings
        references = session.trainer.dataset.centreCrops()
        var info = RunInfo(options: session.trainer.options, viewOnly: false, checkpointPath: launch.checkpoint?.path,
                           outPath: session.folder.path, dataDescription: data.description,
                           images: session.trainer.dataset.centreCrops(limit: 16))
        let optionsB = pair?.pair.b.options ?? second?.options
        info.secondModel = optionsB.map { Self.secondModel(a: session.trainer.options, b: $0) }
        self.info = info
    }

    /// Compare's description of a second model beside a model trained with `a`.
    static func secondModel(a: TrainingOptions, b: TrainingOptions) -> AppState.SecondModel {
        AppState.SecondModel(fixes: b.fixes, label: TrainerPair.label(a: a, b: b))
    }

    /// Starts training (or watching) on its own thread (no-op when viewing).
    public func start() {
        watcher?.start()
        guard let session, thread == nil else { return }
        let t = Thread { [self] in
            ComputePool.setCurrentThreadNice(WorkbenchApp.computeNice)
            ended.write(pair.map { Self.end(of: $0.run()) } ?? session.run())
            done.signal()
        }
        t.name = "ddpm-training"
        t.stackSize = 16 << 20
        thread = t
        t.start()
    }

    /// How training ended, nil while it runs (and always nil when viewing).
    public var end: TrainingSession.End? { ended.read().value }
    /// True while the training thread runs.
    public var isTraining: Bool { thread != nil && end == nil }

    /// Waits for the training thread (after `stop()`), at most `seconds`. - Returns: true when it ended.
    @discardableResult
    public func wait(seconds: Double) -> Bool {
        guard thread != nil else { return true }
        if end != nil { return true }
        return done.wait(timeout: .now() + seconds) == .success
    }

    /// The newest snapshot and its version.
    public func snapshot() -> (value: TrainingSnapshot, version: Int) {
        if let session {
            // An A/B pair shows A, with the newest verdict as its status line.
            var s = session.snapshot.read()
            if let verdict, !s.value.finished || s.value.status == "finished" { s.value.status = "A/B: " + verdict }
            return s
        }
        if let watcher { return watcher.snapshot.read() }
        return (fixed!.snapshot, 0)
    }

    /// The newest copy of the weights.
    public func weights() -> ModelWeights {
        if let watcher { return watcher.weights.read().value ?? watchPlaceholder! }
        return session?.weights.read().value ?? fixed!.weights
    }

    /// The second model's newest weights: an A/B pair's B (its latest copy while it trains, as
    /// `weights()` is A's), or the `--checkpoint-b` model; nil for one model.
    public func weightsB() -> ModelWeights? { pair?.b.weights.read().value ?? fixedB }

    /// Grows with every weights copy the session publishes or checkpoint the watcher loads (0 when viewing).
    public var weightsVersion: Int { session?.weights.read().version ?? watcher?.weights.read().version ?? 0 }

    /// Carries out a command of the key handler that concerns training.
    public func perform(_ command: AppCommand) {
        guard let session else { return }
        switch command {
        case .setPaused(let p): session.setPaused(p)
        case .saveNow: session.requestSave()
        case .sampleNow: session.requestSample()
        case .refreshWeights: session.requestWeights()
        case .quit: session.stop()  // A's request box drives a pair's loop too
        case .skipFinalGrid: if let pair { pair.skipFinalGrid() } else { session.skipFinalGrid() }
        }
    }

    /// The runs trained beside the main one, for the Train screen to overlay: B of an A/B pair
    /// (labelled with its differences), none otherwise.
    public func otherRuns() -> [(label: String, snapshot: TrainingSnapshot)] {
        guard let pair else { return [] }
        return [("B (\(pair.label))", pair.snapshotB.read().value)]
    }

    /// The A/B pair's newest verdict, nil for one run (or before the first).
    public var verdict: String? { pair?.verdict.read().value?.text }

    /// A pair's end in the single run's terms (a diverged run is named in the message).
    static func end(of e: ABTrainingSession.End) -> TrainingSession.End {
        switch e {
        case .finished: return .finished
        case let .stopped(signal): return .stopped(signal: signal)
        case let .diverged(side, message): return .diverged(message: "\(side.rawValue): \(message)")
        }
    }

    /// The first `count` images of (N,C,H,W).
    public static func firstImages(_ x: Tensor, count: Int) -> Tensor {
        let (n, c, h, w) = x.nchw("firstImages")
        let k = min(n, count)
        return Tensor(shape: [k, c, h, w], data: Array(x.data.prefix(k * c * h * w)))
    }

    /// The `--versus` checkpoint's weights, checked against the main model's options: the other
    /// family, the same image size and channels.
    /// - Throws: a one-line error naming what does not fit.
    static func versus(_ c: Checkpoint.Loaded, beside main: TrainingOptions) throws -> ModelWeights {
        let o = c.options
        guard o.family != main.family else {
            throw EngineError("--versus \(c.path): it is a \(o.family.rawValue) checkpoint like the one opened; put a VAE beside a diffusion model")
        }
        guard o.imageSize == main.imageSize, o.channels == main.channels else {
            throw EngineError("--versus \(c.path): it makes \(o.imageSize)px images with \(o.channels) channels, the model opened \(main.imageSize)px with \(main.channels); train both on the same data")
        }
        return try ModelWeights(checkpoint: c)
    }

    /// Image `index` of (N,C,H,W) as (1,C,H,W).
    public static func image(_ x: Tensor, index: Int) -> Tensor {
        let (_, c, h, w) = x.nchw("ModelSource.image")
        let per = c * h * w
        return Tensor(shape: [1, c, h, w], data: Array(x.data[(index * per)..<((index + 1) * per)]))
    }

    /// The loss terms' histories from checkpoint metadata (a VAE's; -1 marks "none" → NaN).
    static func terms(_ json: String?) -> [String: [Float]] {
        guard let json, let v = try? JSONDecoder().decode([String: [Float]].self, from: Data(json.utf8)) else { return [:] }
        return v.mapValues { $0.map { $0 < 0 ? .nan : $0 } }
    }

    /// A JSON array of floats from checkpoint metadata (-1 marks "none" → NaN).
    static func floats(_ json: String?) -> [Float] {
        guard let json, let v = try? JSONDecoder().decode([Float].self, from: Data(json.utf8)) else { return [] }
        return v.map { $0 < 0 ? .nan : $0 }
    }
}

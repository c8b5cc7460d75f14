import DiffusionEngine
import Foundation
import TerminalUI

/// The workbench's run loop, written once against `TerminalBackend`: `WorkbenchApp.run` drives it
/// on ncurses, the tests on a `MemoryBackend` with scripted keys.
///
/// Threads: training runs on its own thread (`ModelSource`), reverse chains on another
/// (`ChainWorker`); the loop's thread alone owns the backend. Each `step()` waits up to
/// `WorkbenchApp.pollMs` for input and drains what is queued (held arrows) before drawing,
/// advances the Denoise player, tells the worker what the visible screen needs, and redraws only
/// when the snapshot, a chain, the state or the size changed. It never waits for training.
///
/// Exit: `q` (exit 0) and a stop signal (exit 130) ask training to stop; it finishes the step in
/// flight and saves (the frame shows a "saving…" box meanwhile), and the loop ends once training
/// has ended. A run that diverged exits 1.
public final class WorkbenchLoop<Backend: TerminalBackend> {
    let backend: Backend
    public let source: ModelSource
    /// Theme and data warnings: the first shows as a notice, all are printed again on exit.
    public let warnings: [String]
    public internal(set) var state: AppState
    /// 0 after `q`, 130 after a stop signal; `finish()` makes it 1 for a diverged run.
    private(set) var exitCode: Int32 = 0
    /// The redraw benchmark once it has run (`DDPM_BENCH_REDRAW`), for its report.
    private(set) var benchmarked: RedrawBenchmark?

    private let launch: AppLaunch
    private let worker: ChainWorker
    private let vaeWorker: VAEWorker
    private let themes: [Theme]
    private let stopRequested: () -> Bool
    private var benchmark = RedrawBenchmark.fromEnvironment()
    private var lastDrawn: DrawKey?
    private var lastNotice: String?
    private var noticeSince: Double
    private var lastTick: Double
    /// A chain restarted "on the newest weights" waits for the copy it asked for (or 5 s).
    private var awaitingWeights: (version: Int, since: Double)?
    /// The watched checkpoint's version the chains run on (nil before the first look).
    private var seenWeightsVersion: Int?

    /// What a frame depends on; the loop redraws when it changes.
    private struct DrawKey: Equatable {
        var state: AppState
        var snapshot: Int
        var denoise: Int
        var compare: Int
        var vae: Int
        var versus: Int
        var width: Int
        var height: Int
        var weightsStep: Int
    }

    /// Opens the launch: shows "loading…", loads the data and model (or the checkpoint), then
    /// starts training and the chain worker.
    /// - Parameter stopRequested: whether a stop signal arrived (tests pass their own).
    /// - Throws: a one-line error (missing folder, damaged checkpoint, …); nothing is started then.
    public init(_ launch: AppLaunch, backend: Backend, stopRequested: @escaping () -> Bool = { StopSignal.pending != nil }) throws {
        let (themes, themeIndex, themeWarnings) = WorkbenchApp.themeList(launch.theme)
        let loading = "loading \(launch.watch != nil ? "the run folder" : launch.viewOnly ? "the checkpoint" : "data and model")…"
        WorkbenchLoop.drawMessage(loading, backend: backend, theme: themes[themeIndex])
        // Decoding threads report one at a time while this thread waits in the load: no other draw runs.
        let source = try ModelSource(launch, progress: DataSource.throttled { done, total in
            WorkbenchLoop.drawMessage("\(loading) \(done)/\(total) images", backend: backend, theme: themes[themeIndex])
        })
        worker = ChainWorker(weights: { source.weights() }, weightsB: { source.weightsB() },
                             forwardImage: source.info.images.map { ModelSource.firstImages($0, count: 1) })
        // The VAE screen's model is the session's when it is a VAE, else a --versus VAE's.
        vaeWorker = VAEWorker(
            vaeWeights: { let w = source.weights(); return w.vae != nil ? w : source.versus.flatMap { $0.vae != nil ? $0 : nil } },
            diffusionWeights: { let w = source.weights(); return w.vae == nil ? w : source.versus.flatMap { $0.vae == nil ? $0 : nil } },
            images: source.info.images, references: source.references)
        let warnings = themeWarnings + source.warnings
        var state = AppState(timesteps: source.info.options.timesteps, fixes: source.info.options.fixes,
                             seed: 1, viewOnly: source.info.viewOnly, themeCount: themes.count, themeIndex: themeIndex,
                             family: source.info.options.family, vaeImages: source.info.images?.shape[0] ?? 1,
                             modelB: source.info.secondModel)
        if source.info.watchedFolder != nil { state.screen = .train }
        if source.versus != nil {
            state.screen = .vae
            state.vae.versus = true
        }
        if let first = warnings.first { state.notice = warnings.count == 1 ? first : "\(first) (+\(warnings.count - 1) more, listed on exit)" }
        self.launch = launch
        self.backend = backend
        self.source = source
        self.themes = themes
        self.stopRequested = stopRequested
        self.warnings = warnings
        self.state = state
        lastNotice = state.notice
        let now = monotonicSeconds()
        noticeSince = now
        lastTick = now
        source.start()
        worker.start()
        vaeWorker.start()
    }

    /// Runs until the user quits and training has saved; then `finish()`.
    /// - Returns: the process exit code.
    public func run() -> Int32 {
        while step() {}
        return finish()
    }

    /// One pass of the loop: input, stop signal, player and worker, notices, the frame, the
    /// benchmark.
    /// - Returns: false once quitting is done (training ended, or nothing to wait for).
    @discardableResult
    public func step() -> Bool {
        let resized = handle(readEvents())
        if stopRequested() && !state.quitting {
            state.quitting = true
            state.notice = "stopping (signal): saving the checkpoint, then a final sample grid (q skips the grid)…"
            exitCode = 130
            source.perform(.quit)
        }
        let now = monotonicSeconds()
        tick(now: now)
        expireNotice(now: now)
        if state.quitting && (source.session == nil || source.end != nil) { return false }
        drawIfNeeded(force: resized)
        runBenchmarkIfAsked()
        return true
    }

    /// Stops the chain worker and returns the exit code (1 when training diverged after `q`).
    /// Training has normally ended here; if the loop was left early (a test giving up), it is
    /// stopped and waited for, so no thread outlives the loop.
    public func finish() -> Int32 {
        worker.stop()
        vaeWorker.stop()
        source.watcher?.stop()
        if source.isTraining {
            source.perform(.quit)
            source.wait(seconds: 60)
        }
        if case .diverged? = source.end, exitCode == 0 { exitCode = 1 }
        return exitCode
    }

    /// The line to print once the terminal is restored: where the checkpoint is, how to resume.
    public var farewell: String { WorkbenchApp.farewell(source: source, launch: launch, end: source.end) }

    // MARK: The parts of a step

    /// The first event waits up to `pollMs`; then what is already queued is drained (at most 64),
    /// so a held arrow moves many steps per frame instead of one frame per step.
    func readEvents() -> [InputEvent] {
        var events: [InputEvent] = []
        var event = backend.readEvent(timeoutMs: WorkbenchApp.pollMs)
        while let e = event {
            events.append(e)
            event = events.count < 64 ? backend.readEvent(timeoutMs: 0) : nil
        }
        return events
    }

    /// Feeds keys to the key map and carries out what it asks of training.
    /// - Returns: true when one of the events was a resize (the frame is redrawn whatever changed).
    func handle(_ events: [InputEvent]) -> Bool {
        var resized = false
        for event in events {
            switch event {
            case .resize: resized = true
            case .key(let key): handle(key)
            }
        }
        return resized
    }

    private func handle(_ key: Key) {
        for command in state.handle(key) {
            source.perform(command)
            if command == .refreshWeights && source.isTraining {
                awaitingWeights = (source.weightsVersion, monotonicSeconds())
            }
        }
    }

    /// Advances the Denoise player through the frames the worker has, writes a GIF asked for
    /// once its chain is complete, keeps Compare's newest frame current, and tells the worker
    /// what the visible screen needs: nothing while saving,
    /// nor before a fresh weights copy that a restarted chain asked for arrives.
    func tick(now: Double) {
        let denoise = worker.denoise.read().value
        let available = denoise.flatMap { $0.settings == state.denoise.settings ? $0.frames.count : nil } ?? 0
        state.tick(seconds: now - lastTick, available: available)
        lastTick = now
        writePendingGIF(denoise)
        if let h = worker.compare.read().value { state.compareAvailable = max(0, h.frames.count - 1) }
        if let w = awaitingWeights, source.weightsVersion != w.version || now - w.since > 5 || !source.isTraining {
            awaitingWeights = nil
        }
        followReplacedCheckpoint()
        worker.want(state.quitting || awaitingWeights != nil ? ChainWorker.Wants() : WorkbenchApp.wants(state))
        vaeWorker.want(VAEWorker.Wants(view: state.screen == .vae && !state.quitting ? state.vae : nil))
    }

    /// Watching a run: when its writer replaces the checkpoint, the Denoise and Compare chains
    /// start over on the new weights (loaded off this thread by the watcher).
    private func followReplacedCheckpoint() {
        guard source.info.watchedFolder != nil else { return }
        let version = source.weightsVersion
        defer { seenWeightsVersion = version }
        guard let seen = seenWeightsVersion, seen != version else { return }
        state.followNewWeights()
        state.notice = "new checkpoint (step \(source.weights().step)): Denoise and Compare start over on it"
    }

    /// A notice stays `noticeSeconds` from when it first showed; while quitting it stays.
    private func expireNotice(now: Double) {
        if state.notice != lastNotice {
            lastNotice = state.notice
            noticeSince = now
        }
        if state.notice != nil && !state.quitting && now - noticeSince > WorkbenchApp.noticeSeconds {
            state.notice = nil
            lastNotice = nil
        }
    }

    /// Draws a frame when anything it shows changed (or `force`, after a resize).
    func drawIfNeeded(force: Bool) {
        let snapshot = source.snapshot()
        let denoise = worker.denoise.read(), compare = worker.compare.read()
        let vae = vaeWorker.frame.read(), versus = vaeWorker.versus.read()
        let size = backend.size
        let weightsStep = source.weights().step
        func key() -> DrawKey {
            DrawKey(state: state, snapshot: snapshot.version, denoise: denoise.version, compare: compare.version,
                    vae: vae.version, versus: versus.version, width: size.width, height: size.height, weightsStep: weightsStep)
        }
        guard force || key() != lastDrawn else { return }
        let theme = themes[state.themeIndex]
        if state.screen == .help {
            // The help text's length depends on the width: keep the scroll inside it.
            let body = Rect(x: 0, y: 1, width: size.width, height: max(0, size.height - 2))
            state.helpScroll = min(state.helpScroll, HelpScreen.maxScroll(area: body, theme: theme, glyphs: backend.glyphs))
        }
        let input = FrameInput(state: state, snapshot: snapshot.value, info: source.info, denoise: denoise.value,
                               compare: compare.value, newestWeightsStep: weightsStep, theme: theme, overlays: overlays,
                               vae: vae.value, versus: versus.value)
        FrameTiming.draw(input, on: backend)
        lastDrawn = key()
    }

    /// Runs drawn over this one: `--baseline` folders, then an A/B pair's B (`ddpm --ab`), each in its own colour.
    var overlays: [RunOverlay] {
        launch.overlays + source.otherRuns().enumerated().map { i, run in
            RunOverlay(label: run.label, snapshot: run.snapshot, color: .nth(launch.overlays.count + i))
        }
    }

    /// `DDPM_BENCH_REDRAW=N`: once, times N full redraws of every screen, then quits as `q` does.
    private func runBenchmarkIfAsked() {
        guard var bench = benchmark, !state.quitting else { return }
        bench.run(state: state, source: source, worker: worker, backend: backend, theme: themes[state.themeIndex], overlays: launch.overlays)
        benchmark = nil
        benchmarked = bench
        handle(.character("q"))
    }

    /// A centred one-line message on a blank screen (start-up, before anything is loaded).
    private static func drawMessage(_ text: String, backend: Backend, theme: Theme) {
        var grid = backend.makeGrid(theme: theme)
        TextLine(text, fg: theme.mainFg, alignment: .center)
            .render(into: &grid, area: grid.bounds.centered(width: grid.width, height: 1), theme: theme)
        AsciiFallback.sanitize(&grid)
        backend.draw(grid)
        backend.flush()
    }
}

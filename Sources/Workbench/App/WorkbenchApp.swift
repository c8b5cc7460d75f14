import DiffusionEngine
import Foundation
import TerminalUI

/// The interactive workbench: `ddpm` with no subcommand.
///
/// Threads: training runs on its own thread (`ModelSource`), reverse chains on another
/// (`ChainWorker`); this thread alone owns ncurses. The loop waits up to `pollMs` for a key, feeds
/// keys to `AppState.handle`, advances the Denoise player, tells the worker what the visible screen
/// needs, and redraws only when the snapshot, a chain, the state or the size changed. It never
/// waits for training.
///
/// Exit: `q` (exit 0) and Ctrl-C/SIGTERM (exit 130) ask training to stop; it finishes the step in
/// flight and saves (a "saving…" box shows meanwhile); then the terminal is restored (also on
/// errors, by `defer`) and one line says where the checkpoint is and how to resume.
public enum WorkbenchApp {
    /// Key wait per loop iteration: short enough for smooth playback, long enough to idle cheaply.
    public static let pollMs = 30
    /// How long a notice stays in the status bar.
    public static let noticeSeconds = 4.0
    /// Nice value of every compute thread (training, chains, the engine's pool): the UI thread
    /// stays at 0 so a frame never waits behind training for a core. Training loses only the CPU
    /// the UI actually uses (bench/RESULTS.md, workbench section).
    /// `DDPM_COMPUTE_NICE=0` turns it off (for `bench/workbench_redraw.sh` comparisons).
    public static let computeNice: Int32 = ProcessInfo.processInfo.environment["DDPM_COMPUTE_NICE"].flatMap { Int32($0) } ?? 5

    /// Runs the workbench until the user quits; returns the process exit code.
    public static func run(_ launch: AppLaunch) throws -> Int32 {
        let (themes, themeIndex, themeWarnings) = themeList(launch.theme)
        unblockStopSignals()
        StopSignal.install()
        let backend = try NCursesBackend()
        defer { backend.stop() }

        drawMessage("loading \(launch.viewOnly ? "the checkpoint" : "data and model")…", backend: backend, theme: themes[themeIndex])
        ComputePool.shared.workerNice = computeNice
        defer { ComputePool.shared.workerNice = 0 }
        let source = try ModelSource(launch)
        let worker = ChainWorker(weights: { source.weights() }, forwardImage: source.info.images.map { ModelSource.firstImages($0, count: 1) })
        source.start()
        worker.start()
        defer { worker.stop() }

        var state = AppState(timesteps: source.info.options.timesteps, fixes: source.info.options.fixes,
                             seed: 1, viewOnly: source.info.viewOnly, themeCount: themes.count, themeIndex: themeIndex)
        let warnings = themeWarnings + source.warnings
        if let first = warnings.first { state.notice = warnings.count == 1 ? first : "\(first) (+\(warnings.count - 1) more, listed on exit)" }

        var exitCode: Int32 = 0
        var lastDrawn: DrawKey?
        var noticeSince = monotonicSeconds()
        var lastNotice = state.notice
        var lastTick = monotonicSeconds()
        var benchmark = RedrawBenchmark.fromEnvironment()
        var awaitingWeights: (version: Int, since: Double)?
        var benchReport: String?

        while true {
            // Keys: the first waits up to pollMs, then drain what is queued (held arrows) before drawing.
            var resized = false
            var key = backend.readKey(timeoutMs: pollMs)
            var drained = 0
            while let k = key {
                if k == .resize {
                    resized = true
                } else {
                    for command in state.handle(k) {
                        source.perform(command)
                        // A chain restarted "on the newest weights" waits for the copy it asked for.
                        if command == .refreshWeights && source.isTraining {
                            awaitingWeights = (source.weightsVersion, monotonicSeconds())
                        }
                    }
                }
                drained += 1
                key = drained < 64 ? backend.readKey(timeoutMs: 0) : nil
            }
            if StopSignal.pending != nil && !state.quitting {
                state.quitting = true
                state.notice = "stopping (signal): saving the checkpoint, then a final sample grid (q skips the grid)…"
                exitCode = 130
                source.perform(.quit)
            }

            let now = monotonicSeconds()
            let denoise = worker.denoise.read()
            let available = denoise.value.flatMap { $0.settings == state.denoise.settings ? $0.frames.count : nil } ?? 0
            state.tick(seconds: now - lastTick, available: available)
            lastTick = now
            let compare = worker.compare.read()
            if let h = compare.value { state.compareAvailable = max(0, h.frames.count - 1) }
            if let w = awaitingWeights, source.weightsVersion != w.version || now - w.since > 5 || !source.isTraining {
                awaitingWeights = nil
            }
            // No chain work while saving, nor before the fresh weights copy arrives.
            worker.want(state.quitting || awaitingWeights != nil ? ChainWorker.Wants() : wants(state))

            if state.notice != lastNotice { lastNotice = state.notice; noticeSince = now }
            if state.notice != nil && !state.quitting && now - noticeSince > noticeSeconds {
                state.notice = nil
                lastNotice = nil
            }

            if state.quitting && (source.session == nil || source.end != nil) { break }

            let snapshot = source.snapshot()
            let size = backend.size
            let weightsStep = source.weights().step
            let key_ = DrawKey(state: state, snapshot: snapshot.version, denoise: denoise.version, compare: compare.version,
                               width: size.width, height: size.height, weightsStep: weightsStep)
            if resized || key_ != lastDrawn {
                let input = FrameInput(state: state, snapshot: snapshot.value, info: source.info, denoise: denoise.value,
                                       compare: compare.value, newestWeightsStep: weightsStep, theme: themes[state.themeIndex])
                if state.screen == .help {
                    let body = Rect(x: 0, y: 1, width: size.width, height: max(0, size.height - 2))
                    state.helpScroll = min(state.helpScroll, HelpScreen.maxScroll(area: body, theme: input.theme, glyphs: backend.glyphs))
                }
                var frameInput = input
                frameInput.state = state
                drawFrame(frameInput, backend: backend)
                lastDrawn = DrawKey(state: state, snapshot: snapshot.version, denoise: denoise.version, compare: compare.version,
                                    width: size.width, height: size.height, weightsStep: weightsStep)
            }

            // DDPM_BENCH_REDRAW=N: once, time N full redraws of every screen, then quit as `q` does.
            if var bench = benchmark, !state.quitting {
                bench.run(state: state, source: source, worker: worker, backend: backend, theme: themes[state.themeIndex])
                benchmark = nil
                benchReport = bench.report(size: backend.size, colorMode: backend.colorMode.rawValue)
                for command in state.handle(.character("q")) { source.perform(command) }
            }
        }

        worker.stop()
        backend.stop()
        let end = source.end
        if case .diverged? = end, exitCode == 0 { exitCode = 1 }
        for w in warnings { FileHandle.standardError.write(Data("ddpm: warning: \(w)\n".utf8)) }
        print(farewell(source: source, launch: launch, end: end))
        if let benchReport { RedrawBenchmark.write(benchReport) }
        return exitCode
    }

    /// Renders a frame and hands it to the terminal.
    /// - Returns: seconds spent rendering (pure), writing (ncurses draw + refresh, wall time) and
    ///   the CPU time of this thread while writing (less than the wall time when the terminal is slow to read).
    @discardableResult
    static func drawFrame(_ input: FrameInput, backend: NCursesBackend, full: Bool = false) -> FrameTiming {
        let t0 = monotonicSeconds()
        var grid = backend.makeGrid(theme: input.theme)
        AppRenderer.render(input, into: &grid)
        let t1 = monotonicSeconds(), c1 = threadCPUSeconds()
        if full { backend.invalidate() }
        backend.draw(grid)
        backend.flush()
        return FrameTiming(render: t1 - t0, output: monotonicSeconds() - t1, outputCPU: threadCPUSeconds() - c1)
    }

    /// How long one frame took (seconds).
    struct FrameTiming {
        var render: Double
        var output: Double
        var outputCPU: Double
    }

    static func threadCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// What a frame depends on; the loop redraws when it changes.
    struct DrawKey: Equatable {
        var state: AppState
        var snapshot: Int
        var denoise: Int
        var compare: Int
        var width: Int
        var height: Int
        var weightsStep: Int
    }

    /// What the worker should compute for the visible screen.
    public static func wants(_ state: AppState) -> ChainWorker.Wants {
        switch state.screen {
        case .denoise: return ChainWorker.Wants(denoise: state.denoise.settings, denoiseTarget: state.denoiseTarget)
        case .compare: return ChainWorker.Wants(compare: .init(settings: state.compare.settings, a: state.compare.a, b: state.compare.b))
        default: return ChainWorker.Wants()
        }
    }

    /// The built-in themes plus a theme file given with `--theme`, and where to start.
    /// An unknown name or an unreadable file gives the default theme and a warning.
    public static func themeList(_ name: String?) -> (themes: [Theme], index: Int, warnings: [String]) {
        let builtins = Theme.builtinNames.compactMap(Theme.named)
        let themes = builtins.isEmpty ? [Theme.default] : builtins
        guard let name, !name.isEmpty else { return (themes, 0, []) }
        if let i = themes.firstIndex(where: { $0.name == name }) { return (themes, i, []) }
        if FileManager.default.isReadableFile(atPath: name) {
            let (theme, warnings) = Theme.load(path: name)
            return (themes + [theme], themes.count, warnings)
        }
        return (themes, 0, Theme.resolve(name).warnings)
    }

    /// The line printed after the terminal is restored: where the checkpoint is, how to resume.
    public static func farewell(source: ModelSource, launch: AppLaunch, end: TrainingSession.End?) -> String {
        if source.info.viewOnly { return "ddpm: closed \(source.info.checkpointPath ?? "the checkpoint")" }
        let snap = source.snapshot().value
        let path = snap.lastCheckpointPath ?? "\(source.info.outPath ?? launch.out)/checkpoint.safetensors"
        var resume = "ddpm --checkpoint \(shellQuoted(path))"
        if case let .folder(dir, cls) = launch.data {
            resume += " --data \(shellQuoted(dir))"
            if let cls { resume += " --class \(shellQuoted(cls))" }
        }
        switch end {
        case .finished?:
            return "ddpm: finished \(snap.step) steps; checkpoint \(path), samples in \(source.info.outPath ?? launch.out)/samples. View it: ddpm --checkpoint \(shellQuoted(path)) --view"
        case .stopped?:
            return "ddpm: stopped at step \(snap.step) of \(snap.totalSteps); checkpoint saved to \(path). Resume: \(resume)"
        case .diverged(let message)?:
            return "ddpm: training stopped: \(message). Last good checkpoint: \(snap.lastCheckpointPath ?? "none")"
        case nil:
            return "ddpm: training did not finish saving; the last checkpoint is \(snap.lastCheckpointPath ?? "none")"
        }
    }

    static func shellQuoted(_ s: String) -> String {
        s.allSatisfy { $0.isLetter || $0.isNumber || "/._-+=:,@".contains($0) } ? s : "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// A parent may start us with SIGINT/SIGTERM blocked (test runners, some process managers);
    /// then Ctrl-C would never reach `StopSignal`. Unblock them on this thread before any other
    /// thread starts, so every thread inherits the open mask.
    static func unblockStopSignals() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// A centred one-line message on a blank screen (start-up).
    static func drawMessage(_ text: String, backend: NCursesBackend, theme: Theme) {
        var grid = backend.makeGrid(theme: theme)
        TextLine(text, fg: theme.mainFg, alignment: .center)
            .render(into: &grid, area: grid.bounds.centered(width: grid.width, height: 1), theme: theme)
        AsciiFallback.sanitize(&grid)
        backend.draw(grid)
        backend.flush()
    }
}

import DiffusionEngine
import Foundation
import TerminalUI

/// The interactive workbench: `ddpm` with no subcommand. `run` puts `WorkbenchLoop` on the
/// terminal (ncurses); this type also holds what the loop and its screens share: timings, the
/// theme list, the worker's wants, the closing line.
///
/// The terminal is restored before anything is printed (also on errors, by `defer`), so the
/// warnings and the line saying where the checkpoint is and how to resume stay on screen.
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

    /// Runs the workbench in the terminal until the user quits; returns the process exit code
    /// (0 after `q`, 130 after Ctrl-C/SIGTERM, 1 when training diverged).
    public static func run(_ launch: AppLaunch) throws -> Int32 {
        StopSignal.install()
        let backend = try NCursesBackend()
        defer { backend.stop() }
        ComputePool.shared.workerNice = computeNice
        defer { ComputePool.shared.workerNice = 0 }
        let loop = try WorkbenchLoop(launch, backend: backend)
        let exitCode = loop.run()
        backend.stop()
        for w in loop.warnings { FileHandle.standardError.write(Data("ddpm: warning: \(w)\n".utf8)) }
        print(loop.farewell)
        if let bench = loop.benchmarked { RedrawBenchmark.write(bench.report(colorMode: backend.colorMode.rawValue)) }
        return exitCode
    }

    /// What the worker should compute for the visible screen.
    public static func wants(_ state: AppState) -> ChainWorker.Wants {
        guard state.family == .diffusion else { return ChainWorker.Wants() }  // a VAE has no reverse chain
        switch state.screen {
        case .denoise: return ChainWorker.Wants(denoise: state.denoise.settings, denoiseTarget: state.denoiseTarget)
        case .compare:
            let c = state.compare
            return ChainWorker.Wants(compare: .init(settings: c.settings, a: c.a, b: c.b, mode: c.mode))
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
        if let folder = source.info.watchedFolder { return "ddpm: stopped watching \(folder) (the writer goes on)" }
        if source.info.viewOnly { return "ddpm: closed \(source.info.checkpointPath ?? "the checkpoint")" }
        let snap = source.snapshot().value
        let path = snap.lastCheckpointPath ?? "\(source.info.outPath ?? launch.out)/checkpoint.safetensors"
        // A pair continues from its folder (both runs); one run from its checkpoint.
        var resume = "ddpm --checkpoint \(shellQuoted(source.pair?.path ?? path))"
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
}

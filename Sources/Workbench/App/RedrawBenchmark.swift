import DiffusionEngine
import Foundation
import TerminalUI

/// The redraw benchmark behind `bench/workbench_redraw.sh`: with `DDPM_BENCH_REDRAW=N` in the
/// environment, the workbench (as a user starts it, training included) waits until every screen
/// has something real to show (samples, a Denoise chain, Compare frames), then draws each screen N
/// times as a FULL redraw (the previous frame forgotten, every cell written) and quits as `q` does.
/// The report (per screen: median/p95/max of render, ncurses output, total) goes to the file named
/// by `DDPM_BENCH_REPORT`, else to stdout after the terminal is restored.
///
/// A benchmark, not a test: it measures this machine under its current load.
struct RedrawBenchmark {
    let frames: Int
    /// Full redraws (every cell written) and updates (a typical change: the next step, the next
    /// cursor position, a new snapshot; only changed cells written), per screen.
    var full: [Screen: [FrameTiming]] = [:]
    var update: [Screen: [FrameTiming]] = [:]
    var notes: [String] = []
    /// The backend's size while measuring.
    var size = (width: 0, height: 0)

    static func fromEnvironment() -> RedrawBenchmark? {
        guard let v = ProcessInfo.processInfo.environment["DDPM_BENCH_REDRAW"], let n = Int(v), n > 0 else { return nil }
        return RedrawBenchmark(frames: n)
    }

    /// Waits (up to `seconds`) for `ready`, polling every 50 ms.
    private func wait(_ seconds: Double, _ ready: () -> Bool) -> Bool {
        let deadline = monotonicSeconds() + seconds
        while monotonicSeconds() < deadline {
            if ready() { return true }
            usleep(50_000)
        }
        return ready()
    }

    mutating func run<Backend: TerminalBackend>(state start: AppState, source: ModelSource, worker: ChainWorker, backend: Backend, theme: Theme,
                                                overlays: [RunOverlay]) {
        var state = start
        size = backend.size
        if source.snapshot().value.samples == nil && !source.info.viewOnly {
            source.perform(.sampleNow)
            if !wait(600, { source.snapshot().value.samples != nil }) { notes.append("no samples arrived: Train measured without them") }
        }
        state.denoise.position = 10
        state.compare.b.finalStep = .xRecon
        for screen in Screen.allCases {
            state.screen = screen
            worker.want(WorkbenchApp.wants(state))
            switch screen {
            case .denoise:
                if !wait(600, { (worker.denoise.read().value?.frames.count ?? 0) > state.denoise.position }) { notes.append("Denoise chain not ready") }
            case .compare:
                if !wait(600, { (worker.compare.read().value?.frames.count ?? 0) > 20 }) { notes.append("Compare chains not ready") }
            default: break
            }
            worker.want(ChainWorker.Wants())  // measure drawing, not drawing racing the worker
            func input(_ s: AppState) -> FrameInput {
                FrameInput(state: s, snapshot: source.snapshot().value, info: source.info,
                           denoise: worker.denoise.read().value, compare: worker.compare.read().value,
                           newestWeightsStep: source.weights().step, theme: theme, overlays: overlays)
            }
            for _ in 0..<frames { full[screen, default: []].append(FrameTiming.draw(input(state), on: backend, full: true)) }
            // Updates: alternate between this frame and its neighbour (the next step, cursor, line).
            var other = state
            switch screen {
            case .train: break  // the snapshot itself changes at every training step
            case .schedule: other.schedule.cursor += 1
            case .denoise: other.denoise.position += 1
            case .compare: other.compare.position = 10
            case .help: other.helpScroll += 1
            case .vae: other.vae.position += 1
            }
            for i in 0..<frames {
                update[screen, default: []].append(FrameTiming.draw(input(i % 2 == 0 ? other : state), on: backend))
                if screen == .train { usleep(20_000) }  // let training publish between frames
            }
        }
    }

    func report(colorMode: String) -> String {
        func ms(_ xs: [Double]) -> String {
            let s = xs.sorted()
            guard !s.isEmpty else { return "-" }
            let p = { (q: Double) in s[min(s.count - 1, Int((Double(s.count - 1) * q).rounded()))] * 1000 }
            return String(format: "median %6.2f  p95 %6.2f  max %6.2f", p(0.5), p(0.95), s.last! * 1000)
        }
        var lines = ["redraw benchmark: \(size.width)x\(size.height), \(frames) full redraws per screen, colour \(colorMode), times in ms"]
        for (name, table) in [("full redraw (every cell)", full), ("update (changed cells)", update)] {
            lines.append(name + ":")
            for screen in Screen.allCases {
                let t = table[screen] ?? []
                lines.append("  " + screen.title.padding(9) + " render     " + ms(t.map(\.render)))
                lines.append("            output     " + ms(t.map(\.output)) + "   (CPU " + ms(t.map(\.outputCPU)) + ")")
                lines.append("            total      " + ms(t.map { $0.render + $0.output }))
            }
            lines.append("  all screens total    " + ms(table.values.flatMap { $0 }.map { $0.render + $0.output }))
        }
        lines += notes.map { "  note: " + $0 }
        return lines.joined(separator: "\n")
    }

    static func write(_ report: String) {
        if let path = ProcessInfo.processInfo.environment["DDPM_BENCH_REPORT"], !path.isEmpty {
            FileManager.default.createFile(atPath: path, contents: Data((report + "\n").utf8))
        } else {
            print(report)
        }
    }
}

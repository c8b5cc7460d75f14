import DiffusionEngine
import Foundation
import Workbench

/// `ddpm train`: a headless training run with a progress line, milestones and a clean stop.
///
/// Order of output: data warnings (skipped files) on stderr first, then a header, then the
/// progress (a `\r` line on a terminal, plain lines every `logEvery` steps otherwise), one line
/// per milestone, and a closing line. SIGINT/SIGTERM finish the step in flight, save a final
/// checkpoint and grid (the session's guarantee) and print the command that resumes.
///
/// Exit codes: 0 finished, 130 SIGINT, 143 SIGTERM (128 + signal, the shell's convention),
/// 1 for a diverged loss (the last milestone checkpoint is kept, not overwritten).
public struct TrainCommand: Sendable {
    public var data: String?
    public var className: String?
    public var overrides = TrainingOverrides()
    /// A checkpoint to continue from; its options are used (only `--steps` may change them).
    public var resume: String?
    /// Run folder; default `runs/<timestamp>`, or the checkpoint's folder with `--resume`.
    public var out: String?
    /// Plain progress lines every this many steps when stdout is not a terminal (default 50).
    public var logEvery: Int?

    public init() {}

    /// Trains until done, stopped or diverged; returns the exit code.
    /// - Throws: `FlagError`/`EngineError`/`ImageError` with a one-line message before training starts.
    public func run(console: Console) throws -> Int32 {
        if className != nil && data == nil {
            throw FlagError("--class: needs --data DIR (the built-in faces have no class folders)")
        }
        if let logEvery, logEvery < 1 { throw FlagError("--log-every \(logEvery): must be at least 1") }

        // Options: from the flags, or from the checkpoint when resuming.
        let options: TrainingOptions
        var checkpoint: Checkpoint.Loaded?
        if let resume {
            let c = try Checkpoint.load(path: resume)
            var o = c.options
            if let s = overrides.steps {
                guard s > c.step else {
                    throw FlagError("--steps \(s): the checkpoint is already at step \(c.step); pass a larger --steps to train further")
                }
                o.steps = s
            } else if c.step >= o.steps {
                throw FlagError("--resume: \(resume) already finished its \(o.steps) steps; pass --steps N (more than \(c.step)) to train further")
            }
            let ignored = overrides.givenFlags.filter { $0 != "--steps" }
            if !ignored.isEmpty {
                console.warn("\(ignored.joined(separator: ", ")) ignored with --resume: the run keeps the checkpoint's options")
            }
            options = o
            checkpoint = c
        } else {
            var base = TrainingOptions()
            base.augment = DataSource(folder: data, className: className).augmentsByDefault
            options = try overrides.apply(to: base)
        }
        let outPath = out ?? resume.map(FlagValues.folder(of:)) ?? FlagValues.defaultRunFolder()
        if resume == nil { try FlagValues.checkFreshRunFolder(outPath) }

        // Data: warnings first, so they are not lost under the progress line.
        let source = DataSource(folder: data, className: className)
        let loaded = try source.load(size: options.model.imageSize)
        for w in loaded.warnings { console.warn("skipped \(w)") }

        // The checkpoint read above is the one the trainer resumes from: it is loaded once.
        let session = try checkpoint.map { try TrainingSession(resuming: $0, steps: options.steps, data: loaded, out: outPath) }
            ?? TrainingSession(options: options, data: loaded, out: outPath)
        printHeader(session: session, startStep: checkpoint?.step ?? 0, console: console)

        StopSignals.install()
        let (end, progress) = loop(session: session, console: console)
        return finish(end, progress: progress, session: session, console: console)
    }

    // MARK: Parts of run

    func printHeader(session: TrainingSession, startStep: Int, console: Console) {
        let o = session.trainer.options
        let params = session.trainer.model.store.count
        let paramText = params >= 1_000_000 ? String(format: "%.2fM", Double(params) / 1e6) : String(format: "%.1fk", Double(params) / 1e3)
        console.line("ddpm train: preset \(o.preset) (\(paramText) parameters, \(o.model.imageSize)x\(o.model.imageSize)), \(session.dataDescription)")
        console.line("  \(o.steps) step\(o.steps == 1 ? "" : "s"), batch \(o.batchSize) x accumulate \(o.accumulate), lr \(o.learningRate), \(o.schedule.rawValue) schedule T=\(o.timesteps), objective \(o.objective.rawValue), seed \(o.seed)")
        let m = o.model
        let attention = m.attentionResolutions.isEmpty ? "middle only" : "middle and " + m.attentionResolutions.map(String.init).joined(separator: ", ")
        console.line("  model dim \(m.dim), mults \(m.channelMults.map(String.init).joined(separator: "-")), res blocks \(m.resBlocks), attention \(attention); random crops and flips \(o.augment ? "on" : "off")")
        console.line("  fixes \(o.fixes.description)")
        if let resume {
            console.line("  resuming \(resume) at step \(startStep)")
        }
        console.line("  run folder \(session.folder.path): checkpoint and \(o.sampleCount == 1 ? "1 sample" : "\(o.sampleCount) samples") every \(o.saveEvery == 1 ? "step" : "\(o.saveEvery) steps"); Ctrl-C stops and saves")
    }

    /// Runs the session, drawing progress and reporting milestones as they appear.
    func loop(session: TrainingSession, console: Console) -> (TrainingSession.End, TrainProgress) {
        let o = session.trainer.options
        var progress = TrainProgress(totalSteps: o.steps)
        var reportedSamples = session.snapshot.read().value.samplesStep
        var stopAnnounced = false
        var lastDraw = 0.0
        var last = monotonicSeconds()
        var previousWasMilestone = false
        var firstStep = true
        let every = logEvery ?? 50
        let end = session.run { r, snap in
            let now = monotonicSeconds()
            progress.record(loss: r.loss, seconds: previousWasMilestone ? nil : now - last)
            // A milestone runs after the callback of its step, so its results show up here one step later.
            if snap.samplesStep != reportedSamples, let s = snap.samplesStep {
                reportedSamples = s
                console.line(milestoneLine(snap, session: session, step: s, final: false))
            }
            let line = progress.line(step: r.step, loss: r.loss, imagesPerSecond: snap.imagesPerSecond, eta: snap.etaSeconds)
            let milestoneNext = r.step % o.saveEvery == 0 && r.step < o.steps
            if console.isTerminal {
                if now - lastDraw >= 0.1 || milestoneNext || r.step == o.steps {
                    console.progress(milestoneNext ? "step \(r.step)/\(o.steps): saving the checkpoint and sampling \(o.sampleCount) images…" : line)
                    lastDraw = now
                }
            } else if r.step % every == 0 || r.step == o.steps || firstStep {
                console.line(line)
            }
            firstStep = false
            if StopSignal.pending != nil && !stopAnnounced {
                stopAnnounced = true
                console.line("stopping after step \(r.step): saving the checkpoint and samples (press Ctrl-C again to quit without saving)")
            }
            previousWasMilestone = milestoneNext
            last = monotonicSeconds()
        }
        console.endProgress()
        return (end, progress)
    }

    /// The final lines and the exit code.
    func finish(_ end: TrainingSession.End, progress: TrainProgress, session: TrainingSession, console: Console) -> Int32 {
        let snap = session.snapshot.read().value
        let step = session.trainer.step
        let o = session.trainer.options
        switch end {
        case .finished, .stopped:
            console.line(milestoneLine(snap, session: session, step: step, final: true))
        case .diverged:
            break
        }
        let timing = progress.secondsPerStep.map { sps in
            String(format: "%.3f s/step, %.1f img/s (%@ of training over %d steps, milestones excluded)",
                   sps, Double(o.batchSize * o.accumulate) / sps, TrainProgress.duration(progress.trainingSeconds), progress.timedSteps)
        }
        switch end {
        case .finished:
            console.line("finished \(step) steps" + (timing.map { "; " + $0 } ?? ""))
            return 0
        case let .stopped(signal):
            let name = signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : signal.map { "signal \($0)" } ?? "request"
            console.line("stopped at step \(step) of \(o.steps) by \(name)" + (timing.map { "; " + $0 } ?? ""))
            if snap.lastCheckpointStep == step {
                console.line("resume with: " + resumeCommand(checkpoint: session.folder.checkpointPath))
            } else {
                console.error("the final checkpoint could not be written; \(snap.status)")
            }
            return signal.map { 128 + $0 } ?? 0
        case let .diverged(message):
            console.error(message)
            if let s = snap.lastCheckpointStep, let p = snap.lastCheckpointPath {
                console.note("the last good checkpoint is \(p) (step \(s)); start a new run with a lower --lr")
            } else {
                console.note("no checkpoint was written before the loss diverged; start a new run with a lower --lr")
            }
            return 1
        }
    }

    /// `ddpm train --resume <checkpoint>` plus the data flags this run used.
    public func resumeCommand(checkpoint: String) -> String {
        var words = ["ddpm", "train", "--resume", FlagValues.shellWord(checkpoint)]
        if let data { words += ["--data", FlagValues.shellWord(data)] }
        if let className { words += ["--class", FlagValues.shellWord(className)] }
        return words.joined(separator: " ")
    }

    func milestoneLine(_ snap: TrainingSnapshot, session: TrainingSession, step: Int, final: Bool) -> String {
        let samples = final ? session.folder.finalSamplePath : session.folder.samplePath(step: step)
        return TrainProgress.milestoneLine(
            step: step, final: final,
            checkpoint: snap.lastCheckpointStep == step ? session.folder.checkpointPath : nil,
            samples: snap.samplesStep == step ? samples : nil,
            nnRMSE: snap.samplesStep == step ? snap.nearestNeighbourRMSE : nil,
            swd: snap.samplesStep == step ? snap.swd : nil)
    }
}

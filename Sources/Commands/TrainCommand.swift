import ArgumentParser
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
public struct TrainCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model headless, with checkpoints and sample grids at milestones.",
        discussion: """
            Defaults follow the course (32x32, batch 32, lr 1e-3, 10000 steps, accumulate 2, \
            save every 1000) with the tiny preset. On a terminal one progress line shows step, \
            loss (and its mean over 50 steps), images/s and ETA; otherwise a plain line is printed \
            every --log-every steps. Each milestone prints its checkpoint, sample grid, nn-RMSE \
            (distance of the samples to their nearest training image) and SWD (sliced Wasserstein \
            distance to the training set, or to a fixed subset of 1,024 of its images), and how \
            long the grid and the metrics took. Loading a folder shows a count on a terminal.

            Run folder (--out): checkpoint.safetensors (the newest, replaced atomically), \
            samples/step-NNNNNN.png and samples/step-final.png, metrics.jsonl.

            Ctrl-C (SIGINT) or SIGTERM finishes the current step, saves the checkpoint and a \
            final grid, and prints the command to resume: \(CommandHelp.resumeHint). A second \
            Ctrl-C quits at once. Exit codes: 0 finished, 130 SIGINT, 143 SIGTERM, 1 error or \
            diverged loss (NaN; the last milestone checkpoint is kept).
            """)

    @OptionGroup public var dataFlags: DataFlags

    @OptionGroup(title: "Training options") public var training: TrainingFlags

    /// A checkpoint to continue from; its options are used (only `--steps` may change them).
    @Option(help: ArgumentHelp(
        "Continue from this checkpoint: its options are kept (only --steps may raise the total); pass the same --data.",
        valueName: "checkpoint"))
    public var resume: String?

    /// B's differences from A for a lockstep A/B pair (`TrainCommand+AB.swift`).
    @Option(help: ArgumentHelp(
        "Train two runs in lockstep, A (these options) and B (A plus these changes), on the same batches, timesteps and noise, into <out>/A and <out>/B, with a verdict at each milestone. Comma-separated key=value: \(FlagValues.abKeyList) (e.g. input=x0, fwd=sqrt-of-sqrt, loss=l2, lr=3e-4).",
        valueName: "spec"))
    public var ab: String?

    /// Run folder; default `runs/<timestamp>`, or the checkpoint's folder with `--resume`.
    @Option(help: ArgumentHelp(
        "Run folder (default: \(CommandHelp.runFolderPattern) in the current directory; with --resume, the checkpoint's folder).",
        valueName: "dir"))
    public var out: String?

    /// Plain progress lines every this many steps when stdout is not a terminal (default 50).
    @Option(name: .customLong("log-every"), help: ArgumentHelp(
        "When stdout is not a terminal, print a progress line every n steps (default: 50).", valueName: "n"))
    public var logEvery: Int?

    public init() {}

    public func validate() throws {
        if let logEvery, logEvery < 1 { throw FlagError("--log-every \(logEvery): must be at least 1") }
        if let ab { _ = try FlagValues.abOptions(ab, base: (try? training.apply(to: TrainingOptions())) ?? TrainingOptions()) }
        if let resume, ABTrainingSession.pairFolder(resuming: resume) == nil { try Checkpoint.requireFile(path: resume) }
    }

    public func run() throws {
        let code = try run(console: .standard())
        if code != 0 { throw ExitCode(code) }
    }

    /// Trains until done, stopped or diverged; returns the exit code.
    /// - Throws: `FlagError`/`EngineError`/`ImageError` with a one-line message before training starts.
    public func run(console: Console) throws -> Int32 {
        try FlagError.rewording(training.runFlag(for:)) { try train(console: console) }
    }

    func train(console: Console) throws -> Int32 {
        if ab != nil || resume.flatMap(ABTrainingSession.pairFolder(resuming:)) != nil {
            return try trainPair(console: console)
        }
        // Options: from the flags, or from the checkpoint when resuming (loaded once, here).
        let checkpoint = try resume.map(Checkpoint.load(path:))
        let options = try training.options(base: TrainingOptions(), data: dataFlags.source, resuming: checkpoint)
        if let resume, let c = checkpoint { try checkResume(resume, checkpoint: c, options: options, console: console) }
        let outPath = try FlagValues.runFolder(out: out, resuming: resume, resumeFlag: "--resume")

        // Data: a count while a folder decodes (terminal only), then the warnings first, so they
        // are not lost under the training progress line.
        let loaded = try dataFlags.source.load(for: options, progress: DataSource.throttled { done, total in
            console.progress("loading images… \(done)/\(total)")
        })
        console.endProgress()
        for w in loaded.warnings { console.warn("skipped \(w)") }

        let session = try checkpoint.map { try TrainingSession(resuming: $0, steps: options.steps, data: loaded, out: outPath) }
            ?? TrainingSession(options: options, data: loaded, out: outPath)
        printHeader(session: session, startStep: checkpoint?.step ?? 0, console: console)

        StopSignal.install()
        let (end, progress) = loop(session: session, console: console)
        return finish(end, progress: progress, session: session, console: console)
    }

    // MARK: Parts of run

    /// A resumed run must have steps left; flags other than `--steps` are ignored, with a warning.
    func checkResume(_ resume: String, checkpoint c: Checkpoint.Loaded, options: TrainingOptions, console: Console) throws {
        if training.steps.isGiven {
            guard options.steps > c.step else {
                throw FlagError("--steps \(options.steps): the checkpoint is already at step \(c.step); pass a larger --steps to train further")
            }
        } else if c.step >= options.steps {
            throw FlagError("--resume: \(resume) already finished its \(options.steps) steps; pass --steps N (more than \(c.step)) to train further")
        }
        let ignored = training.ignoredWhenResuming + (ab == nil ? [] : ["--ab"])
        if !ignored.isEmpty {
            console.warn("\(ignored.joined(separator: ", ")) ignored with --resume: the run keeps the checkpoint's options")
        }
    }

    func printHeader(session: TrainingSession, startStep: Int, console: Console) {
        let o = session.trainer.options
        let params = session.trainer.model.store.count
        let paramText = params >= 1_000_000 ? String(format: "%.2fM", Double(params) / 1e6) : String(format: "%.1fk", Double(params) / 1e3)
        let size = "\(o.imageSize)x\(o.imageSize)\(o.channels == 1 ? " grey" : "")"
        if o.family == .vae {
            let v = o.vae
            console.line("ddpm train: VAE (\(paramText) parameters, \(size)), \(session.dataDescription)")
            console.line("  \(o.steps) step\(o.steps == 1 ? "" : "s"), batch \(o.batchSize) x accumulate \(o.accumulate), \(Self.rateText(o)), seed \(o.seed)")
            console.line("  model dim \(v.dim), mults \(v.channelMults.map(String.init).joined(separator: "-")), res blocks \(v.resBlocks), latent \(v.latentDescription); augmentation \(o.augment)")
            console.line("  loss \(v.reconstruction.rawValue.uppercased()) summed per image + β \(v.beta) × KL\(v.klWarmupSteps > 0 ? " (β warmed up over \(v.klWarmupSteps) steps)" : "")")
        } else {
            console.line("ddpm train: preset \(o.preset) (\(paramText) parameters, \(size)), \(session.dataDescription)")
            console.line("  \(o.steps) step\(o.steps == 1 ? "" : "s"), batch \(o.batchSize) x accumulate \(o.accumulate), \(Self.rateText(o)), \(Self.diffusionText(o)), seed \(o.seed)")
            let m = o.model
            let attention = m.attentionResolutions.isEmpty ? "middle only" : "middle and " + m.attentionResolutions.map(String.init).joined(separator: ", ")
            console.line("  model dim \(m.dim), mults \(m.channelMults.map(String.init).joined(separator: "-")), res blocks \(m.resBlocks), attention \(attention); augmentation \(o.augment)")
            console.line("  fixes \(o.fixes.description)")
        }
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
        var printer = StepPrinter(console: console, totalSteps: o.steps, saveEvery: o.saveEvery, every: logEvery ?? 50)
        let end = session.run { r, snap in
            progress.record(loss: r.loss, seconds: printer.interval())
            // A milestone runs after the callback of its step, so its results show up here one step later.
            if snap.samplesStep != reportedSamples, let s = snap.samplesStep {
                reportedSamples = s
                console.line(milestoneLine(snap, session: session, step: s, final: false))
            }
            printer.show(step: r.step, line: progress.line(step: r.step, loss: r.loss, imagesPerSecond: snap.imagesPerSecond, eta: snap.etaSeconds),
                         milestoneWork: "saving the checkpoint and sampling \(o.sampleCount) images…",
                         stopping: "saving the checkpoint and samples")
        }
        console.endProgress()
        return (end, progress)
    }

    /// The flag to lower after a diverged loss.
    var lowerFlag: String { training.flag(for: \TrainingOptions.learningRate) ?? "learning rate" }

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
        let timing = progress.timing(imagesPerStep: o.batchSize * o.accumulate)
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
                console.note("the last good checkpoint is \(p) (step \(s)); start a new run with a lower \(lowerFlag)")
            } else {
                console.note("no checkpoint was written before the loss diverged; start a new run with a lower \(lowerFlag)")
            }
            return 1
        }
    }

    /// `ddpm train --resume <checkpoint>` plus the data flags this run used.
    public func resumeCommand(checkpoint: String) -> String {
        var words = ["ddpm", "train", "--resume", FlagValues.shellWord(checkpoint)]
        if let data = dataFlags.data { words += ["--data", FlagValues.shellWord(data)] }
        if let className = dataFlags.className { words += ["--class", FlagValues.shellWord(className)] }
        return words.joined(separator: " ")
    }

    func milestoneLine(_ snap: TrainingSnapshot, session: TrainingSession, step: Int, final: Bool) -> String {
        let samples = final ? session.folder.finalSamplePath : session.folder.samplePath(step: step)
        var vae = ""
        if snap.samplesStep == step, let r = snap.reconstructions {
            vae = String(format: ", reconstructions %@ (RMSE %.3f), KL %.1f nats, %d/%d latent units active",
                         session.folder.reconstructionPath(step: final ? nil : step), r.rmse, r.kl, r.activeUnits, r.klPerUnit.count)
        }
        return TrainProgress.milestoneLine(
            step: step, final: final,
            checkpoint: snap.lastCheckpointStep == step ? session.folder.checkpointPath : nil,
            samples: snap.samplesStep == step ? samples : nil,
            nnRMSE: snap.samplesStep == step ? snap.nearestNeighbourRMSE : nil,
            swd: snap.samplesStep == step ? snap.swd : nil,
            seconds: snap.samplesStep == step ? snap.milestoneTiming.map { ($0.sampling, $0.metrics) } : nil) + vae
    }

    /// "linear schedule T=1000, objective epsilon" (+ " with min-SNR-5 weights"), for the start lines.
    static func diffusionText(_ o: TrainingOptions) -> String {
        "\(o.schedule.rawValue) schedule T=\(o.timesteps), objective \(o.objective.rawValue)"
            + (o.minSNR > 0 ? " with min-SNR-\(AppRenderer.number(Double(o.minSNR))) weights" : "")
    }

    /// "lr 0.001" or "lr 0.001 (warm-up 100 steps, cosine decay to 10%)", for the start lines.
    static func rateText(_ o: TrainingOptions) -> String {
        var parts: [String] = []
        if o.warmupSteps > 0 { parts.append("warm-up \(o.warmupSteps) steps") }
        if o.lrDecay == .cosine { parts.append("cosine decay to \(Int(LearningRateDecay.floor * 100))%") }
        return "lr \(o.learningRate)" + (parts.isEmpty ? "" : " (\(parts.joined(separator: ", ")))")
    }
}

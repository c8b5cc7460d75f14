import DiffusionEngine
import Foundation
import Workbench

/// `ddpm train --ab SPEC`: a lockstep A/B pair (`ABTrainingSession`) with the single run's output,
/// doubled: a header naming B's differences, one progress line with both losses, both runs'
/// milestone lines and the verdict after each milestone, and the closing lines. `--resume <out>`
/// (or A's or B's checkpoint in it) continues the pair; exit codes are `train`'s.
extension TrainCommand {
    func trainPair(console: Console) throws -> Int32 {
        let session: ABTrainingSession
        var startStep = 0
        if let resume {
            guard let dir = ABTrainingSession.pairFolder(resuming: resume) else {
                throw FlagError("--resume \(resume): not an A/B pair (a folder with ab.json, A/ and B/ checkpoints); drop --ab to continue a single run")
            }
            let (ca, cb) = try ABTrainingSession.checkpoints(in: dir)
            let options = try training.options(base: TrainingOptions(), data: dataFlags.source, resuming: ca)
            try checkResume(ca.path, checkpoint: ca, options: options, console: console)
            let loaded = try loadData(for: options, console: console)
            session = try FlagError.rewording(training.runFlag(for:)) {
                try ABTrainingSession(resumingA: ca, b: cb, steps: options.steps, data: loaded, out: out ?? dir)
            }
            startStep = ca.step
        } else {
            let a = try training.options(base: TrainingOptions(), data: dataFlags.source, resuming: nil)
            let b = try FlagValues.abOptions(ab ?? "", base: a)
            let outPath = out ?? FlagValues.defaultRunFolder()
            try FlagValues.checkFreshPairFolder(outPath)
            let loaded = try loadData(for: a, console: console)
            session = try ABTrainingSession(a: a, b: b, data: loaded, out: outPath)
        }
        printPairHeader(session, startStep: startStep, console: console)
        StopSignal.install()
        return pairLoop(session, console: console)
    }

    /// The images, warnings first so they are not lost under the progress line.
    func loadData(for options: TrainingOptions, console: Console) throws -> DataSource.Loaded {
        let loaded = try dataFlags.source.load(for: options.model)
        for w in loaded.warnings { console.warn("skipped \(w)") }
        return loaded
    }

    func printPairHeader(_ s: ABTrainingSession, startStep: Int, console: Console) {
        let o = s.pair.a.options
        console.line("ddpm train --ab: two runs in lockstep (the same initial weights, batches, timesteps and noise); preset \(o.preset), \(s.a.dataDescription)")
        console.line("  A: \(o.steps) steps, batch \(o.batchSize) x accumulate \(o.accumulate), \(Self.rateText(o)), \(Self.diffusionText(o)), fixes \(o.fixes.shortDescription), seed \(o.seed)")
        console.line("  B: A with \(s.label)")
        if resume != nil { console.line("  resuming the pair in \(s.path) at step \(startStep)") }
        console.line("  folders \(s.a.folder.path) and \(s.b.folder.path): checkpoints and \(o.sampleCount) samples every \(o.saveEvery) steps, verdict in \(s.verdictPath); Ctrl-C stops and saves both")
    }

    func pairLoop(_ session: ABTrainingSession, console: Console) -> Int32 {
        let o = session.pair.a.options
        var pa = TrainProgress(totalSteps: o.steps), pb = TrainProgress(totalSteps: o.steps)
        var reported = session.snapshotA.read().value.samplesStep
        var printer = StepPrinter(console: console, totalSteps: o.steps, saveEvery: o.saveEvery, every: logEvery ?? 50)
        let end = session.run { r, sa, sb in
            pa.record(loss: r.a.loss, seconds: printer.interval())
            pb.record(loss: r.b.loss, seconds: nil)
            if sa.samplesStep != reported, let s = sa.samplesStep, sb.samplesStep == s {
                reported = s
                printPairMilestone(session, step: s, final: false, console: console)
            }
            let line = TrainProgress.pairLine(step: r.a.step, a: pa, lossA: r.a.loss, b: pb, lossB: r.b.loss,
                                              imagesPerSecond: sa.imagesPerSecond, eta: sa.etaSeconds)
            printer.show(step: r.a.step, line: line, milestoneWork: "saving both checkpoints and sampling \(o.sampleCount) images each…",
                         stopping: "saving both checkpoints and samples")
        }
        console.endProgress()
        return finishPair(end, progress: pa, session: session, console: console)
    }

    /// Both runs' milestone lines and the verdict.
    func printPairMilestone(_ session: ABTrainingSession, step: Int, final: Bool, console: Console) {
        for (side, s) in [("A", session.a), ("B", session.b)] {
            console.line("\(side) " + milestoneLine(s.snapshot.read().value, session: s, step: step, final: final))
        }
        if let v = session.verdict.read().value { console.line("verdict: " + v.text) }
    }

    func finishPair(_ end: ABTrainingSession.End, progress: TrainProgress, session: ABTrainingSession, console: Console) -> Int32 {
        let step = session.pair.step, o = session.pair.a.options
        let timing = progress.timing(imagesPerStep: o.batchSize * o.accumulate, runs: 2).map { "; " + $0 } ?? ""
        switch end {
        case .finished:
            printPairMilestone(session, step: step, final: true, console: console)
            console.line("finished \(step) steps" + timing)
            return 0
        case let .stopped(signal):
            printPairMilestone(session, step: step, final: true, console: console)
            let name = signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : signal.map { "signal \($0)" } ?? "request"
            console.line("stopped at step \(step) of \(o.steps) by \(name)" + timing)
            let saved = [session.a, session.b].allSatisfy { $0.snapshot.read().value.lastCheckpointStep == step }
            if saved {
                console.line("resume with: " + resumeCommand(checkpoint: session.path))
            } else {
                console.error("a final checkpoint could not be written; A: \(session.snapshotA.read().value.status); B: \(session.snapshotB.read().value.status)")
            }
            return signal.map { 128 + $0 } ?? 0
        case let .diverged(side, message):
            console.error("\(side.rawValue): \(message)")
            if let v = session.verdict.read().value { console.line("verdict: " + v.text) }
            let s = session.snapshotA.read().value
            if let at = s.lastCheckpointStep {
                console.note("both runs keep their checkpoints of step \(at); resume the pair with \(resumeCommand(checkpoint: session.path)), or start again with a lower \(lowerFlag)")
            } else {
                console.note("no checkpoint was written before the loss diverged; start a new pair with a lower \(lowerFlag)")
            }
            return 1
        }
    }
}

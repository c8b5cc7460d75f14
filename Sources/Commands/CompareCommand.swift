import ArgumentParser
import DiffusionEngine
import Foundation
import Workbench

/// `ddpm compare`: two fix sets on the same checkpoint, seed and noise, step by step.
///
/// Runs the engine's `ChainPair` (two reverse chains in lockstep from one x_T, drawing the same
/// per-step noise) and prints, for every `every`-th step plus the first step that differs and
/// the last one, t, max |Δ| and RMS Δ of the step's output, then the verdict. When the two sets
/// differ in the forward-coefficient switch (FIX 1), it also compares `qSample` on training
/// images at every t. Exit code 0 whatever the verdict: a difference is a finding, not a failure.
///
/// `--csv` prints one CSV (`process,t,max_abs_delta,rms_delta,threshold,differs`) on stdout and
/// the verdicts on stderr, so the output pipes cleanly.
public struct CompareCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Run two reverse chains with two fix sets from one seed and noise and show where they differ.",
        discussion: """
            Prints t, max |Δ| and RMS Δ of each step's output (every --every steps, plus the first \
            step that differs and the last), then a verdict such as 'identical within float \
            rounding (max |Δ| 0)'. When A and B differ in the forward switch (fwd=), q_sample is \
            compared too, on training images. Exit code 0 whatever the verdict.
              ddpm compare --checkpoint ckpt.safetensors --b t0=xrecon
              ddpm compare --checkpoint ckpt.safetensors --a course --b fixed --csv
            Fix sets: \(CommandHelp.fixesSyntax).
            """)

    @OptionGroup public var checkpointFlag: CheckpointFlag

    /// Fix set A over the checkpoint's own (nil: the checkpoint's fix set as trained).
    @Option(help: ArgumentHelp("Fix set A, over the checkpoint's own set (default: the checkpoint's set).", valueName: "fixset"))
    public var a: String?

    /// Fix set B over A (or over B's checkpoint's own set with `--checkpoint-b`).
    @Option(help: ArgumentHelp(
        "Fix set B, over A (e.g. t0=xrecon changes only the final step); with --checkpoint-b, over B's own set (default: as trained).",
        valueName: "fixset"))
    public var b: String?

    /// A second model for chain B (`CompareCommand+Models.swift`).
    @Option(name: .customLong("checkpoint-b"), help: ArgumentHelp(
        "Run chain B with this checkpoint's model (e.g. B of ddpm train --ab) on the same noise, and judge the two trainings from their loss histories.",
        valueName: "file"))
    public var checkpointB: String?

    @Option(help: ArgumentHelp("Images per chain.", valueName: "n"))
    public var count: Int = 4

    @OptionGroup(title: "Sampling") public var sampling: SamplingFlags

    /// Print every k-th step (default: about 20 rows, or every row with `--csv`).
    @Option(help: ArgumentHelp("Show every k-th step (default: about 20 rows; every row with --csv).", valueName: "k"))
    public var every: Int?

    @Flag(help: "Print CSV (process,t,max_abs_delta,rms_delta,threshold,differs) on stdout; the verdicts go to stderr.")
    public var csv = false

    @OptionGroup public var dataFlags: DataFlags

    public init() {}

    /// The fix sets' syntax is checked now; over which sets they apply is known once the checkpoint is open.
    public func validate() throws {
        if let a { _ = try FlagValues.fixes(a, flag: "--a") }
        if let b { _ = try FlagValues.fixes(b, flag: "--b") }
        if let checkpointB { try Checkpoint.requireFile(path: checkpointB) }
        if b == nil && checkpointB == nil {
            throw FlagError("--b: give fix set B (e.g. --b t0=xrecon), or --checkpoint-b FILE to compare two models")
        }
    }

    public func run() throws { try run(console: .standard()) }

    // The names `run` reads, forwarded from the option groups.
    var checkpoint: String { checkpointFlag.checkpoint }
    var seed: UInt64 { sampling.seed }
    var sampler: String? { sampling.sampler }
    var steps: Int? { sampling.steps }
    var eta: Float? { sampling.eta }
    var raw: Bool { sampling.raw }
    var data: String? { dataFlags.data }
    var className: String? { dataFlags.className }

    public struct Result: Sendable {
        public var a: FixSet
        public var b: FixSet
        public var reverse: ChainPair
        public var forward: ForwardComparison?
        /// With `--checkpoint-b`: the verdict on the two trainings.
        public var training: ABVerdict?
    }

    @discardableResult
    public func run(console: Console) throws -> Result {
        try FlagValues.check("--count", count, in: 1...256)
        if let every { try FlagValues.check("--every", every, in: 1...100_000) }
        if className != nil && data == nil {
            throw FlagError("--class: needs --data DIR (the built-in faces have no class folders)")
        }
        let cm = try CheckpointModel(path: checkpoint, ema: !raw)
        let cmB = try secondModel(matching: cm)
        let fa = try a.map { try FlagValues.fixes($0, base: cm.options.fixes, flag: "--a") } ?? cm.options.fixes
        let fb = try b.map { try FlagValues.fixes($0, base: cmB?.options.fixes ?? fa, flag: "--b") } ?? cmB?.options.fixes ?? fa
        let smp = try FlagValues.sampler(sampler, steps: steps, eta: eta, timesteps: cm.timesteps)
        let say: (String) -> Void = csv ? console.note : console.line

        say("compare on \(checkpoint) (\(cm.summary)): \(count) image\(count == 1 ? "" : "s"), seed \(seed), \(smp)")
        if let cmB { say("  chain B on \(cmB.path) (\(cmB.summary)), trained as A with \(TrainerPair.label(a: cm.options, b: cmB.options))") }
        say("  A: \(fa.description)")
        say("  B: \(fb.description)")
        let diff = fb.differences(from: fa)
        say("  switches that differ: " + (diff.isEmpty ? "none (A and B are the same set)" : diff.map { sw in
            sw.checklistItem == "—" ? sw.displayName : "\(sw.displayName) (\(sw.checklistItem))"
        }.joined(separator: ", ")))
        let trainingOnly = diff.filter(\.isTrainingOnly)
        if !trainingOnly.isEmpty && cmB == nil {
            say("  note: \(trainingOnly.map(\.key).joined(separator: ", ")) change training only, not sampling; compare checkpoints trained each way to see them")
        }

        var da = cm.diffusion, db = cmB?.diffusion ?? cm.diffusion
        (da.fixes, db.fixes) = (fa, fb)
        var rev = try ChainPair(a: da, b: db, sampler: smp, shape: cm.shape(count: count), rng: RandomGenerator(seed: seed))
        let total = rev.length
        var done = 0
        let t0 = monotonicSeconds()
        rev.run(model: cm.model, modelB: cmB?.model) { _, _, _ in
            done += 1
            if done % 10 == 0 { console.progress("step \(done)/\(total)") }
            return true
        }
        console.endProgress()
        let secs = monotonicSeconds() - t0

        var fwd: ForwardComparison?
        var forwardImages = 0
        if fa.differs(from: fb, in: .forwardProcess) && (cmB.map { $0.diffusion.schedule == cm.diffusion.schedule } ?? true) {
            let loaded = try DataSource(folder: data, className: className).load(for: cm.options.model)
            let crops = loaded.set.centreCrops()
            let n = min(count, loaded.set.count)
            forwardImages = n
            let per = crops.count / crops.shape[0]
            let x0 = Tensor(shape: [n] + Array(crops.shape.dropFirst()), data: Array(crops.data[0..<n * per]))
            fwd = FixComparison.forward(diffusion: cm.diffusion, x0: x0, a: fa, b: fb, rng: RandomGenerator(seed: seed).derived(stream: 1))
        }

        if csv {
            console.write(Self.csv(reverse: rev, forward: fwd, every: every ?? 1))
        } else {
            console.line(String(format: "reverse chain (x after each step; two chains of %d steps in %.1f s):", total, secs))
            console.write(Self.reverseTable(rev, every: every ?? max(1, total / 20)))
            if let fwd {
                console.line("forward process q(x_t | x_0) on \(forwardImages) training image\(forwardImages == 1 ? "" : "s"):")
                console.write(Self.forwardTable(fwd, every: every ?? max(1, cm.timesteps / 10)))
            }
        }
        say("verdict: " + rev.verdict)
        if let fwd { say("forward verdict: " + fwd.verdict) }
        let training = try cmB.map { try trainingVerdict(a: cm, b: $0, chains: rev) }
        if let training { say("training verdict (loss histories, and these samples' nn-RMSE): " + training.text) }
        return Result(a: fa, b: fb, reverse: rev, forward: fwd, training: training)
    }

    /// Indices of the rows to show: every k-th, the first differing one, the last one.
    static func shownRows(count: Int, every: Int, firstDiffering: Int?) -> [Int] {
        var rows = Set(stride(from: 0, to: count, by: max(1, every)))
        if count > 0 { rows.insert(count - 1) }
        if let f = firstDiffering { rows.insert(f) }
        return rows.sorted()
    }

    static func reverseTable(_ c: ChainPair, every: Int) -> String {
        let first = c.steps.firstIndex(where: \.differs)
        let rows = shownRows(count: c.steps.count, every: every, firstDiffering: first).map { i -> [String] in
            let d = c.steps[i]
            return [String(d.t), number(d.maxAbs), number(d.rms), d.differs ? (i == first ? "differs  ← first" : "differs") : "same"]
        }
        return ScheduleCommand.alignedTable(header: ["t", "max|Δ|", "RMS Δ", ""], rows: rows, leftAligned: [3])
    }

    static func forwardTable(_ f: ForwardComparison, every: Int) -> String {
        let first = f.rows.firstIndex(where: \.difference.differs)
        let rows = shownRows(count: f.rows.count, every: every, firstDiffering: first).map { i -> [String] in
            let r = f.rows[i]
            return [String(r.difference.t), number(r.signalA), number(r.signalB), number(r.noiseA), number(r.noiseB),
                    number(r.difference.maxAbs), r.difference.differs ? "differs" : "same"]
        }
        return ScheduleCommand.alignedTable(header: ["t", "signal A", "signal B", "noise A", "noise B", "max|Δ|", ""], rows: rows, leftAligned: [6])
    }

    /// `process,t,max_abs_delta,rms_delta,threshold,differs`, every k-th row plus the first differing and last.
    static func csv(reverse: ChainPair, forward: ForwardComparison?, every: Int) -> String {
        var out = "process,t,max_abs_delta,rms_delta,threshold,differs\n"
        func add(_ process: String, _ ds: [StepDifference]) {
            for i in shownRows(count: ds.count, every: every, firstDiffering: ds.firstIndex(where: \.differs)) {
                let d = ds[i]
                out += "\(process),\(d.t),\(ScheduleCommand.csvNumber(d.maxAbs)),\(ScheduleCommand.csvNumber(d.rms)),\(ScheduleCommand.csvNumber(d.threshold)),\(d.differs)\n"
            }
        }
        add("reverse", reverse.steps)
        if let forward { add("forward", forward.rows.map(\.difference)) }
        return out
    }

    static func number(_ x: Float) -> String { FixComparison.format(x, digits: 3) }
}

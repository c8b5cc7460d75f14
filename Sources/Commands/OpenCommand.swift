import ArgumentParser
import DiffusionEngine
import Foundation
import TerminalUI
import Workbench

/// `ddpm` with no subcommand (`ddpm open`): the interactive workbench.
///
/// Builds the `AppLaunch` that `WorkbenchApp.run` takes: `TrainingOptions.interactive` with the
/// training flags applied, the data source, the run folder, and a checkpoint to resume
/// (or, with `view`, to open for viewing only), loaded once here.
public struct OpenCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "open",
        abstract: "Open the interactive workbench (the default when no subcommand is given).",
        discussion: """
            Trains while showing live loss, the noise schedule, a step-by-step denoising viewer and \
            A/B comparisons of the fix switches. Defaults are sized for 2 CPU cores: the training \
            flags below show 'workbench:' where they differ from 'ddpm train'.
              ddpm                                      train on the built-in faces
              ddpm --data ~/afhq/train --class cat      train on a folder's cats
              ddpm --checkpoint run/ckpt.safetensors    resume training
              ddpm --checkpoint run/ckpt.safetensors --view    view only
              ddpm --ab input=x0 --out runs/ab          train an A/B pair (Compare's m: A's model vs B's)
              ddpm --checkpoint runs/ab                 continue the pair (as ddpm train --resume runs/ab)
              ddpm --checkpoint A.safetensors --checkpoint-b B.safetensors --view    compare two models
              ddpm --watch runs/ddp                     watch a run another process writes
              ddpm --baseline runs/first                compare this run with a finished one
              ddpm --model vae                          train a VAE on the built-in faces (screen 6)
              ddpm --checkpoint vae.safetensors --versus diffusion.safetensors    VAE vs diffusion
            """)

    @OptionGroup public var dataFlags: DataFlags

    @Option(help: ArgumentHelp(
        "A checkpoint to resume training from (or, with --view, to open for viewing only); its options replace the training flags. An A/B pair's folder (or A's or B's checkpoint in it) continues both runs in lockstep, as ddpm train --resume does.",
        valueName: "file"))
    public var checkpoint: String?

    /// A second model for the Compare screen (`m`: A's model vs B's model).
    @Option(name: .customLong("checkpoint-b"), help: ArgumentHelp(
        "A second diffusion checkpoint (same image shape and T) beside --checkpoint: the Compare screen's m runs chain B with its model on A's noise.",
        valueName: "file"))
    public var checkpointB: String?

    @Flag(help: "Open --checkpoint for viewing (Denoise, Compare, Schedule screens) without training.")
    public var view = false

    @OptionGroup public var display: ThemeFlag

    @Option(help: ArgumentHelp(
        "Watch a run folder another process writes instead of training (as 'ddpm watch DIR').", valueName: "dir"))
    public var watch: String?

    @Option(help: ArgumentHelp(
        "A checkpoint of the other model family (a diffusion model beside a VAE, or the reverse) to compare with --checkpoint on the VAE screen; implies --view.",
        valueName: "file"))
    public var versus: String?

    @Option(help: ArgumentHelp(
        "Run folder for checkpoints, sample grids and metrics.jsonl (default: the checkpoint's folder, else \(CommandHelp.runFolderPattern)).",
        valueName: "dir"))
    public var out: String?

    @Option(help: ArgumentHelp(
        "A finished run folder whose loss and milestone quality the Train screen draws over this run's, in a second colour.",
        valueName: "dir"))
    public var baseline: String?

    /// Train a lockstep A/B pair (`ABTrainingSession`) in `<out>/A` and `<out>/B`.
    @Option(help: ArgumentHelp(
        "Train a lockstep A/B pair as ddpm train --ab does (the screens show A; B and the verdict go to <out>/B and <out>/verdict.txt). Keys: \(FlagValues.abKeyList).",
        valueName: "spec"))
    public var ab: String?

    @OptionGroup(title: "Training options") public var training: TrainingFlags

    public init() {}

    public func validate() throws {
        if view && checkpoint == nil { throw FlagError("--view: needs --checkpoint FILE to view") }
        if let watch {
            try WatchCommand.checkFolder(watch, flag: "--watch")
            if checkpoint != nil { throw FlagError("--watch: shows another process's run; drop --checkpoint (or open it with --checkpoint FILE --view)") }
        }
        if let versus {
            guard checkpoint != nil else { throw FlagError("--versus: needs --checkpoint FILE to compare it with") }
            try Checkpoint.requireFile(path: versus)
        }
        let pair = checkpoint.flatMap(ABTrainingSession.pairFolder(resuming:))
        if let checkpoint, pair == nil { try Checkpoint.requireFile(path: checkpoint) }
        if let checkpointB {
            guard checkpoint != nil else { throw FlagError("--checkpoint-b: needs --checkpoint FILE (model A) to compare it with") }
            if let pair { throw FlagError("--checkpoint-b: \(pair) is an A/B pair, whose B is its own; drop --checkpoint-b") }
            if ab != nil || versus != nil { throw FlagError("--checkpoint-b: goes with --checkpoint alone; drop --ab and --versus") }
            try Checkpoint.requireFile(path: checkpointB)
        }
        if let ab {
            if checkpoint != nil { throw FlagError("--ab: starts a new pair; continue a pair with ddpm --checkpoint <out>") }
            _ = try FlagValues.abOptions(ab, base: (try? training.apply(to: .interactive)) ?? .interactive)
        }
        if let baseline { try Self.baselineError { try RunOverlay.requireRunFolder(baseline) } }
    }

    /// Runs `body`; an engine error it throws names the flag ("--baseline: run folder X: …").
    static func baselineError<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as EngineError { throw FlagError("--baseline: \(e.message)") }
    }

    public func run() throws {
        let code = try run(console: .standard())
        if code != 0 { throw ExitCode(code) }
    }

    /// The launch description; the checkpoint, if any, is loaded here and travels in it.
    /// - Throws: `FlagError`/`EngineError` with a one-line message.
    public func launch() throws -> AppLaunch {
        if let watch {
            var w = WatchCommand()
            (w.folder, w.display) = (watch, display)
            return w.launch()
        }
        // Resuming or viewing: the checkpoint's options (validated on load), --steps may extend
        // them. A pair folder (or a checkpoint in one) continues both runs, as train --resume does.
        let pairFolder = checkpoint.flatMap(ABTrainingSession.pairFolder(resuming:))
        let pair = try pairFolder.map(ABTrainingSession.checkpoints(in:))
        let loaded = try pair?.a ?? checkpoint.map(Checkpoint.load(path:))
        let options = try training.options(base: .interactive, data: dataFlags.source, resuming: loaded)
        let folder = try pairFolder.map { out ?? $0 } ?? FlagValues.runFolder(out: out, resuming: checkpoint, resumeFlag: "--checkpoint")
        let overlays = try baseline.map { folder in try Self.baselineError { try RunOverlay.baseline(folder: folder) } }
        var launch = AppLaunch(
            options: options, data: dataFlags.source, out: folder,
            checkpoint: loaded, viewOnly: view || versus != nil, theme: display.theme, overlays: overlays.map { [$0] } ?? [],
            versus: try versus.map(Checkpoint.load(path:)))
        if let ab {
            try FlagValues.checkFreshPairFolder(folder)
            launch.abOptions = try FlagValues.abOptions(ab, base: options)
        }
        if let pair {
            (launch.checkpointB, launch.resumesPair) = (pair.b, !view)
        } else if let checkpointB, let loaded {
            launch.checkpointB = try Self.secondModel(checkpointB, beside: loaded)
        }
        return launch
    }

    /// `--checkpoint-b`: a diffusion checkpoint beside a diffusion `--checkpoint`, of A's image
    /// shape and T (checked as `compare --checkpoint-b` checks it).
    static func secondModel(_ path: String, beside a: Checkpoint.Loaded) throws -> Checkpoint.Loaded {
        guard a.options.family == .diffusion else {
            throw FlagError("--checkpoint-b: --checkpoint \(a.path) is a VAE; compare two diffusion models (a VAE goes beside one with --versus)")
        }
        let b = try Checkpoint.load(path: path)
        guard b.options.family == .diffusion else {
            throw FlagError("--checkpoint-b \(path): is a VAE, not a diffusion model; Compare runs two denoisers (a VAE goes beside one with --versus)")
        }
        try FlagValues.checkSecondModel(b.options, path: path, beside: a.options)
        return b
    }

    /// Launches the workbench; returns its exit code.
    public func run(console: Console) throws -> Int32 {
        try FlagError.rewording(training.runFlag(for:)) {
            let l = try launch()
            if checkpoint != nil {
                let ignored = training.ignoredWhenResuming
                if !ignored.isEmpty {
                    console.warn("\(ignored.joined(separator: ", ")) ignored with --checkpoint: the checkpoint's options are used")
                }
            }
            return try WorkbenchApp.run(l)
        }
    }
}

import ArgumentParser
import DiffusionEngine
import Workbench

/// The training options of `train` and `open`, one declaration each (see `TrainingSetting`): the
/// property is the flag, the help shows both entry points' defaults (`ddpm train`: the course's,
/// `TrainingOptions()`; the workbench: `TrainingOptions.interactive`), and the value goes to its
/// field. Flags not given leave each command's base as it is.
///
/// Adding an option takes its field in `TrainingOptions` (with its decoding fallback and its
/// `validate` rule) and one declaration here; applying it, listing it as "ignored with --resume"
/// and naming it in engine errors follow from the declaration. Declaration order is the order the
/// flags apply in: `--model` changes the `--preset`'s UNet.
public struct TrainingFlags: ParsableArguments {
    /// The defaults the other flags change: `ddpm train`'s (the course's) or the workbench's.
    public enum Recipe: String, CaseIterable, ExpressibleByArgument, Sendable {
        case train, workbench
        public var options: TrainingOptions { self == .train ? TrainingOptions() : .interactive }
    }

    @Option(help: ArgumentHelp(
        "The defaults the other flags change: train (the course's: ddpm train's default) or workbench (the workbench's, sized for 2 cores; its default).",
        valueName: "name"))
    public var recipe: Recipe?

    @Option("Model size: \(CommandHelp.presets) (fixture is 8x8, for tests)", sets: \.preset, valueName: "name",
            shown: { $0 }, apply: { name, o in
                o.model = try FlagValues.preset(name)
                o.preset = name.lowercased()
            })
    public var preset: TrainingSetting

    @Option("The model: an optional family word first (vae; default a UNet for diffusion), then comma-separated key=value changes to the preset's config. UNet keys: \(FlagValues.modelKeyList) (e.g. image-size=64,channels=1 or mults=1-2-2,attention=16-8; attention may be none). VAE keys: \(FlagValues.vaeKeyList) (e.g. vae,latent=4x8x8,beta=0.5 or vae,latent=128,recon=l1; latent is CxSxS or N). vae also sets the VAE recipe: batch 16, accumulate 1, 4000 steps, milestones every 250, EMA from step 100; the flags below still change them",
            sets: \.model, valueName: "changes", shown: nil, apply: { text, o in o = try FlagValues.model(text, options: o) })
    public var model: TrainingSetting

    @Option("Optimizer steps to train", sets: \.steps, valueName: "n", more: "; when resuming, a new total")
    public var steps: TrainingSetting

    @Option("Images per micro-batch", sets: \.batchSize, valueName: "n")
    public var batch: TrainingSetting

    @Option("Adam learning rate", sets: \.learningRate, valueName: "x")
    public var lr: TrainingSetting

    @Option("Micro-batches accumulated per step", sets: \.accumulate, valueName: "n")
    public var accumulate: TrainingSetting

    @Option("Checkpoint, sample grid and quality metrics every n steps", sets: \.saveEvery, valueName: "n")
    public var saveEvery: TrainingSetting

    @Option("Seed of the initialisation, data order and noise", sets: \.seed, valueName: "n")
    public var seed: TrainingSetting

    @Option("Diffusion steps T", sets: \.timesteps, valueName: "T")
    public var timesteps: TrainingSetting

    @Option("Noise schedule: \(CommandHelp.schedules)", sets: \.schedule, valueName: "kind",
            shown: { $0.rawValue }, apply: { name, o in o.schedule = try FlagValues.schedule(name) })
    public var schedule: TrainingSetting

    @Option("What the model predicts: \(CommandHelp.objectives)", sets: \.objective, valueName: "name",
            shown: { $0.rawValue }, apply: { name, o in o.objective = try FlagValues.objective(name) })
    public var objective: TrainingSetting

    @Option("The course code's mistakes as switches", sets: \.fixes, valueName: "fixset",
            shown: { $0.shortDescription }, more: ". Syntax: \(CommandHelp.fixesSyntax)",
            apply: { text, o in o.fixes = try FlagValues.fixes(text, base: o.fixes) })
    public var fixes: TrainingSetting

    @Option("EMA decay of the sampling weights", sets: \.emaDecay, valueName: "x")
    public var emaDecay: TrainingSetting

    @Option("Gradient-norm clipping threshold", sets: \.maxGradNorm, valueName: "x")
    public var clip: TrainingSetting

    @Option("Images in each milestone sample grid", sets: \.sampleCount, valueName: "n")
    public var samples: TrainingSetting

    @Option("DDIM steps for milestone grids; 0 = full DDPM with T steps", sets: \.milestoneSamplingSteps, valueName: "n")
    public var sampleSteps: TrainingSetting

    @Option("DDIM η of milestone grids: 1 ancestral (fresh noise each step), 0 deterministic", sets: \.milestoneEta, valueName: "η")
    public var sampleEta: TrainingSetting

    @Option("Learning-rate warm-up: steps from 0 up to --lr", sets: \.warmupSteps, valueName: "n")
    public var warmup: TrainingSetting

    @Option("The learning rate after the warm-up: constant, or cosine (down to 10% of --lr at the last step)",
            sets: \.lrDecay, valueName: "kind", shown: { $0.rawValue },
            apply: { name, o in o.lrDecay = try FlagValues.word(name, flag: "--lr-decay", what: "decay") })
    public var lrDecay: TrainingSetting

    @Option("Min-SNR-γ loss weighting (each timestep's loss weighed like an x0 loss clipped at SNR γ, e.g. 5); 0 = off",
            sets: \.minSNR, valueName: "γ")
    public var minSnr: TrainingSetting

    @Option("What training does to each image it draws: off, flip (a random mirror) or crop-flip (a random crop and mirror, the course's). Default: \(DataSource.augmentationRule)",
            sets: \.augment, valueName: "mode", shown: nil,
            apply: { name, o in o.augment = try FlagValues.word(name, flag: "--augment", what: "augmentation") })
    public var augment: TrainingSetting

    /// `--no-augment`, kept from when `--augment` was a toggle: `--augment off`.
    @Flag(name: .customLong("no-augment"), help: "Same as --augment off.")
    public var noAugment = false

    public init() {}

    /// Bad values are errors when the command line is parsed, whichever base a command applies them to.
    public func validate() throws {
        if noAugment && augment.isGiven { throw FlagError("--no-augment: give --augment MODE or --no-augment, not both") }
        _ = try apply(to: TrainingOptions())
    }

    /// `base` with the given flags applied in declaration order, then validated.
    /// - Throws: `FlagError` naming the first bad flag ("--batch must be at least 1 (got 0)").
    public func apply(to base: TrainingOptions) throws -> TrainingOptions {
        try FlagError.rewording(flag(for:)) {
            var o = base
            for (_, setting) in settings { try setting.apply(to: &o) }
            if noAugment { o.augment = .off }
            try o.validate()
            return o
        }
    }

    /// The options a run starts with: `base` (with the data's default for `--augment`) under the
    /// given flags, or, resuming, the checkpoint's own options with only `--steps` applied.
    public func options(base: TrainingOptions, data: DataSource, resuming checkpoint: Checkpoint.Loaded?) throws -> TrainingOptions {
        if let checkpoint {
            var o = checkpoint.options
            try steps.apply(to: &o)
            return o
        }
        var b = recipe?.options ?? base
        b.augment = data.defaultAugmentation(recipe: b.augment)
        return try apply(to: b)
    }

    /// The flags given that a resumed run ignores: all but `--steps`.
    public var ignoredWhenResuming: [String] {
        givenFlags.filter { $0 != flag(for: \TrainingOptions.steps) }
    }

    /// Every declared option as (flag, setting), given or not, in declaration order. Read by
    /// reflection: the stored properties are the declarations.
    public var settings: [(flag: String, setting: TrainingSetting)] {
        Mirror(reflecting: self).children.compactMap { child in
            guard let label = child.label, let option = child.value as? Option<TrainingSetting> else { return nil }
            return (Self.flag(property: label), option.wrappedValue)
        }
    }

    /// The flags given, as typed (`--batch`, `--no-augment`): what "ignored with --resume" lists.
    public var givenFlags: [String] {
        (recipe == nil ? [] : ["--recipe"]) + settings.filter(\.setting.isGiven).map(\.flag)
            + (noAugment ? ["--no-augment"] : [])
    }

    /// The flag that sets `option` (`\TrainingOptions.learningRate` → `--lr`); nil for none.
    public func flag(for option: AnyKeyPath) -> String? {
        settings.first { $0.setting.field == option }?.flag
    }

    /// The flag of any engine setting a training run (`train`, `open`) has: these options', the
    /// training images' (`--data`) and the run folder's (`--out`, in both commands).
    public func runFlag(for option: AnyKeyPath) -> String? {
        flag(for: option) ?? DataFlags.flag(for: option) ?? (option == \RunFolder.path ? "--out" : nil)
    }

    /// The argument parser's default long name of a property: `_saveEvery` (the wrapper's
    /// storage) → `--save-every`.
    static func flag(property label: String) -> String {
        "--" + label.drop { $0 == "_" }.map { $0.isUppercase ? "-" + $0.lowercased() : String($0) }.joined()
    }
}

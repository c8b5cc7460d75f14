import ArgumentParser
import Commands

/// The training options shared by `train` and `open`; nil when not given, so each command
/// applies its own defaults (`ddpm train`: the course's; the workbench: smaller, see `--help`).
struct TrainingFlags: ParsableArguments {
    @Option(help: ArgumentHelp("Model size: \(CommandHelp.presets) (fixture is 8x8, for tests) (\(CommandHelp.defaults(\.preset))).", valueName: "name"))
    var preset: String?

    @Option(help: ArgumentHelp(
        "Changes to the preset's UNet, comma-separated key=value: dim, mults (1-2-2), res-blocks, attention (16-8 or none), heads, head-dim, groups.",
        valueName: "changes"))
    var model: String?

    @Option(help: ArgumentHelp("Optimizer steps to train (\(CommandHelp.defaults(\.steps))); with --resume, a new total.", valueName: "n"))
    var steps: Int?

    @Option(help: ArgumentHelp("Images per micro-batch (\(CommandHelp.defaults(\.batch))).", valueName: "n"))
    var batch: Int?

    @Option(name: .customLong("lr"), help: ArgumentHelp("Adam learning rate (\(CommandHelp.defaults(\.learningRate))).", valueName: "x"))
    var learningRate: Float?

    @Option(help: ArgumentHelp("Micro-batches accumulated per step (\(CommandHelp.defaults(\.accumulate))).", valueName: "n"))
    var accumulate: Int?

    @Option(name: .customLong("save-every"), help: ArgumentHelp(
        "Checkpoint, sample grid and quality metrics every n steps (\(CommandHelp.defaults(\.saveEvery))).", valueName: "n"))
    var saveEvery: Int?

    @Option(help: ArgumentHelp("Seed of the initialisation, data order and noise (\(CommandHelp.defaults(\.seed))).", valueName: "n"))
    var seed: UInt64?

    @Option(help: ArgumentHelp("Diffusion steps T (\(CommandHelp.defaults(\.timesteps))).", valueName: "T"))
    var timesteps: Int?

    @Option(help: ArgumentHelp("Noise schedule: \(CommandHelp.schedules) (\(CommandHelp.defaults(\.schedule))).", valueName: "kind"))
    var schedule: String?

    @Option(help: ArgumentHelp("What the model predicts: \(CommandHelp.objectives) (\(CommandHelp.defaults(\.objective))).", valueName: "name"))
    var objective: String?

    @Option(help: ArgumentHelp(
        "The course code's mistakes as switches (default: fixed). Syntax: \(CommandHelp.fixesSyntax).", valueName: "fixset"))
    var fixes: String?

    @Option(name: .customLong("ema-decay"), help: ArgumentHelp("EMA decay of the sampling weights (\(CommandHelp.defaults(\.emaDecay))).", valueName: "x"))
    var emaDecay: Float?

    @Option(help: ArgumentHelp("Gradient-norm clipping threshold (\(CommandHelp.defaults(\.clip))).", valueName: "x"))
    var clip: Float?

    @Option(help: ArgumentHelp("Images in each milestone sample grid (\(CommandHelp.defaults(\.samples))).", valueName: "n"))
    var samples: Int?

    @Option(name: .customLong("sample-steps"), help: ArgumentHelp(
        "DDIM steps for milestone grids; 0 = full DDPM with T steps (\(CommandHelp.defaults(\.sampleSteps))).", valueName: "n"))
    var sampleSteps: Int?

    @Flag(inversion: .prefixedNo, help: ArgumentHelp(
        "Random crops and horizontal flips (default: on for --data folders, as in the course; off for the built-in faces, which are centred icons)."))
    var augment: Bool?

    var overrides: TrainingOverrides {
        var o = TrainingOverrides()
        o.preset = preset
        o.model = model
        o.steps = steps
        o.batch = batch
        o.learningRate = learningRate
        o.accumulate = accumulate
        o.saveEvery = saveEvery
        o.seed = seed
        o.timesteps = timesteps
        o.schedule = schedule
        o.objective = objective
        o.fixes = fixes
        o.emaDecay = emaDecay
        o.clip = clip
        o.samples = samples
        o.sampleSteps = sampleSteps
        o.augment = augment
        return o
    }
}

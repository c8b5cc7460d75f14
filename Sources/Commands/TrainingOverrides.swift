import DiffusionEngine
import Workbench

/// The training flags a user typed (`--preset`, `--steps`, `--lr`, ...): nil for flags not given.
///
/// Applied on top of a base (`TrainingOptions()` for `ddpm train`, `TrainingOptions.interactive`
/// for the workbench), so each entry point keeps its own defaults and `--help` can name them.
public struct TrainingOverrides: Equatable, Sendable {
    public var preset: String?
    /// `--model key=value,...` changes to the preset's UNet.
    public var model: String?
    public var steps: Int?
    public var batch: Int?
    public var learningRate: Float?
    public var accumulate: Int?
    public var saveEvery: Int?
    public var seed: UInt64?
    public var timesteps: Int?
    public var schedule: String?
    public var objective: String?
    public var fixes: String?
    public var emaDecay: Float?
    public var clip: Float?
    public var samples: Int?
    public var sampleSteps: Int?
    /// `--augment`/`--no-augment`; nil: the data source's default (`DataSource.augmentsByDefault`).
    public var augment: Bool?

    public init() {}

    /// The options `base` becomes with these flags.
    /// - Throws: `FlagError`/`EngineError` naming the first bad flag.
    public func apply(to base: TrainingOptions) throws -> TrainingOptions {
        var o = base
        if let preset {
            o.model = try FlagValues.preset(preset)
            o.preset = preset.lowercased()
        }
        if let model { o.model = try FlagValues.model(model, base: o.model) }
        if let steps { o.steps = steps }
        if let batch { o.batchSize = batch }
        if let learningRate { o.learningRate = learningRate }
        if let accumulate { o.accumulate = accumulate }
        if let saveEvery { o.saveEvery = saveEvery }
        if let seed { o.seed = seed }
        if let timesteps { o.timesteps = timesteps }
        if let schedule { o.schedule = try FlagValues.schedule(schedule) }
        if let objective { o.objective = try FlagValues.objective(objective) }
        if let fixes { o.fixes = try FlagValues.fixes(fixes, base: base.fixes) }
        if let emaDecay { o.emaDecay = emaDecay }
        if let clip { o.maxGradNorm = clip }
        if let samples { o.sampleCount = samples }
        if let sampleSteps {
            guard sampleSteps >= 0 else { throw FlagError("--sample-steps \(sampleSteps): use 0 (full DDPM) or a positive DDIM step count") }
            o.milestoneSamplingSteps = sampleSteps
        }
        if let augment { o.augment = augment }
        try o.validate()
        return o
    }

    /// The flags that were given, as `--name` (for "ignored with --resume" warnings).
    public var givenFlags: [String] {
        var f: [String] = []
        if preset != nil { f.append("--preset") }
        if model != nil { f.append("--model") }
        if batch != nil { f.append("--batch") }
        if learningRate != nil { f.append("--lr") }
        if accumulate != nil { f.append("--accumulate") }
        if saveEvery != nil { f.append("--save-every") }
        if seed != nil { f.append("--seed") }
        if timesteps != nil { f.append("--timesteps") }
        if schedule != nil { f.append("--schedule") }
        if objective != nil { f.append("--objective") }
        if fixes != nil { f.append("--fixes") }
        if emaDecay != nil { f.append("--ema-decay") }
        if clip != nil { f.append("--clip") }
        if samples != nil { f.append("--samples") }
        if sampleSteps != nil { f.append("--sample-steps") }
        if let augment { f.append(augment ? "--augment" : "--no-augment") }
        if steps != nil { f.append("--steps") }
        return f
    }
}

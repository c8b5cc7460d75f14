import DiffusionEngine
import ImageIO

/// The facts `--help` states (defaults, choices, the credit), taken from the engine so the help
/// text cannot drift from what the commands do.
public enum CommandHelp {
    /// Training defaults in the plain types the argument parser prints.
    public struct TrainingDefaults: Sendable {
        public let preset: String
        public let steps: Int
        public let batch: Int
        public let learningRate: Float
        public let accumulate: Int
        public let saveEvery: Int
        public let seed: UInt64
        public let timesteps: Int
        public let schedule: String
        public let objective: String
        public let fixes: String
        public let emaDecay: Float
        public let clip: Float
        public let samples: Int
        public let sampleSteps: Int

        init(_ o: TrainingOptions) {
            preset = o.preset
            steps = o.steps
            batch = o.batchSize
            learningRate = o.learningRate
            accumulate = o.accumulate
            saveEvery = o.saveEvery
            seed = o.seed
            timesteps = o.timesteps
            schedule = o.schedule.rawValue
            objective = o.objective.rawValue
            fixes = o.fixes.shortDescription
            emaDecay = o.emaDecay
            clip = o.maxGradNorm
            samples = o.sampleCount
            sampleSteps = o.milestoneSamplingSteps
        }
    }

    /// `ddpm train`'s defaults (the course's: `TrainingOptions()` with the tiny preset).
    public static let train = TrainingDefaults(TrainingOptions())
    /// The workbench's defaults (`TrainingOptions.interactive`).
    public static let workbench = TrainingDefaults(.interactive)

    /// "default: 32" or, when the workbench differs, "default: 32; workbench: 16".
    public static func defaults<T: Equatable>(_ key: KeyPath<TrainingDefaults, T>) -> String {
        let a = train[keyPath: key], b = workbench[keyPath: key]
        return a == b ? "default: \(a)" : "default: \(a); workbench: \(b)"
    }

    /// "tiny, course, fixture".
    public static var presets: String { FlagValues.presetNames.joined(separator: ", ") }
    /// "linear, cosine, quadratic, sigmoid".
    public static var schedules: String { ScheduleKind.allCases.map(\.rawValue).joined(separator: ", ") }
    /// "epsilon, x0, v".
    public static var objectives: String { Objective.allCases.map(\.rawValue).joined(separator: ", ") }

    /// The `--fixes` syntax: presets and every switch with its choices (first = fixed).
    public static var fixesSyntax: String {
        "comma-separated key=value items over the checkpoint's or default set; a preset name (fixed, course) replaces the whole set. Keys: "
            + FixSwitch.allCases.map { "\($0.key)=\($0.choiceTokens.joined(separator: "|"))" }.joined(separator: ", ")
    }

    /// The default run folder's pattern.
    public static let runFolderPattern = "runs/<yyyyMMdd-HHmmss>"

    /// The built-in dataset's attribution.
    public static var credit: String { BuiltinFaces.credit }

    /// "ddpm train --resume …" (for help discussions).
    public static let resumeHint = "ddpm train --resume <run>/checkpoint.safetensors [--data DIR] [--steps N]"
}

import DiffusionEngine
import ImageIO

/// The facts `--help` states (defaults, choices, the credit), taken from the engine so the help
/// text cannot drift from what the commands do.
public enum CommandHelp {
    /// "default: 32" or, when the workbench differs, "default: 32; workbench: 16": a training
    /// option's value in `ddpm train`'s base (`TrainingOptions()`, the course's) and in the
    /// workbench's (`TrainingOptions.interactive`), printed by `shown`.
    public static func defaults<T: Equatable>(_ field: KeyPath<TrainingOptions, T>, shown: (T) -> String = { "\($0)" }) -> String {
        let a = TrainingOptions()[keyPath: field], b = TrainingOptions.interactive[keyPath: field]
        return a == b ? "default: \(shown(a))" : "default: \(shown(a)); workbench: \(shown(b))"
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

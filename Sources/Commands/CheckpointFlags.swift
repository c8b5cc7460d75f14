import ArgumentParser
import DiffusionEngine

/// The checkpoint `sample`, `visualize`, `compare` and `render` read.
public struct CheckpointFlag: ParsableArguments {
    @Option(help: ArgumentHelp("A checkpoint written by ddpm train or the workbench.", valueName: "file"))
    public var checkpoint: String

    public init() {}

    /// A missing file is an error before any work; `Checkpoint.load` checks the rest of it.
    public func validate() throws {
        try Checkpoint.requireFile(path: checkpoint)
    }
}

/// `--fixes` over a checkpoint's own fix set (sample, visualize, render).
public struct FixesFlag: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Fix switches over the checkpoint's own set, e.g. t0=xrecon or course (default: as trained).", valueName: "fixset"))
    public var fixes: String?

    public init() {}

    /// The syntax is checked now (keys and values mean the same over any set); the set it applies
    /// to is the checkpoint's, when it is opened.
    public func validate() throws {
        if let fixes { _ = try FlagValues.fixes(fixes) }
    }
}

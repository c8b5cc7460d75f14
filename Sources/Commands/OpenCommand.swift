import DiffusionEngine
import Foundation
import TerminalUI
import Workbench

/// `ddpm` with no subcommand (`ddpm open`): the interactive workbench.
///
/// Builds the `AppLaunch` that `WorkbenchApp.run` takes: `TrainingOptions.interactive` with the
/// training flags applied, the data source, the run folder, and a checkpoint to resume
/// (or, with `view`, to open for viewing only), loaded once here.
public struct OpenCommand: Sendable {
    public var data: String?
    public var className: String?
    public var checkpoint: String?
    public var view = false
    public var theme: String?
    public var out: String?
    public var overrides = TrainingOverrides()

    public init() {}

    /// The launch description; checks every flag first.
    /// - Throws: `FlagError`/`EngineError` with a one-line message.
    public func launch() throws -> AppLaunch {
        if className != nil && data == nil {
            throw FlagError("--class: needs --data DIR (the built-in faces have no class folders)")
        }
        if view && checkpoint == nil { throw FlagError("--view: needs --checkpoint FILE to view") }
        if let theme, Theme.named(theme) == nil, !FileManager.default.fileExists(atPath: theme) {
            throw FlagError("--theme: unknown theme '\(theme)'; choose \(Theme.builtinNames.joined(separator: ", ")) or the path of a .theme file")
        }
        var options: TrainingOptions
        var loaded: Checkpoint.Loaded?
        if let checkpoint {
            // Resuming or viewing: the checkpoint's options (validated on load), --steps may extend them.
            let c = try Checkpoint.load(path: checkpoint)
            options = c.options
            if let s = overrides.steps { options.steps = s }
            loaded = c
        } else {
            var base = TrainingOptions.interactive
            base.augment = DataSource(folder: data, className: className).augmentsByDefault
            options = try overrides.apply(to: base)
        }
        let folder = out ?? checkpoint.map(FlagValues.folder(of:)) ?? FlagValues.defaultRunFolder()
        if checkpoint == nil { try FlagValues.checkFreshRunFolder(folder, resumeFlag: "--checkpoint") }
        return AppLaunch(
            options: options, data: DataSource(folder: data, className: className), out: folder,
            checkpoint: loaded, viewOnly: view, theme: theme)
    }

    /// Launches the workbench; returns its exit code.
    public func run(console: Console) throws -> Int32 {
        let l = try launch()
        if checkpoint != nil {
            let ignored = overrides.givenFlags.filter { $0 != "--steps" }
            if !ignored.isEmpty {
                console.warn("\(ignored.joined(separator: ", ")) ignored with --checkpoint: the checkpoint's options are used")
            }
        }
        return try WorkbenchApp.run(l)
    }
}

import ArgumentParser
import DiffusionEngine
import Foundation
import Workbench

/// `ddpm watch DIR`: the workbench on a run folder that another process writes.
public struct WatchCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Open the workbench on a run folder another process writes (also: ddpm --watch DIR).",
        discussion: """
            The writer can be the PyTorch trainer under torchrun (reference/train.py), a folder synced \
            from a GPU machine (rsync, sshfs, NFS) or a headless 'ddpm train'. Train follows \
            metrics.jsonl as it grows and shows the newest milestone grid; Denoise and Compare run on \
            the newest checkpoint and start over when the writer replaces it. Nothing is written to \
            the folder; q closes the window and the writer goes on. The header names the writer \
            (ddpm or PyTorch, world size, device) and how long ago it last wrote.
              ddpm watch runs/cats
              torchrun --nproc_per_node=2 reference/train.py --out runs/ddp & ddpm watch runs/ddp
            """)

    @Argument(help: ArgumentHelp("The run folder (the one holding metrics.jsonl and checkpoint.safetensors).", valueName: "dir"))
    public var folder: String

    @OptionGroup public var display: ThemeFlag

    public init() {}

    public func validate() throws { try Self.checkFolder(folder, flag: "watch") }

    /// A run folder to watch must exist (it may still be empty: the writer may not have started).
    static func checkFolder(_ path: String, flag: String) throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else {
            throw FlagError("\(flag) \(path): no such folder; pass the run folder the writer's --out names")
        }
    }

    public func launch() -> AppLaunch {
        AppLaunch(options: .interactive, data: .builtin, out: folder, checkpoint: nil, viewOnly: true,
                  theme: display.theme, watch: folder)
    }

    public func run() throws {
        let code = try WorkbenchApp.run(launch())
        if code != 0 { throw ExitCode(code) }
    }
}

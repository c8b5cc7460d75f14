import ArgumentParser
import DiffusionEngine
import Workbench

/// Where training images come from (train, open, visualize, compare).
public struct DataFlags: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "A folder of PNG/JPEG images, searched recursively (default: the 51 built-in animal faces).",
        valueName: "dir"))
    public var data: String?

    @Option(name: .customLong("class"), help: ArgumentHelp(
        "Keep only images below a sub-folder with this name (the course's data_class: cat, dog, wild); needs --data.",
        valueName: "name"))
    public var className: String?

    public init() {}

    public func validate() throws {
        if className != nil && data == nil {
            throw FlagError("--class: needs --data DIR (the built-in faces have no class folders)")
        }
    }

    /// The images these flags pick.
    public var source: DataSource { DataSource(folder: data, className: className) }

    /// The flag of the engine setting these flags choose: the training images (`\Trainer.dataset`,
    /// e.g. a resumed checkpoint's) are `--data`.
    public static func flag(for option: AnyKeyPath) -> String? {
        option == \Trainer.dataset ? "--data" : nil
    }
}

import ArgumentParser
import Foundation
import TerminalUI

/// The workbench's colour theme (open, watch).
public struct ThemeFlag: ParsableArguments {
    @Option(help: ArgumentHelp("Colour theme: default, light, high-contrast, or the path of a .theme file (default: default).", valueName: "name"))
    public var theme: String?

    public init() {}

    public func validate() throws {
        if let theme, Theme.named(theme) == nil, !FileManager.default.fileExists(atPath: theme) {
            throw FlagError("--theme: unknown theme '\(theme)'; choose \(Theme.builtinNames.joined(separator: ", ")) or the path of a .theme file")
        }
    }
}

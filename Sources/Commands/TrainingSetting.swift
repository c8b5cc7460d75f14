import ArgumentParser
import DiffusionEngine

/// A training flag's value, bound to the `TrainingOptions` field it sets.
///
/// Every training option is one declaration in `TrainingFlags`, made with the `Option`
/// initialisers below: the property's name is the flag (the argument parser's default long name),
/// the field gives the help its defaults (`ddpm train`'s and the workbench's), and parsing binds
/// the typed value to the field. So `TrainingFlags` applies, lists ("ignored with --resume") and
/// names (an engine error about `batchSize` says `--batch`) every option without a second list.
public struct TrainingSetting {
    /// The field the flag sets (`\TrainingOptions.batchSize`).
    public let field: PartialKeyPath<TrainingOptions>
    /// The value as typed; nil when the flag was not given.
    public let text: String?
    private let write: (inout TrainingOptions) throws -> Void

    /// A flag not given: it names its field and changes nothing.
    init(field: PartialKeyPath<TrainingOptions>) {
        self.field = field
        text = nil
        write = { _ in }
    }

    init(field: PartialKeyPath<TrainingOptions>, text: String, write: @escaping (inout TrainingOptions) throws -> Void) {
        self.field = field
        self.text = text
        self.write = write
    }

    public var isGiven: Bool { text != nil }

    /// Writes the value onto `options`; nothing when the flag was not given.
    /// - Throws: `FlagError` for words the field cannot take (an unknown preset, a bad fix set).
    public func apply(to options: inout TrainingOptions) throws { try write(&options) }

    /// "Images per micro-batch (default: 32; workbench: 16)." — `shown` nil leaves the defaults out.
    static func help<T: Equatable>(_ abstract: String, _ field: KeyPath<TrainingOptions, T>, shown: ((T) -> String)?,
                                   more: String, valueName: String) -> ArgumentHelp {
        let defaults = shown.map { " (\(CommandHelp.defaults(field, shown: $0)))" } ?? ""
        return ArgumentHelp(abstract + defaults + more + ".", valueName: valueName)
    }

    /// A number flag given something else: the argument parser prints "The value 'abc' is invalid
    /// for '--steps <n>': expected a whole number".
    struct NotANumber: Error, CustomStringConvertible {
        let type: Any.Type
        var description: String {
            type is any UnsignedInteger.Type ? "expected a whole number, 0 or more"
                : type is any BinaryInteger.Type ? "expected a whole number" : "expected a number"
        }
    }
}

extension Option where Value == TrainingSetting {
    /// A training flag whose number is stored in `field` as typed. Values may be negative
    /// (`--lr -1` is read as a value and refused by `TrainingOptions.validate`, naming `--lr`).
    /// - Parameters:
    ///   - abstract: the help's first words; "(default: …)" follows, with the workbench's when it differs.
    ///   - more: help after the defaults ("; when resuming, a new total").
    init<T: ExpressibleByArgument & Equatable>(_ abstract: String, sets field: WritableKeyPath<TrainingOptions, T>,
                                               valueName: String, more: String = "") {
        self.init(
            wrappedValue: TrainingSetting(field: field), parsing: .unconditional,
            help: TrainingSetting.help(abstract, field, shown: { "\($0)" }, more: more, valueName: valueName)
        ) { text in
            guard let value = T(argument: text) else { throw TrainingSetting.NotANumber(type: T.self) }
            return TrainingSetting(field: field, text: text) { $0[keyPath: field] = value }
        }
    }

    /// A training flag whose words `apply` turns into a change of the options; it runs after the
    /// flags declared before it (`--model` changes the `--preset`'s UNet) and names the flag in its
    /// errors. `shown` prints the field's defaults in the help; nil leaves them out.
    init<T: Equatable>(_ abstract: String, sets field: WritableKeyPath<TrainingOptions, T>, valueName: String,
                       shown: ((T) -> String)?, more: String = "",
                       apply: @escaping @Sendable (String, inout TrainingOptions) throws -> Void) {
        self.init(
            wrappedValue: TrainingSetting(field: field),
            help: TrainingSetting.help(abstract, field, shown: shown, more: more, valueName: valueName)
        ) { text in
            TrainingSetting(field: field, text: text) { try apply(text, &$0) }
        }
    }
}

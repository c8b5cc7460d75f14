/// A user-facing engine failure: one line naming the thing and what to do.
///
/// Programmer mistakes (wrong shapes between layers) are `precondition`s with the shapes in the
/// message; everything a user can cause (a broken checkpoint, an empty folder, a bad option value)
/// is an `EngineError`.
///
/// The engine names its settings in its own words ("batch size must be at least 1"), never by a
/// front end's controls: an error about one setting carries it as `option` (a key path such as
/// `\TrainingOptions.batchSize`), and a front end that has its own name for that setting (the
/// command line's `--batch`) words the same sentence with it through `message(naming:)`.
///
/// `@unchecked Sendable`: `AnyKeyPath` is an immutable value the standard library does not mark
/// `Sendable`; the other fields are strings.
public struct EngineError: Error, CustomStringConvertible, Equatable, @unchecked Sendable {
    public let message: String
    /// The setting the error is about (`\TrainingOptions.batchSize`), nil when it is about none.
    public let option: AnyKeyPath?
    /// `message` with `Self.slot` where it names the setting.
    private let template: String?

    public init(_ message: String) {
        self.message = message
        option = nil
        template = nil
    }

    /// An error about one setting: `sentence` words it around the setting's name, which is `name`
    /// here ("batch size") and a front end's own name in `message(naming:)`.
    public init(about option: AnyKeyPath, named name: String, _ sentence: (String) -> String) {
        message = sentence(name)
        self.option = option
        template = sentence(Self.slot)
    }

    /// The message with the setting called `name` (a flag, a menu label); `message` when the error
    /// is about no setting.
    public func message(naming name: String) -> String {
        template?.replacingOccurrences(of: Self.slot, with: name) ?? message
    }

    public var description: String { message }

    /// Stands for the setting's name in `template` (U+FFFC, a character no message contains).
    private static let slot = "\u{FFFC}"
}

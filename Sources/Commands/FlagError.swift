import DiffusionEngine

/// A bad command-line value: one line naming the flag, what was wrong and what to do
/// ("--preset: unknown preset 'huge'; choose tiny, course (or fixture, for tests)").
///
/// Thrown from `validate()` (and from `run`), so the argument parser prints it as `Error: …` with
/// exit code 1 and no usage block.
public struct FlagError: Error, CustomStringConvertible, Equatable, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }

    /// An engine error in the command line's words: the setting it is about (`EngineError.option`)
    /// called by its flag when `flag` knows one ("batch size must be …" → "--batch must be …").
    public init(_ error: EngineError, flag: (AnyKeyPath) -> String?) {
        self.init(error.option.flatMap(flag).map(error.message(naming:)) ?? error.message)
    }

    /// Runs `body`; an `EngineError` it throws comes out as a `FlagError` worded with `flag`.
    public static func rewording<T>(_ flag: (AnyKeyPath) -> String?, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let e as EngineError {
            throw FlagError(e, flag: flag)
        }
    }
}

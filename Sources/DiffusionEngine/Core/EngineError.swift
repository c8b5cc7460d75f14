/// A user-facing engine failure: one line naming the thing and what to do.
///
/// Programmer mistakes (wrong shapes between layers) are `precondition`s with the shapes in the
/// message; everything a user can cause (a broken checkpoint, an empty folder, a bad flag value)
/// is an `EngineError`.
public struct EngineError: Error, CustomStringConvertible, Equatable, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A terminal that cannot be used (not a tty, unknown TERM, …), with what to do about it.
public struct TerminalError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A failure a user can cause (a bad file, a missing folder): one line naming the file and why.
///
/// `description` is `"<file>: <reason>"`, ready for a warning list or the terminal.
public struct ImageError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file or folder the error is about (as the caller named it).
    public let file: String
    /// Why it failed and, where it helps, what to do.
    public let reason: String

    public init(file: String, reason: String) {
        self.file = file
        self.reason = reason
    }

    public var description: String { "\(file): \(reason)" }
}

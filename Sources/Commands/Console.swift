import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where the headless commands write: stdout for results, stderr for warnings, and (on a
/// terminal) one progress line that is rewritten in place with `\r`.
///
/// A capturing console keeps everything in memory instead, so tests can read what a command
/// printed. Writes to the real streams are flushed at once: a user tailing a log, or a parent
/// process reading a pipe, sees each line as it is made.
public final class Console: @unchecked Sendable {
    /// True when stdout is a terminal: progress lines are shown, plain logging is thinned out.
    public let isTerminal: Bool
    /// Terminal width in columns (80 when unknown).
    public let columns: Int
    /// The environment (for colour and glyph detection).
    public let environment: [String: String]
    private let capture: Bool
    private let lock = NSLock()
    private var progressShowing = false
    private var outText = ""
    private var errText = ""

    /// The process's own stdout/stderr.
    public static func standard() -> Console {
        let env = ProcessInfo.processInfo.environment
        return Console(isTerminal: isatty(1) == 1, columns: terminalColumns(environment: env), environment: env, capture: false)
    }

    /// A console that records output in memory (`capturedOutput`, `capturedErrors`).
    public static func capturing(isTerminal: Bool = false, columns: Int = 80, environment: [String: String] = [:]) -> Console {
        Console(isTerminal: isTerminal, columns: columns, environment: environment, capture: true)
    }

    init(isTerminal: Bool, columns: Int, environment: [String: String], capture: Bool) {
        self.isTerminal = isTerminal
        self.columns = columns
        self.environment = environment
        self.capture = capture
    }

    /// Everything written to stdout so far (capturing consoles only).
    public var capturedOutput: String { lock.lock(); defer { lock.unlock() }; return outText }
    /// Everything written to stderr so far (capturing consoles only).
    public var capturedErrors: String { lock.lock(); defer { lock.unlock() }; return errText }

    /// One line on stdout (clears a progress line first).
    public func line(_ text: String) {
        lock.lock(); defer { lock.unlock() }
        clearProgressLocked()
        emit(text + "\n", toError: false)
    }

    /// Text on stdout as is (no newline added).
    public func write(_ text: String) {
        lock.lock(); defer { lock.unlock() }
        clearProgressLocked()
        emit(text, toError: false)
    }

    /// A plain line on stderr (notes that must stay out of a CSV on stdout).
    public func note(_ text: String) {
        lock.lock(); defer { lock.unlock() }
        clearProgressLocked()
        emit(text + "\n", toError: true)
    }

    /// A warning on stderr, prefixed with "warning: ".
    public func warn(_ text: String) {
        lock.lock(); defer { lock.unlock() }
        clearProgressLocked()
        emit("warning: " + text + "\n", toError: true)
    }

    /// An error on stderr, prefixed with "error: ".
    public func error(_ text: String) {
        lock.lock(); defer { lock.unlock() }
        clearProgressLocked()
        emit("error: " + text + "\n", toError: true)
    }

    /// Shows `text` as the progress line (terminal only; ignored otherwise). The text is cut to
    /// the terminal width so the `\r` rewrite never wraps.
    public func progress(_ text: String) {
        guard isTerminal else { return }
        lock.lock(); defer { lock.unlock() }
        let fitted = text.count < columns ? text : String(text.prefix(max(0, columns - 1)))
        emit("\r" + fitted + "\u{1B}[K", toError: false)
        progressShowing = true
    }

    /// Removes the progress line, if one is showing.
    public func endProgress() {
        lock.lock(); defer { lock.unlock() }
        clearProgressLocked()
    }

    private func clearProgressLocked() {
        guard progressShowing else { return }
        progressShowing = false
        emit("\r\u{1B}[K", toError: false)
    }

    private func emit(_ text: String, toError: Bool) {
        if capture {
            if toError { errText += text } else { outText += text }
            return
        }
        let stream = toError ? stderr : stdout
        fputs(text, stream)
        fflush(stream)
    }

    /// The terminal's width: TIOCGWINSZ on stdout, else `$COLUMNS`, else 80.
    public static func terminalColumns(environment: [String: String]) -> Int {
        var ws = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 0 { return Int(ws.ws_col) }
        if let c = environment["COLUMNS"].flatMap(Int.init), c > 0 { return c }
        return 80
    }
}

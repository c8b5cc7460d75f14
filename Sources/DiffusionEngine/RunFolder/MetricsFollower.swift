import Foundation

/// Follows a `metrics.jsonl` that another process appends to: each `poll()` reads only the bytes
/// added since the last one, returns the complete new lines, and keeps a partial last line until
/// its newline arrives. A file that shrank or was replaced (another inode: a new run, a re-synced
/// copy) is read again from the start and reported as a restart.
public final class MetricsFollower {
    public let path: String
    private var offset: UInt64 = 0
    private var pending = Data()
    private var identity: FileIdentity?

    /// What one poll found.
    public enum Poll: Equatable, Sendable {
        /// No file yet (a run that has not started writing).
        case missing
        /// New complete lines (possibly none) appended since the last poll.
        case appended([MetricsLine])
        /// The file was replaced or truncated: these are all of its lines, from the start.
        case restarted([MetricsLine])
    }

    public init(path: String) { self.path = path }

    /// Reads what is new. Never throws: an unreadable file reads as missing until it is readable.
    public func poll() -> Poll {
        guard let id = FileIdentity(path: path) else { return .missing }
        var restarted = false
        if let old = identity, old.inode != id.inode || old.device != id.device || id.size < offset {
            offset = 0
            pending = Data()
            restarted = true
        }
        identity = id
        guard id.size > offset, let handle = FileHandle(forReadingAtPath: path) else {
            return restarted ? .restarted([]) : .appended([])
        }
        defer { try? handle.close() }
        handle.seek(toFileOffset: offset)
        let data = handle.readDataToEndOfFile()
        offset += UInt64(data.count)
        pending.append(data)
        var lines: [MetricsLine] = []
        // Walk the lines in place and keep the partial tail once: copying what is left after
        // every line made reading a long run's file (100,000 lines) quadratic.
        var start = pending.startIndex
        while let nl = pending[start...].firstIndex(of: 0x0A) {
            let raw = pending[start..<nl]
            start = nl + 1
            if let text = String(data: raw, encoding: .utf8), let line = MetricsLine(json: Substring(text)) {
                lines.append(line)
            }
        }
        pending = Data(pending[start...])
        return restarted ? .restarted(lines) : .appended(lines)
    }
}

/// Which file a path names now, and how big it is (`stat`).
public struct FileIdentity: Equatable, Sendable {
    public var device: UInt64
    public var inode: UInt64
    public var size: UInt64
    /// Modification time, nanoseconds since the epoch.
    public var modified: Int64

    public init?(path: String) {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
        size = UInt64(st.st_size)
        modified = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
    }
}

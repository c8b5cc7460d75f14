#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `write(2)`, named apart from `Writer.write`, which would otherwise shadow it.
private func posixWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { write(fd, p, n) }

/// Replaces a file atomically: readers see the old contents or the new, never a torn mix.
///
/// The bytes go to a temporary file in the target's directory (the same file system, so the
/// final `rename` is atomic), which is `fsync`ed, renamed over the target, and then the
/// directory is `fsync`ed so the rename itself survives a crash. If anything fails before the
/// rename, the temporary file is removed and the old target is untouched.
///
/// Checkpoints, sample grids and metrics snapshots all go through here.
public enum AtomicFile {
    /// Writes `bytes` to `path` atomically.
    /// - Throws: `EngineError` naming the path and the system's reason.
    public static func write(path: String, bytes: [UInt8]) throws {
        try write(path: path) { out in try out.write(bytes) }
    }

    /// Streams a file into place atomically: `body` writes the contents through the `Writer`.
    ///
    /// Large files (checkpoints) are written piece by piece without building one big buffer.
    /// If `body` throws, the partial temporary file is removed, the target keeps its old
    /// contents, and the error is rethrown.
    public static func write(path: String, _ body: (inout Writer) throws -> Void) throws {
        let (dir, base) = split(path)
        guard !base.isEmpty else { throw EngineError("cannot write \(path): the path names a directory") }
        let temp = "\(dir)/.\(base).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("cannot create a temporary file in \(dir) to write \(path)") }
        var writer = Writer(fd: fd, path: path)
        do {
            try body(&writer)
            guard fsync(fd) == 0 else { throw failure("cannot flush \(path) to disk") }
        } catch {
            close(fd)
            unlink(temp)
            throw error
        }
        guard close(fd) == 0 else {
            let e = failure("cannot finish writing \(path)")
            unlink(temp)
            throw e
        }
        guard rename(temp, path) == 0 else {
            let e = failure("cannot move the new \(path) into place")
            unlink(temp)
            throw e
        }
        // Best effort: some file systems refuse fsync on a directory (EINVAL); the data is already
        // safe in the renamed file, only the rename's durability across a power cut is at stake.
        let dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            _ = fsync(dfd)
            close(dfd)
        }
    }

    /// The sink handed to `write(path:_:)`'s body: appends bytes to the temporary file.
    public struct Writer {
        let fd: Int32
        let path: String
        /// Bytes written so far.
        public private(set) var count = 0

        /// Appends raw bytes (retries short writes and interruptions).
        public mutating func write(_ buffer: UnsafeRawBufferPointer) throws {
            guard var p = buffer.baseAddress else { return }
            var left = buffer.count
            while left > 0 {
                let n = posixWrite(fd, p, min(left, 1 << 30))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw AtomicFile.failure("cannot write \(path) (after \(count) bytes)")
                }
                p += n
                left -= n
                count += n
            }
        }

        /// Appends a byte array.
        public mutating func write(_ bytes: [UInt8]) throws {
            try bytes.withUnsafeBytes { try write($0) }
        }
    }

    /// (directory, last component) of a path; the directory is "." for a bare file name.
    static func split(_ path: String) -> (String, String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let dir = String(path[..<slash])
        return (dir.isEmpty ? "/" : dir, String(path[path.index(after: slash)...]))
    }

    /// An `EngineError` with the current `errno` explained.
    static func failure(_ what: String) -> EngineError {
        EngineError("\(what): \(String(cString: strerror(errno)))")
    }
}

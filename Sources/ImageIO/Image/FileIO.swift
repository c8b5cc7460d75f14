import Foundation

/// Whole-file reads and atomic writes with errno-precise messages.
///
/// Foundation's `FileManager.contents(atPath:)` answers nil without a reason; these say
/// "No such file or directory" or "Permission denied", which is what a user needs.
public enum FileIO {
    /// Largest file `readAll` accepts (an image file this big is a mistake, not a dataset item).
    public static let maxReadBytes = 1 << 30

    /// Reads a whole file.
    ///
    /// - Throws: `ImageError` naming the file and the system's reason.
    public static func readAll(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ImageError(file: path, reason: systemReason("cannot open")) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw ImageError(file: path, reason: systemReason("cannot stat")) }
        if (info.st_mode & S_IFMT) == S_IFDIR { throw ImageError(file: path, reason: "is a folder, not a file") }
        let size = Int(info.st_size)
        guard size <= maxReadBytes else {
            throw ImageError(file: path, reason: "is \(size) bytes; files over \(maxReadBytes) bytes are refused")
        }
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        while done < size {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + done, size - done) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ImageError(file: path, reason: systemReason("read failed"))
            }
            if n == 0 { break }  // shrank while reading
            done += n
        }
        return done == size ? bytes : Array(bytes[0..<done])
    }

    /// Writes `bytes` so that `path` holds either the old content or the new, never a mix.
    ///
    /// Writes a temporary file beside `path`, fsyncs it, renames it over `path`, then fsyncs the
    /// folder so the rename itself survives a crash.
    ///
    /// - Throws: `ImageError` naming the file and the system's reason; the temporary is removed.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let temp = folder + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ImageError(file: path, reason: systemReason("cannot create \(temp)")) }
        var ok = false
        defer { if !ok { unlink(temp) } }
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, bytes.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                let reason = systemReason("write failed")
                close(fd)
                throw ImageError(file: path, reason: reason)
            }
            done += n
        }
        guard fsync(fd) == 0 else {
            let reason = systemReason("fsync failed")
            close(fd)
            throw ImageError(file: path, reason: reason)
        }
        guard close(fd) == 0 else { throw ImageError(file: path, reason: systemReason("close failed")) }
        guard rename(temp, path) == 0 else { throw ImageError(file: path, reason: systemReason("rename failed")) }
        ok = true
        let dir = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dir >= 0 { _ = fsync(dir); close(dir) }  // best effort: some filesystems refuse
    }

    /// "<what>: <strerror(errno)>".
    static func systemReason(_ what: String) -> String {
        "\(what): \(String(cString: strerror(errno)))"
    }
}

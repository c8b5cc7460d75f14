/// Notices when a run folder's checkpoint is replaced by its writer and loads the new one.
///
/// A writer following docs/run-folder.md renames a finished file into place, so a read sees the
/// old checkpoint or the new one, whole. Copies that are not atomic (`cp`, `rsync --inplace`, a
/// slow network file system) can show a half-written file: its load fails, the watcher reports it
/// once and tries again when the file changes (size, time or inode), keeping the last good one.
/// `poll()` reads the file on the caller's thread; the workbench calls it off the UI thread.
public final class CheckpointWatcher {
    public let path: String
    private var loaded: FileIdentity?
    private var failed: FileIdentity?

    /// What one poll found.
    public enum Poll {
        /// No checkpoint yet (and none loaded before).
        case missing
        /// The file is the one loaded last, or the one that failed last.
        case unchanged
        /// A new checkpoint, whole and valid.
        case loaded(Checkpoint.Loaded)
        /// The file changed but does not load (mid-copy or damaged): the message says why.
        case failed(String)
    }

    public init(path: String) { self.path = path }

    public func poll() -> Poll {
        guard let id = FileIdentity(path: path) else { return loaded == nil ? .missing : .unchanged }
        if id == loaded || id == failed { return .unchanged }
        do {
            let c = try Checkpoint.load(path: path)
            // Replaced again while it was read: take it at the next poll instead.
            guard FileIdentity(path: path) == id else { return .unchanged }
            loaded = id
            failed = nil
            return .loaded(c)
        } catch {
            failed = id
            return .failed("\(error)")
        }
    }
}

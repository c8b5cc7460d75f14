import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Turns SIGINT and SIGTERM into a request to stop, so a training loop can finish its step, save,
/// and exit cleanly instead of dying mid-write. A second signal while a stop is pending restores
/// the default action, so a user who presses Ctrl-C twice still gets out.
public enum StopSignal {
    static let requested = Atomic<Int32>(0)

    /// Installs the handlers (idempotent).
    public static func install() {
        signal(SIGINT, stopHandler)
        signal(SIGTERM, stopHandler)
        // A process can inherit SIGINT/SIGTERM blocked (a parent's thread mask survives exec); then
        // Ctrl-C would be silently ignored for the whole run. Unblock them for this thread, which
        // every thread started afterwards inherits.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// The signal that asked to stop (SIGINT or SIGTERM), or nil.
    public static var pending: Int32? {
        let s = requested.load(ordering: .relaxed)
        return s == 0 ? nil : s
    }

    /// Asks the loop to stop as if a signal had arrived (the UI's `q`).
    public static func request(_ sig: Int32 = SIGTERM) { requested.store(sig, ordering: .relaxed) }

    /// Forgets a pending request (after it was handled, e.g. in tests).
    public static func reset() { requested.store(0, ordering: .relaxed) }
}

private func stopHandler(_ sig: Int32) {
    if StopSignal.requested.load(ordering: .relaxed) != 0 {
        signal(sig, SIG_DFL)  // second signal: the next one kills as usual
    }
    StopSignal.requested.store(sig, ordering: .relaxed)
}

import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Turns SIGINT and SIGTERM into a request to stop, so a training loop can finish its step, save,
/// and exit cleanly instead of dying mid-write. A second signal while a stop is pending restores
/// the default action, so a user who presses Ctrl-C twice still gets out.
public enum StopSignal {
    static let requested = Atomic<Int32>(0)

    /// Installs the handlers and unblocks both signals on the calling thread (idempotent). Call it
    /// on the main thread before starting any other, so every thread inherits the open mask.
    ///
    /// Why unblock: a process inherits its parent's blocked-signal mask across exec. Started from a
    /// thread that blocks SIGINT (Foundation's `Process` spawns that way, so do some supervisors
    /// and test runners), a handler alone never runs and Ctrl-C stays pending for the whole run.
    /// This is the one place the project unblocks them (the CLI and the workbench both call it).
    public static func install() {
        signal(SIGINT, stopHandler)
        signal(SIGTERM, stopHandler)
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

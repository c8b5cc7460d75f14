import DiffusionEngine
#if canImport(Glibc)
import Glibc
#endif

/// Makes sure Ctrl-C and SIGTERM reach `StopSignal`'s handler.
///
/// A process inherits its parent's blocked-signal mask: launched from a thread that blocks
/// SIGINT (Foundation's `Process` does this from its spawning thread, so do some supervisors),
/// a handler alone never runs and the signal stays pending forever. Unblocking both signals on
/// this thread, then installing the handler, makes the stop request arrive whoever started us.
public enum StopSignals {
    /// Unblocks SIGINT and SIGTERM on the calling thread and installs `StopSignal`'s handler.
    public static func install() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        StopSignal.install()
    }
}

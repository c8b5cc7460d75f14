import DiffusionEngine
import Foundation

/// A background thread that runs a worker's loop until asked to stop: what the chain worker and
/// the VAE worker share. The loop polls `isStopping` between pieces of work; `stop()` asks and
/// waits for the loop to return.
final class WorkerThread: @unchecked Sendable {
    private let control = Latest<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private var thread: Thread?

    /// True once `stop()` has asked the loop to end.
    var isStopping: Bool { control.read().value }

    /// Starts `loop` on a thread named `name` at the compute threads' nice value.
    func start(name: String, loop: @escaping @Sendable () -> Void) {
        let t = Thread { [self] in
            ComputePool.setCurrentThreadNice(WorkbenchApp.computeNice)
            loop()
            finished.signal()
        }
        t.name = name
        t.stackSize = 8 << 20
        thread = t
        t.start()
    }

    /// Asks the loop to end after the work in flight and waits for it (no-op when not started).
    func stop() {
        guard thread != nil else { return }
        control.write(true)
        finished.wait()
        thread = nil
    }
}

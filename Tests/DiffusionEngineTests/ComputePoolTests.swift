import DiffusionEngine
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The pool's threads can be niced (the workbench keeps its UI thread ahead of training).
@Suite(.serialized) struct ComputePoolTests {
    /// The calling thread's nice value (Linux: per thread).
    static func currentNice() -> Int32 {
        getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
    }

    @Test func nicingAThreadLeavesItsCreatorAlone() {
        let before = Self.currentNice()
        let seen = Mutex<(ok: Bool, nice: Int32)>((false, 0))
        let done = DispatchSemaphore(value: 0)
        let t = Thread {
            let ok = ComputePool.setCurrentThreadNice(before + 3)
            seen.withLock { $0 = (ok, Self.currentNice()) }
            done.signal()
        }
        t.start()
        done.wait()
        let (ok, nice) = seen.withLock { $0 }
        #expect(ok && nice == before + 3, "the new thread runs at nice +3")
        #expect(Self.currentNice() == before, "the creating thread keeps its nice value")
    }

    /// A worker applies a new value when it next goes back to waiting, so its second job after the
    /// change runs at it. Other suites may hold the pool (a loop then runs on its caller alone):
    /// jobs are repeated until three of them reached a worker.
    @Test(.enabled(if: ComputePool.shared.width > 1, "needs at least two threads"))
    func workersTakeTheRequestedNiceAtTheirNextJobs() {
        let pool = ComputePool.shared
        let callerNice = Self.currentNice()
        let wanted = max(pool.workerNice, callerNice) + 2
        pool.workerNice = wanted
        let seen = Mutex<[Int: Int32]>([:])
        var jobsOnWorkers = 0
        var last: [Int: Int32] = [:]
        for _ in 0..<500 where jobsOnWorkers < 3 {
            seen.withLock { $0 = [:] }
            pool.parallelFor(64, threadAware: { _, thread in
                usleep(100)
                let n = Self.currentNice()
                seen.withLock { $0[thread] = n }
            })
            let byThread = seen.withLock { $0 }
            if byThread.keys.contains(where: { $0 > 0 }) {
                jobsOnWorkers += 1
                last = byThread
            }
        }
        #expect(jobsOnWorkers == 3, "some tasks ran on a worker")
        let workers = last.filter { $0.key > 0 }
        #expect(workers.allSatisfy { $0.value == wanted }, "workers at nice \(wanted): \(workers)")
        #expect(last[0] == nil || last[0] == callerNice, "the caller's own share runs at its own nice value")
    }
}

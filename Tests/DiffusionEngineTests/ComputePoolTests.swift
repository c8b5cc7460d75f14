import DiffusionEngine
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Every task of every loop runs exactly once, whoever calls; the pool's threads can be niced
/// (the workbench keeps its UI thread ahead of training).
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

    /// Many small loops back to back, from several threads at once (the pool promises any caller a
    /// complete loop: one at a time runs on the pool, the others serially on their callers). Task
    /// counts vary around the width (1, just below, at and just above it, a few times it), rising
    /// and falling: a helper finishing one loop while the next, larger one is published is where a
    /// task could run twice or late (before d049fa9 it ran the new loop's closure as an extra
    /// task and, now and then, trapped because it still held that closure after
    /// `withoutActuallyEscaping`). Every loop's counters read one per index when it returns and
    /// still when its slot comes round again; the tasks run add up to the tasks issued.
    @Test(.enabled(if: ComputePool.shared.width > 1, "needs at least two threads"))
    func everyTaskOfEveryLoopRunsExactlyOnceUnderBackToBackLoopsFromManyThreads() {
        let w = ComputePool.shared.width
        let sizes = Set([1, 2, 3, w - 1, w, w + 1, 2 * w - 1, 2 * w, 2 * w + 1, 3 * w + 2, 16]).filter { $0 >= 1 }.sorted()
        let callers = 3
        let start = Date()
        // A second of loops, longer (2 s at most) until the workers took part in 50 of them.
        let enough = { @Sendable (onWorkers: Int) -> Bool in
            let t = Date().timeIntervalSince(start)
            return t > 2 || (t > 1 && onWorkers >= 50)
        }
        let loopsOnWorkers = Atomic<Int>(0)
        let results = Mutex<[LoopTally]>([])
        let done = DispatchSemaphore(value: 0)
        for c in 0..<callers {
            Thread {
                let tally = Self.issueLoops(caller: c, sizes: sizes, onWorkers: loopsOnWorkers, until: enough)
                results.withLock { $0.append(tally) }
                done.signal()
            }.start()
        }
        for _ in 0..<callers { done.wait() }
        let tallies = results.withLock { $0 }
        #expect(tallies.allSatisfy { $0.loops > 1000 }, "every caller issued loops: \(tallies.map(\.loops))")
        #expect(tallies.flatMap(\.wrong).isEmpty, "every index of every loop ran exactly once: \(tallies.flatMap(\.wrong))")
        #expect(tallies.map(\.tasksRun) == tallies.map(\.tasksIssued), "tasks run for tasks issued")
        #expect(tallies.map(\.miscounted) == Array(repeating: 0, count: callers), "loops that returned with another number of tasks run")
        #expect(tallies.map(\.outOfRange) == Array(repeating: 0, count: callers), "task indices outside their loop")
        #expect(loopsOnWorkers.load(ordering: .relaxed) > 0, "some loops ran on the pool's workers")
    }

    /// What one caller's loops came to.
    struct LoopTally: Sendable {
        var loops = 0, tasksIssued = 0, tasksRun = 0, miscounted = 0, outOfRange = 0
        var wrong: [String] = []
    }

    /// One caller's loops, until `enough(loops that ran on a worker, all callers)`: sizes in a
    /// fixed pseudo-random order of its own, each loop's counters in one slot of a ring, so a
    /// late task still lands where it is seen.
    static func issueLoops(caller: Int, sizes: [Int], onWorkers: borrowing Atomic<Int>,
                           until enough: (Int) -> Bool) -> LoopTally {
        let pool = ComputePool.shared
        let ring = 64, slotWidth = sizes.last!
        let counters = Counters(ring * slotWidth)
        defer { counters.base.deallocate() }
        var slotSize = [Int](repeating: 0, count: ring)
        let ran = Atomic<Int>(0), outOfRange = Atomic<Int>(0), onWorker = Atomic<Bool>(false)
        var tally = LoopTally()
        // A slot reads 1 for each index of its loop, 0 beyond.
        func check(_ slot: Int, _ when: String) {
            let count = slotSize[slot], first = counters.base + slot * slotWidth
            var i = 0
            while i < slotWidth && first[i].load(ordering: .relaxed) == (i < count ? 1 : 0) { i += 1 }
            guard i < slotWidth, tally.wrong.count < 5 else { return }
            let seen = (0..<slotWidth).map { first[$0].load(ordering: .relaxed) }
            tally.wrong.append("caller \(caller), a loop of \(count) \(when): \(seen.prefix(count + 1))")
        }
        var random = UInt64(0x9e37_79b9_7f4a_7c15) &* UInt64(caller + 1)
        while tally.loops & 63 != 0 || !enough(onWorkers.load(ordering: .relaxed)) {
            random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let count = sizes[Int(random >> 33) % sizes.count]
            let slot = tally.loops % ring
            if tally.loops >= ring { check(slot, "when its slot came round again") }
            let mine = counters.base + slot * slotWidth
            for i in 0..<slotWidth { mine[i].store(0, ordering: .relaxed) }
            slotSize[slot] = count
            let before = ran.load(ordering: .acquiring)
            pool.parallelFor(count, threadAware: { i, thread in
                guard i >= 0 && i < count else { outOfRange.add(1, ordering: .relaxed); return }
                mine[i].add(1, ordering: .relaxed)
                ran.add(1, ordering: .relaxed)
                if thread > 0 { onWorker.store(true, ordering: .relaxed) }
            })
            tally.loops += 1
            tally.tasksIssued += count
            if ran.load(ordering: .acquiring) - before != count { tally.miscounted += 1 }
            check(slot, "when it returned")
            if onWorker.exchange(false, ordering: .relaxed) { onWorkers.add(1, ordering: .relaxed) }
        }
        usleep(10_000)  // a late task has landed by now
        for slot in 0..<min(ring, tally.loops) { check(slot, "at the end") }
        tally.tasksRun = ran.load(ordering: .acquiring)
        tally.outOfRange = outOfRange.load(ordering: .relaxed)
        return tally
    }
}

/// A stress test's task counters (atomic: a task that ran twice must count twice, not race with
/// itself).
private struct Counters: @unchecked Sendable {
    let base: UnsafeMutablePointer<Atomic<Int>>
    init(_ count: Int) {
        base = .allocate(capacity: count)
        for i in 0..<count { (base + i).initialize(to: Atomic(0)) }
    }
}

import CBLAS
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The engine's compute threads: `parallelFor` spreads independent tasks over `width` threads
/// (the caller plus `width - 1` persistent workers).
///
/// Why the engine threads itself instead of letting OpenBLAS do it: most of a UNet step is GEMMs
/// of a few MFLOP each, where OpenBLAS's own 2-thread split costs a synchronisation per call and
/// leaves the non-BLAS work (im2col, GroupNorm, softmax, scatters) on one core. Here each task
/// runs a whole slice of a layer (lowering + a single-threaded GEMM + the scatter), so both cores
/// stay busy with one barrier per layer.
///
/// OpenBLAS therefore runs with ONE thread while a parallel loop is active. The width follows
/// OpenBLAS's thread setting (`BLASControl.setThreads(n)` / `OPENBLAS_NUM_THREADS`): when a loop
/// starts and OpenBLAS reports more than one thread, that count becomes the width and OpenBLAS is
/// set back to one. (`setThreads(1)` after that is only seen through `width`; see the report.)
///
/// Workers spin briefly between loops (a forward pass starts a loop every few microseconds) and
/// then sleep on a condition variable. A loop started while another is running (another thread
/// using the engine, or a nested loop) runs serially on its caller: correct, never deadlocks.
public final class ComputePool: @unchecked Sendable {
    /// The process-wide pool.
    public static let shared = ComputePool()

    /// Threads a parallel loop uses, including the caller (at least 1).
    public var width: Int {
        get { configuredWidth.withLock { $0 } }
        set { configuredWidth.withLock { $0 = max(1, min(newValue, Self.maxWidth)) } }
    }

    /// The nice value the pool's worker threads run at (0 = normal; higher = yield sooner).
    ///
    /// Why: the workbench's UI thread shares the two cores with training. At equal priority a
    /// frame waits for a time slice behind the training threads (a full redraw took 22 ms of
    /// wall time for 6-11 ms of CPU); with the compute threads niced, the scheduler lets the UI
    /// run first and training loses only the UI's ~2% of CPU. Each worker applies a change when
    /// it next wakes. Linux keeps nice per thread, so this never touches the caller.
    public var workerNice: Int32 {
        get { desiredNice.load(ordering: .relaxed) }
        set { desiredNice.store(newValue, ordering: .relaxed) }
    }

    /// Sets the calling thread's nice value (Linux: per thread); returns false when refused.
    @discardableResult
    public static func setCurrentThreadNice(_ nice: Int32) -> Bool {
        #if os(Linux)
        // who = 0 is the calling thread: the kernel resolves it to `current`, not the thread group.
        return setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, nice) == 0
        #else
        return false
        #endif
    }

    private let desiredNice = Atomic<Int32>(0)
    private static let maxWidth = 64
    /// How long an idle worker polls before sleeping (loads of its ticket; roughly 50-100 µs).
    private static let spinIterations = 100_000

    private let configuredWidth: Mutex<Int>
    private var workers: [Worker] = []

    // One job at a time (`busy` admits it). `state` packs the job's number (high 32 bits) with
    // the next unclaimed task index (low 32 bits): a thread claims a task by a compare-exchange
    // that also checks the job number, so a helper waking late for an old job claims nothing.
    // The caller waits for `completed` tasks only, never for a helper that has not started one
    // (on a loaded machine a descheduled helper would otherwise stall every loop).
    private let busy = Atomic<Bool>(false)
    private let state = Atomic<Int>(0)
    private let completed = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    private var jobNumber = 0
    private let jobCount = Atomic<Int>(0)
    private var job: ((Int, Int) -> Void)?

    private var sleepMutex = pthread_mutex_t()
    private var wake = pthread_cond_t()

    private init() {
        pthread_mutex_init(&sleepMutex, nil)
        pthread_cond_init(&wake, nil)
        configuredWidth = Mutex(max(1, min(Int(openblas_get_num_threads()), Self.maxWidth)))
        openblas_set_num_threads(1)
    }

    /// Runs `body(i)` for every i in `0..<count`, spread over the pool; returns when all are done.
    ///
    /// Tasks are handed out one index at a time, so uneven tasks balance. `body` must only write
    /// memory no other index writes. Runs serially when `count <= 1`, the width is 1, or the pool
    /// is already running a loop (a nested loop, or another thread's).
    public func parallelFor(_ count: Int, _ body: (Int) -> Void) {
        parallelFor(count, threadAware: { task, _ in body(task) })
    }

    /// `parallelFor` whose body also receives the index of the thread running the task, in
    /// `0..<width` (0 is the caller), for per-thread accumulators that are reduced afterwards.
    public func parallelFor(_ count: Int, threadAware body: (_ task: Int, _ thread: Int) -> Void) {
        guard count > 0 else { return }
        let w = adoptBLASSetting()
        guard count > 1, w > 1, count < 1 << 31,
              busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
        else {
            for i in 0..<count { body(i, 0) }
            return
        }
        defer { busy.store(false, ordering: .releasing) }
        let helpers = min(w - 1, count - 1)
        startWorkers(upTo: helpers)
        withoutActuallyEscaping(body) { escapable in
            // First a new job number with nothing to claim: a helper still looping on the previous
            // job (it read the old state, then this job's count) must not win a claim of it and
            // run this job's closure as one of its tasks — it would run a task twice, count one
            // too many, and still hold the closure when this block ends (the runtime traps:
            // "closure argument was escaped in withoutActuallyEscaping block").
            jobNumber = (jobNumber + 1) & 0x7fff_ffff
            state.store(jobNumber << 32 | 0x7fff_ffff, ordering: .sequentiallyConsistent)
            job = escapable
            jobCount.store(count, ordering: .releasing)
            completed.store(0, ordering: .relaxed)
            state.store(jobNumber << 32, ordering: .sequentiallyConsistent)
            for i in 0..<helpers { workers[i].ticket.store(jobNumber, ordering: .sequentiallyConsistent) }
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                pthread_mutex_lock(&sleepMutex)
                pthread_cond_broadcast(&wake)
                pthread_mutex_unlock(&sleepMutex)
            }
            runTasks(of: jobNumber, thread: 0)
            var spins = 0
            while completed.load(ordering: .acquiring) < count {
                // a helper preempted inside a task (a loaded machine) needs this core back
                spins += 1
                if spins & 255 == 0 { sched_yield() }
            }
            job = nil
        }
    }

    /// Splits `0..<total` into about `width` contiguous ranges of at least `grain` items and runs
    /// `body(range)` for each in parallel (for loops too fine to hand out one index at a time).
    public func parallelRanges(_ total: Int, grain: Int = 1, _ body: (Range<Int>) -> Void) {
        guard total > 0 else { return }
        let parts = max(1, min(width, total / max(grain, 1)))
        if parts == 1 { body(0..<total); return }
        parallelFor(parts) { p in body((total * p / parts)..<(total * (p + 1) / parts)) }
    }

    /// Reads OpenBLAS's thread count: more than one means someone asked for that many threads,
    /// which become the width while OpenBLAS itself goes back to one (each task calls it serially).
    private func adoptBLASSetting() -> Int {
        let blas = Int(openblas_get_num_threads())
        if blas > 1 {
            openblas_set_num_threads(1)
            return configuredWidth.withLock { $0 = min(blas, Self.maxWidth); return $0 }
        }
        return configuredWidth.withLock { $0 }
    }

    /// Claims and runs tasks of job `number` until none are left (or the job is another one).
    @inline(never)
    private func runTasks(of number: Int, thread: Int) {
        while let i = claim(number) {
            runTask(i, thread: thread)
            completed.add(1, ordering: .releasing)
        }
    }

    /// One task. A function of its own so the reference to the job's closure is released before
    /// the task counts as completed (the caller's `withoutActuallyEscaping` checks that nothing
    /// kept the closure).
    @inline(never)
    private func runTask(_ i: Int, thread: Int) {
        if let body = job { body(i, thread) }
    }

    /// The next unclaimed task of job `number`, or nil.
    private func claim(_ number: Int) -> Int? {
        var current = state.load(ordering: .acquiring)
        while true {
            guard current >> 32 == number else { return nil }
            let index = current & 0xffff_ffff
            guard index < jobCount.load(ordering: .acquiring) else { return nil }
            let (exchanged, original) = state.compareExchange(
                expected: current, desired: current + 1, ordering: .acquiringAndReleasing)
            if exchanged { return index }
            current = original
        }
    }

    /// Starts worker threads until there are `n` (only the thread holding `busy` gets here).
    private func startWorkers(upTo n: Int) {
        while workers.count < n {
            let worker = Worker(index: workers.count + 1)
            workers.append(worker)
            var thread = pthread_t()
            let box = Unmanaged.passRetained(WorkerStart(pool: self, worker: worker)).toOpaque()
            let rc = pthread_create(&thread, nil, { raw in
                let start = Unmanaged<WorkerStart>.fromOpaque(raw!).takeRetainedValue()
                start.pool.workerLoop(start.worker)
                return nil
            }, box)
            precondition(rc == 0, "ComputePool: pthread_create failed (\(rc))")
            pthread_detach(thread)
        }
    }

    private func workerLoop(_ worker: Worker) {
        var seen = 0
        var nice: Int32 = 0
        while true {
            let wanted = desiredNice.load(ordering: .relaxed)
            if wanted != nice {
                Self.setCurrentThreadNice(wanted)
                nice = wanted
            }
            var spins = 0
            while worker.ticket.load(ordering: .acquiring) == seen {
                if spins < Self.spinIterations {
                    spins += 1
                    if spins & 255 == 0 { sched_yield() }
                } else {
                    pthread_mutex_lock(&sleepMutex)
                    sleepers.add(1, ordering: .sequentiallyConsistent)
                    while worker.ticket.load(ordering: .sequentiallyConsistent) == seen {
                        pthread_cond_wait(&wake, &sleepMutex)
                    }
                    sleepers.subtract(1, ordering: .sequentiallyConsistent)
                    pthread_mutex_unlock(&sleepMutex)
                }
            }
            seen = worker.ticket.load(ordering: .acquiring)
            runTasks(of: seen, thread: worker.index)
        }
    }
}

/// One worker thread's mailbox: the number of the job it should help with next.
private final class Worker: Sendable {
    let ticket = Atomic<Int>(0)
    /// 1..<width (the caller is thread 0).
    let index: Int
    init(index: Int) { self.index = index }
}

/// What a new worker thread needs (passed through pthread_create's void pointer).
private final class WorkerStart {
    let pool: ComputePool
    let worker: Worker
    init(pool: ComputePool, worker: Worker) {
        self.pool = pool
        self.worker = worker
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// Per-thread scratch memory for the layers' temporary matrices (im2col columns, GEMM outputs
/// before they are scattered, private gradient partials).
///
/// A training step lowers ~100 convolutions; allocating their column buffers each time costs a
/// page fault per 4 KiB and a zero fill per buffer. A workspace keeps one buffer per `Slot` and
/// per thread, grown to the largest request and reused, so after the first step no layer
/// allocates scratch. Thread-local, so two threads driving two models (training and a sampler)
/// never share scratch, and every `ComputePool` worker has its own.
///
/// A pointer from `floats(_:count:)` is valid until the same thread asks for the same slot
/// again; contents are NOT initialised.
public final class Workspace {
    /// The scratch buffers a layer can hold at the same time.
    public enum Slot: Int, CaseIterable {
        /// im2col columns of the layer input, (C*K*K, columns).
        case columns
        /// A GEMM result before it is scattered to NCHW, or a gathered gradient, (O, columns).
        case gathered
        /// im2col columns of an output gradient (the transposed convolution of backward).
        case gradientColumns
        /// A GEMM result for the input gradient before it is scattered, (C, columns).
        case gradientGathered
        /// A private partial of a weight gradient (worker threads), (O, C*K*K).
        case weightGradient
        /// Rearranged weights (the flipped, transposed kernel of the backward pass).
        case weights
        /// Small per-task scratch (attention's dP/dS, (L, L)).
        case small
        /// A few image rows (Winograd's input transform).
        case rowScratch
    }

    private var buffers: [UnsafeMutablePointer<Float>?]
    private var capacities: [Int]

    private init() {
        buffers = Array(repeating: nil, count: Slot.allCases.count)
        capacities = Array(repeating: 0, count: Slot.allCases.count)
    }

    deinit {
        for b in buffers { b?.deallocate() }
    }

    /// At least `count` floats of scratch for `slot`, uninitialised.
    public func floats(_ slot: Slot, count: Int) -> UnsafeMutablePointer<Float> {
        let i = slot.rawValue
        if capacities[i] < count || buffers[i] == nil {
            buffers[i]?.deallocate()
            // a little headroom so a slowly growing request does not reallocate every time
            let capacity = max(count, capacities[i] + capacities[i] / 4, 1024)
            buffers[i] = .allocate(capacity: capacity)
            capacities[i] = capacity
        }
        return buffers[i]!
    }

    /// This thread's workspace (created on first use, freed when the thread exits).
    public static var current: Workspace {
        if let raw = pthread_getspecific(key) {
            return Unmanaged<Workspace>.fromOpaque(raw).takeUnretainedValue()
        }
        _ = allocatorTuned
        let ws = Workspace()
        pthread_setspecific(key, Unmanaged.passRetained(ws).toOpaque())
        return ws
    }

    /// Keeps freed tensor storage in the process heap instead of returning it to the kernel.
    ///
    /// Every layer returns a new tensor; glibc serves blocks above its mmap threshold (128 KiB,
    /// adaptive up to 32 MiB) with fresh mappings, so each step page-faulted and zero-filled every
    /// activation again (5% of a course training step in the kernel). With the threshold at
    /// 256 MiB the next step reuses the same heap memory. Peak RSS did not grow (course batch 32:
    /// 1572 -> 1556 MiB); memory freed after a run stays with the process until it exits.
    private static let allocatorTuned: Void = {
        #if canImport(Glibc)
        // <malloc.h> is not part of the Glibc module: look mallopt up by name
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let process = dlopen(nil, RTLD_NOW), let symbol = dlsym(process, "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        let mmapThreshold: Int32 = -3, trimThreshold: Int32 = -1  // M_MMAP_THRESHOLD, M_TRIM_THRESHOLD
        _ = mallopt(mmapThreshold, 256 << 20)
        _ = mallopt(trimThreshold, 512 << 20)
        #endif
    }()

    private static let key: pthread_key_t = {
        var k = pthread_key_t()
        let rc = pthread_key_create(&k) { raw in
            if let raw { Unmanaged<Workspace>.fromOpaque(raw).release() }
        }
        precondition(rc == 0, "Workspace: pthread_key_create failed (\(rc))")
        return k
    }()
}

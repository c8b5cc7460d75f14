/// The weight gradient of every Winograd variant: one slab driver, per-thread dU partials summed
/// in a fixed order (so the bits do not depend on the schedule), and the variant's transforms.
extension Conv2d {
    /// dW (O, C, 3, 3) += Σ over the batch through variant `T`, and db (O) += Σ dY; x (N, C, h, w)
    /// is the cached input, dy (N, O, h, w). Per slab V = Bᵀ d B of x and dM = A dY Aᵀ, then
    /// dU_ξ (O, C) += dM_ξ (O, T) · V_ξᵀ per position, one dU partial per thread; dW += Gᵀ dU G.
    static func winogradWeightGradients<T: WinogradTransforms>(
        _: T.Type, x: UnsafePointer<Float>, dy: UnsafePointer<Float>, n: Int, c: Int, h: Int, w: Int, o: Int,
        dw: UnsafeMutablePointer<Float>, db: UnsafeMutablePointer<Float>
    ) {
        let pool = ComputePool.shared
        let threads = pool.width
        let tile = T.outputTile, positions = T.positions, plan = T.plan(images: n, h: h, w: w)
        let tilesPerImage = (h / tile) * (w / tile), inSize = c * h * w, outSize = o * h * w, l = h * w
        let uCount = positions * o * c
        // per thread: a dU partial (positions, O, C), a db partial (O) and a used flag
        let scratch = Workspace.current.floats(.weightGradient, count: threads * (uCount + o + 1))
        let dbParts = scratch + threads * uCount, used = dbParts + threads * o
        dbParts.update(repeating: 0, count: threads * o)
        used.update(repeating: 0, count: threads)
        // Static partition: part p takes slabs p, p+threads, ... and owns partial p, so the
        // partials are summed in a fixed order whatever thread runs them: gradients are
        // bit-reproducible, which exact resume depends on.
        pool.parallelFor(threads) { thread in
            for t in Swift.stride(from: thread, to: plan.count, by: threads) {
                let s = plan.slab(t)
                let tiles = s.images == 1 ? s.rows.count * (w / tile) : s.images * tilesPerImage
                let ws = Workspace.current
                let du = scratch + thread * uCount
                let first = used[thread] == 0
                used[thread] = 1
                // (positions, C, T) and (positions, O, T), planes padded by a cache line (see `planePadding`)
                let vps = c * tiles + planePadding, mps = o * tiles + planePadding
                let v = ws.floats(.columns, count: positions * vps)
                let dm = ws.floats(.gathered, count: positions * mps)
                let z = ws.floats(.rowScratch, count: T.inputScratch(w: w))
                for j in 0..<s.images {
                    let img = s.image + j
                    T.input(x + img * inSize, channels: c, h: h, w: w, tileRows: s.rows, into: v + j * tilesPerImage,
                            ld: tiles, planeStride: vps, z: z)
                    T.outputGradient(dy + img * outSize, rows: o, h: h, w: w, tileRows: s.rows,
                                     into: dm + j * tilesPerImage, ld: tiles, planeStride: mps)
                    // db += Σ dY over this slab's positions
                    let start = s.rows.lowerBound * tile * w, count = s.rows.count * tile * w
                    Lowering.sumRows(dy + img * outSize + start, rows: o, count: count, ld: l, into: dbParts + thread * o)
                }
                // forward: M_ξ = U_ξ · V_ξ;  dU_ξ (O, C) += dM_ξ (O, T) · V_ξᵀ (T, C)
                for xi in 0..<positions {
                    gemm(transB: true, m: o, n: c, k: tiles, a: dm + xi * mps, lda: tiles,
                         b: v + xi * vps, ldb: tiles, beta: first ? 0 : 1, c: du + xi * o * c, ldc: c)
                }
            }
        }
        // sum the partials into thread 0's, then dW += Gᵀ dU G
        sumPartials(scratch, count: uCount, used: used, threads: threads, dbParts: dbParts, o: o, into: db)
        T.weightGradient(scratch, count: o * c, into: dw)
    }

    /// Adds the per-thread dU partials of a Winograd weight gradient into partial 0 (zeroing it
    /// first when thread 0 computed none) in thread order 1, 2, ... — a fixed order, so the sum's
    /// bits never depend on which thread ran which slab — and adds the db partials to `db`.
    /// Layout as the callers allocate it: `threads` partials of `count` floats, then `threads` db
    /// partials of `o`, and `used[p] != 0` when partial p holds data.
    static func sumPartials(
        _ scratch: UnsafeMutablePointer<Float>, count uCount: Int, used: UnsafePointer<Float>, threads: Int,
        dbParts: UnsafePointer<Float>, o: Int, into db: UnsafeMutablePointer<Float>
    ) {
        if used[0] == 0 { scratch.update(repeating: 0, count: uCount) }
        let extra = (1..<threads).filter { used[$0] != 0 }
        if !extra.isEmpty {
            ComputePool.shared.parallelRanges(uCount, grain: 1 << 14) { r in
                for p in extra {
                    let src = scratch + p * uCount
                    for i in r { scratch[i] += src[i] }
                }
            }
        }
        for p in 0..<threads {
            let src = dbParts + p * o
            for i in 0..<o { db[i] += src[i] }
        }
    }
}

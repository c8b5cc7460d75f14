/// The im2col + GEMM paths of `Conv2d` (every geometry Winograd does not take): the forward
/// slab by slab or split over the pool for one small image, the weight gradient with per-thread
/// partials summed in a fixed order, and the input gradient as a transposed convolution or col2im.
extension Conv2d {
    /// Slabs in parallel: im2col, one GEMM, the epilogue (pre-filled, or fused into the scatter).
    func forwardSlabs(
        _ g: Geometry, plan: SlabPlan, x: UnsafePointer<Float>, w: UnsafePointer<Float>,
        y: UnsafeMutablePointer<Float>, epilogue ep: Epilogue.Pointers
    ) {
        let o = outChannels, l = g.l, inSize = g.c * g.h * g.w
        ComputePool.shared.parallelFor(plan.count) { t in
            let s = plan.slab(t)
            let ws = Workspace.current
            if s.images == 1 {
                // rows s.rows of one image: y (O, cnt) at column l0, rows L apart
                let img = s.image, l0 = s.rows.lowerBound * g.wo, cnt = s.rows.count * g.wo
                let xi = x + img * inSize, yi = y + img * o * l
                let cols: UnsafePointer<Float>, ldb: Int
                if isPointwise {
                    (cols, ldb) = (xi + l0, l)
                } else {
                    let buf = ws.floats(.columns, count: g.ckk * cnt)  // (CKK, cnt)
                    g.im2col(xi, channels: g.c, h: g.h, w: g.w, ho: g.ho, wo: g.wo, rows: s.rows, padding: padding,
                             into: buf, ld: cnt)
                    (cols, ldb) = (UnsafePointer(buf), cnt)
                }
                ep.fill(yi, image: img, channels: 0..<o, columns: l0..<(l0 + cnt), l: l, o: o)
                // y (O, cnt) += W (O, CKK) · cols (CKK, cnt)
                gemm(m: o, n: cnt, k: g.ckk, a: w, lda: g.ckk, b: cols, ldb: ldb, beta: 1, c: yi + l0, ldc: l)
            } else {
                // whole small images side by side: tmp (O, images*L), then scattered to NCHW
                let ld = s.images * l
                let cols = ws.floats(.columns, count: g.ckk * ld)  // (CKK, images*L)
                for j in 0..<s.images {
                    g.im2col(x + (s.image + j) * inSize, channels: g.c, h: g.h, w: g.w, ho: g.ho, wo: g.wo,
                             rows: 0..<g.ho, padding: padding, into: cols + j * l, ld: ld)
                }
                let tmp = ws.floats(.gathered, count: o * ld)
                gemm(m: o, n: ld, k: g.ckk, a: w, lda: g.ckk, b: cols, ldb: ld, beta: 0, c: tmp, ldc: ld)
                for j in 0..<s.images {
                    ep.scatter(from: tmp + j * l, ld: ld, into: y + (s.image + j) * o * l, image: s.image + j, l: l, o: o)
                }
            }
        }
    }

    /// One small image on the whole pool: im2col split over channels, the GEMM over rows/columns.
    func forwardSplit(
        _ g: Geometry, x: UnsafePointer<Float>, w: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>,
        epilogue ep: Epilogue.Pointers
    ) {
        let o = outChannels, l = g.l
        let pool = ComputePool.shared
        let cols: UnsafePointer<Float>
        if isPointwise {
            cols = x
        } else {
            let buf = Workspace.current.floats(.columns, count: g.ckk * l)  // (CKK, L)
            let rowsPerChannel = kernelSize * kernelSize, planeSize = g.h * g.w
            pool.parallelRanges(g.c, grain: max(1, 4096 / max(1, rowsPerChannel * l))) { r in
                g.im2col(x + r.lowerBound * planeSize, channels: r.count, h: g.h, w: g.w, ho: g.ho, wo: g.wo,
                         rows: 0..<g.ho, padding: padding, into: buf + r.lowerBound * rowsPerChannel * l, ld: l)
            }
            cols = UnsafePointer(buf)
        }
        pool.parallelRanges(o, grain: max(1, 8192 / l)) { r in
            ep.fill(y, image: 0, channels: r, columns: 0..<l, l: l, o: o)
        }
        gemmParallel(m: o, n: l, k: g.ckk, a: w, lda: g.ckk, b: cols, ldb: l, beta: 1, c: y, ldc: l)
    }

    /// dW += Σ dY · colsᵀ and db += Σ dY, slab by slab; thread 0 adds straight into the gradient
    /// arena, the other threads into their own partials, summed at the end.
    func weightGradients(
        _ g: Geometry, n: Int, x: UnsafePointer<Float>, dy: UnsafePointer<Float>,
        dw: UnsafeMutablePointer<Float>, db: UnsafeMutablePointer<Float>
    ) {
        let o = outChannels, l = g.l, inSize = g.c * g.h * g.w
        let pool = ComputePool.shared
        let threads = pool.width
        let plan = SlabPlan(images: n, rows: g.ho, rowWidth: g.wo, target: Self.slabColumns, parts: threads)
        let wCount = o * g.ckk
        // (threads-1) partial dW, then a partial db and a used flag per thread
        let scratch = Workspace.current.floats(.weightGradient, count: (threads - 1) * wCount + threads * (o + 1))
        let dbParts = scratch + (threads - 1) * wCount, used = dbParts + threads * o
        dbParts.update(repeating: 0, count: threads * o)
        used.update(repeating: 0, count: threads)
        // Static partition: part p takes slabs p, p+threads, ... and owns partial p, so the
        // partials are summed in a fixed order whatever thread runs them: gradients are
        // bit-reproducible, which exact resume depends on.
        pool.parallelFor(threads) { thread in
            for t in Swift.stride(from: thread, to: plan.count, by: threads) {
                let s = plan.slab(t)
                let ws = Workspace.current
                let dwPart = thread == 0 ? dw : scratch + (thread - 1) * wCount
                if thread > 0 && used[thread] == 0 {
                    dwPart.update(repeating: 0, count: wCount)
                    used[thread] = 1
                }
                let dbPart = dbParts + thread * o
                // dYs (O, cols) and cols (CKK, cols) of this slab
                let dys: UnsafePointer<Float>, ldy: Int, cols: UnsafePointer<Float>, ldc: Int, width: Int
                if s.images == 1 {
                    let img = s.image, l0 = s.rows.lowerBound * g.wo, cnt = s.rows.count * g.wo
                    (dys, ldy, width) = (dy + img * o * l + l0, l, cnt)
                    Lowering.sumRows(dys, rows: o, count: cnt, ld: l, into: dbPart)
                    if isPointwise {
                        (cols, ldc) = (x + img * inSize + l0, l)
                    } else {
                        let buf = ws.floats(.columns, count: g.ckk * cnt)
                        g.im2col(x + img * inSize, channels: g.c, h: g.h, w: g.w, ho: g.ho, wo: g.wo, rows: s.rows,
                                 padding: padding, into: buf, ld: cnt)
                        (cols, ldc) = (UnsafePointer(buf), cnt)
                    }
                } else {
                    let ld = s.images * l
                    let dbuf = ws.floats(.gathered, count: o * ld), buf = ws.floats(.columns, count: g.ckk * ld)
                    for j in 0..<s.images {
                        Lowering.gather(dy + (s.image + j) * o * l, rows: o, count: l, into: dbuf + j * l, ld: ld, sums: dbPart)
                        g.im2col(x + (s.image + j) * inSize, channels: g.c, h: g.h, w: g.w, ho: g.ho, wo: g.wo,
                                 rows: 0..<g.ho, padding: padding, into: buf + j * l, ld: ld)
                    }
                    (dys, ldy, cols, ldc, width) = (UnsafePointer(dbuf), ld, UnsafePointer(buf), ld, ld)
                }
                // forward: y = W · cols + b
                // dW (O, CKK) += dY (O, width) · colsᵀ (width, CKK)
                gemm(transB: true, m: o, n: g.ckk, k: width, a: dys, lda: ldy, b: cols, ldb: ldc,
                     beta: 1, c: dwPart, ldc: g.ckk)
            }
        }
        let extra = (1..<threads).filter { used[$0] != 0 }
        if !extra.isEmpty {
            pool.parallelRanges(wCount, grain: 1 << 14) { r in
                for p in extra {
                    let src = scratch + (p - 1) * wCount
                    for i in r { dw[i] += src[i] }
                }
            }
        }
        for p in 0..<threads {
            let src = dbParts + p * o
            for i in 0..<o { db[i] += src[i] }
        }
    }

    /// dX from dY: the transposed convolution, slab by slab of input positions (stride 1), or
    /// dcols = Wᵀ · dY and col2im image by image (other strides).
    func inputGradient(
        _ g: Geometry, n: Int, dy: UnsafePointer<Float>, w: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>
    ) {
        let o = outChannels, c = g.c, l = g.l, hw = g.h * g.w, kk = kernelSize * kernelSize
        let pool = ComputePool.shared
        guard hasTransposedLowering else {
            pool.parallelFor(n) { img in
                // forward: y = W · cols;  dcols (CKK, L) = Wᵀ (CKK, O) · dY (O, L), then col2im
                let dcols = Workspace.current.floats(.gradientColumns, count: g.ckk * l)
                gemm(transA: true, m: g.ckk, n: l, k: o, a: w, lda: g.ckk, b: dy + img * o * l, ldb: l,
                     beta: 0, c: dcols, ldc: l)
                let dxi = dx + img * c * hw
                dxi.update(repeating: 0, count: c * hw)
                g.col2im(dcols, ld: l, padding: padding, into: dxi)
            }
            return
        }
        // Wt (C, O*K*K): Wt[c][(o*K+ki)*K+kj] = W[o][c][K-1-ki][K-1-kj]  (pointwise: Wᵀ through transA)
        let okk = o * kk
        var wt = w
        if !isPointwise {
            let buf = Workspace.current.floats(.weights, count: c * okk)
            pool.parallelRanges(c, grain: 8) { r in
                for ci in r {
                    for oc in 0..<o {
                        let src = w + (oc * c + ci) * kk, dst = buf + (ci * o + oc) * kk
                        for t in 0..<kk { dst[t] = src[kk - 1 - t] }
                    }
                }
            }
            wt = UnsafePointer(buf)
        }
        let a = wt, lda = isPointwise ? c : okk
        let tg = g.transposed
        let plan = SlabPlan(images: n, rows: g.h, rowWidth: g.w, target: Self.slabColumns, parts: pool.width)
        pool.parallelFor(plan.count) { t in
            let s = plan.slab(t)
            let ws = Workspace.current
            if s.images == 1 {
                let img = s.image, l0 = s.rows.lowerBound * g.w, cnt = s.rows.count * g.w
                let dyi = dy + img * o * l
                let colsDY: UnsafePointer<Float>, ldb: Int
                if isPointwise {
                    (colsDY, ldb) = (dyi + l0, l)
                } else {
                    let buf = ws.floats(.gradientColumns, count: okk * cnt)
                    tg.im2col(dyi, channels: o, h: g.ho, w: g.wo, ho: g.h, wo: g.w, rows: s.rows,
                              padding: kernelSize - 1 - padding, into: buf, ld: cnt)
                    (colsDY, ldb) = (UnsafePointer(buf), cnt)
                }
                // dX (C, cnt) = Wt (C, O*K*K) · im2col(dY, pad K-1-P) (O*K*K, cnt), rows HW apart
                gemm(transA: isPointwise, m: c, n: cnt, k: okk, a: a, lda: lda, b: colsDY, ldb: ldb,
                     beta: 0, c: dx + img * c * hw + l0, ldc: hw)
            } else {
                let ld = s.images * hw
                let buf = ws.floats(.gradientColumns, count: okk * ld)
                for j in 0..<s.images {
                    tg.im2col(dy + (s.image + j) * o * l, channels: o, h: g.ho, w: g.wo, ho: g.h, wo: g.w,
                              rows: 0..<g.h, padding: kernelSize - 1 - padding, into: buf + j * hw, ld: ld)
                }
                let tmp = ws.floats(.gradientGathered, count: c * ld)
                gemm(transA: isPointwise, m: c, n: ld, k: okk, a: a, lda: lda, b: buf, ldb: ld,
                     beta: 0, c: tmp, ldc: ld)
                for j in 0..<s.images {
                    Lowering.scatter(tmp + j * hw, rows: c, count: hw, ld: ld, into: dx + (s.image + j) * c * hw)
                }
            }
        }
    }
}

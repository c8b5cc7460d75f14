/// A 2-D convolution over NCHW tensors with bias, PyTorch's `nn.Conv2d` (square kernel).
///
/// Shapes: input (N, C, H, W), weight (O, C, K, K), bias (O), output (N, O, Ho, Wo) with
/// `Ho = (H + 2P - K) / S + 1` (likewise Wo).
///
/// Lowering (im2col + GEMM) one SLAB at a time: a slab is a few hundred output positions — some
/// rows of one image, or several whole small images — unfolded into a (C*K*K, slab) column
/// matrix that stays in L2, then multiplied by the weight viewed as (O, C*K*K) in one
/// single-threaded `cblas_sgemm`. Measured on the target machine, OpenBLAS runs these shapes at
/// 85-95 GFLOP/s per core with ~256 columns and at 45-65 with thousands (the column matrix no
/// longer fits the cache), and one image at 4x4 would be 16 columns. Slabs inside one image
/// are written straight into the output (rows `ld = Ho*Wo` apart, bias pre-filled); slabs of
/// several images go through a small matrix and a scatter. The `ComputePool` runs slabs in
/// parallel, so im2col and the epilogue use both cores too.
///
/// Backward, per slab: dW += dY · colsᵀ (columns rebuilt from the cached input: caching them
/// would cost C*K*K times the activations) into per-thread partials, db += Σ dY. For stride 1
/// the input gradient is itself a convolution — of dY with the kernel flipped and transposed,
/// padding K-1-P — lowered the same way, slab by slab of input positions, straight into dX.
/// Other strides use dcols = Wᵀ · dY and col2im, image by image.
/// `Conv2dReference` is the plain-loop twin the tests compare with.
public final class Conv2d {
    public let inChannels: Int
    public let outChannels: Int
    public let kernelSize: Int
    public let stride: Int
    public let padding: Int
    /// (O, C, K, K)
    public let weight: ParameterRef
    /// (O)
    public let bias: ParameterRef
    let store: ParameterStore
    /// The last training input, (N, C, H, W).
    private var cachedInput: Tensor?

    /// Output positions per slab: the GEMM width at which OpenBLAS is fastest here (see above).
    static let slabColumns = 256

    /// Registers `name.weight` (O, C, K, K) and `name.bias` (O) with PyTorch's default init.
    public init(
        store: ParameterStore, name: String, inChannels: Int, outChannels: Int,
        kernelSize: Int, stride: Int = 1, padding: Int = 0, rng: inout RandomGenerator
    ) {
        precondition(
            inChannels > 0 && outChannels > 0 && kernelSize > 0 && stride > 0 && padding >= 0,
            "conv2d \(name): bad geometry C=\(inChannels) O=\(outChannels) K=\(kernelSize) S=\(stride) P=\(padding)")
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.store = store
        let fanIn = inChannels * kernelSize * kernelSize
        weight = store.register(
            name + ".weight", shape: [outChannels, inChannels, kernelSize, kernelSize],
            initial: uniformInit(count: outChannels * fanIn, fanIn: fanIn, rng: &rng))
        bias = store.register(
            name + ".bias", shape: [outChannels], initial: uniformInit(count: outChannels, fanIn: fanIn, rng: &rng))
    }

    /// Output spatial size for an input of `h` x `w`.
    public func outputSize(h: Int, w: Int) -> (h: Int, w: Int) {
        ((h + 2 * padding - kernelSize) / stride + 1, (w + 2 * padding - kernelSize) / stride + 1)
    }

    /// True when the image is its own column matrix (1x1, stride 1, no padding).
    var isPointwise: Bool { kernelSize == 1 && stride == 1 && padding == 0 }

    /// True when the input gradient is a stride-1 convolution of dY (needs padding K-1-P >= 0).
    var hasTransposedLowering: Bool { stride == 1 && padding <= kernelSize - 1 }

    /// (N, C, H, W) -> (N, O, Ho, Wo).
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        forward(x, training: training, channelBias: nil, residual: nil)
    }

    /// (N, C, H, W) -> (N, O, Ho, Wo), with two additions fused into the output pass:
    /// `y[n,o,:,:] += channelBias[n,o]` (N, O) and `y += residual` (N, O, Ho, Wo).
    ///
    /// Their gradients are the caller's business (Σ_HW dY and dY): backward only covers the conv.
    func forward(_ x: Tensor, training: Bool, channelBias: Tensor?, residual: Tensor?) -> Tensor {
        let (n, c, h, w) = x.nchw("conv2d")
        precondition(
            c == inChannels,
            "conv2d: input (N,C,H,W)=\(x.shapeDescription) does not match weight C=\(inChannels)")
        let (ho, wo) = outputSize(h: h, w: w)
        precondition(ho > 0 && wo > 0, "conv2d: input \(x.shapeDescription) is smaller than kernel \(kernelSize)")
        if let channelBias {
            precondition(channelBias.shape == [n, outChannels], "conv2d: channel bias \(channelBias.shapeDescription) vs (\(n),\(outChannels))")
        }
        if let residual {
            precondition(residual.shape == [n, outChannels, ho, wo], "conv2d: residual \(residual.shapeDescription) vs (\(n),\(outChannels),\(ho),\(wo))")
        }
        if training { cachedInput = x }
        let g = Geometry(conv: self, c: c, h: h, w: w, ho: ho, wo: wo)
        let plan = SlabPlan(images: n, rows: ho, rowWidth: wo, target: Self.slabColumns, parts: ComputePool.shared.width)
        return makeTensor([n, outChannels, ho, wo]) { yp in
            x.data.withUnsafeBufferPointer { xp in
                store.values.withUnsafeBufferPointer { vp in
                    let epilogue = Epilogue(
                        bias: vp.baseAddress! + bias.offset, channelBias: channelBias?.data, residual: residual?.data)
                    epilogue.withPointers { ep in
                        let wp = vp.baseAddress! + weight.offset  // (O, CKK)
                        if usesWinograd4(n: n, h: h, w: w) {
                            let u = Workspace.current.floats(.weights, count: 36 * outChannels * c)  // (36, O, C)
                            Self.winograd4Weights(wp, o: outChannels, c: c, flipped: false, into: u)
                            Self.winograd4Convolve(xp.baseAddress!, n: n, inChannels: c, h: h, w: w, u: u,
                                                   outChannels: outChannels, into: yp, bias: ep.bias,
                                                   channelBias: ep.channelBias, residual: ep.residual)
                        } else if usesWinograd(n: n, h: h, w: w) {
                            let u = Workspace.current.floats(.weights, count: 16 * outChannels * c)  // (16, O, C)
                            Self.winogradWeights(wp, count: outChannels * c, into: u)
                            Self.winogradConvolve(xp.baseAddress!, n: n, inChannels: c, h: h, w: w, u: u,
                                                  outChannels: outChannels, transposed: false, into: yp, bias: ep.bias,
                                                  channelBias: ep.channelBias, residual: ep.residual)
                        } else if plan.count < ComputePool.shared.width && n == 1 {
                            forwardSplit(g, x: xp.baseAddress!, w: wp, y: yp, epilogue: ep)
                        } else {
                            forwardSlabs(g, plan: plan, x: xp.baseAddress!, w: wp, y: yp, epilogue: ep)
                        }
                    }
                }
            }
        }
    }

    /// Slabs in parallel: im2col, one GEMM, the epilogue (pre-filled, or fused into the scatter).
    private func forwardSlabs(
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
    private func forwardSplit(
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

    /// dY (N, O, Ho, Wo) -> dX (N, C, H, W); accumulates dW and db.
    public func backward(_ dy: Tensor) -> Tensor {
        guard let x = cachedInput else { preconditionFailure("conv2d.backward: no training forward to differentiate") }
        let (n, c, h, w) = x.nchw("conv2d.backward")
        let (ho, wo) = outputSize(h: h, w: w)
        precondition(
            dy.shape == [n, outChannels, ho, wo],
            "conv2d.backward: dY \(dy.shapeDescription) does not match output (\(n),\(outChannels),\(ho),\(wo))")
        let g = Geometry(conv: self, c: c, h: h, w: w, ho: ho, wo: wo)
        return makeTensor([n, c, h, w]) { dxp in
            x.data.withUnsafeBufferPointer { xp in
                dy.data.withUnsafeBufferPointer { dyp in
                    store.values.withUnsafeBufferPointer { vp in
                        store.grads.withUnsafeMutableBufferPointer { gp in
                            let wp = vp.baseAddress! + weight.offset
                            let dw = gp.baseAddress! + weight.offset, db = gp.baseAddress! + bias.offset
                            if usesWinograd(n: n, h: h, w: w) {
                                // forward: y = conv3x3(x) + b;  dX = conv3x3(dY) with the kernel flipped and transposed
                                if usesWinograd4(n: n, h: h, w: w) {
                                    Self.winograd4WeightGradients(x: xp.baseAddress!, dy: dyp.baseAddress!, n: n, c: c, h: h, w: w,
                                                                  o: outChannels, dw: dw, db: db)
                                    let u = Workspace.current.floats(.weights, count: 36 * outChannels * c)  // (36, C, O)
                                    Self.winograd4Weights(wp, o: outChannels, c: c, flipped: true, into: u)
                                    Self.winograd4Convolve(dyp.baseAddress!, n: n, inChannels: outChannels, h: h, w: w, u: u,
                                                           outChannels: c, into: dxp, bias: nil, channelBias: nil, residual: nil)
                                } else {
                                    Self.winogradWeightGradients(x: xp.baseAddress!, dy: dyp.baseAddress!, n: n, c: c, h: h, w: w,
                                                                 o: outChannels, dw: dw, db: db)
                                    // (U read transposed and permuted)
                                    let u = Workspace.current.floats(.weights, count: 16 * outChannels * c)
                                    Self.winogradWeights(wp, count: outChannels * c, into: u)
                                    Self.winogradConvolve(dyp.baseAddress!, n: n, inChannels: outChannels, h: h, w: w, u: u,
                                                          outChannels: c, transposed: true, into: dxp, bias: nil,
                                                          channelBias: nil, residual: nil)
                                }
                            } else {
                                weightGradients(g, n: n, x: xp.baseAddress!, dy: dyp.baseAddress!, dw: dw, db: db)
                                inputGradient(g, n: n, dy: dyp.baseAddress!, w: wp, dx: dxp)
                            }
                        }
                    }
                }
            }
        }
    }

    /// dW += Σ dY · colsᵀ and db += Σ dY, slab by slab; thread 0 adds straight into the gradient
    /// arena, the other threads into their own partials, summed at the end.
    private func weightGradients(
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
    private func inputGradient(
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

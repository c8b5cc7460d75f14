/// Winograd minimal filtering for the 3x3 / stride 1 / padding 1 convolutions: which variant a
/// batch takes, and the one slab driver every variant's forward and input gradient run through.
///
/// `WinogradF4x4` takes a batch when both sizes are divisible by 4, it has at least 128 tiles of
/// 4x4 and at most 128 channels on either side; else `WinogradF2x2` when both sizes are even and
/// there are at least 128 tiles of 2x2; else the im2col lowering. Per slab of tiles the driver
/// runs the variant's input transform (V = Bᵀ d B), α² GEMMs M_ξ = U_ξ · V_ξ and its output
/// transform (Y = Aᵀ M A, with the epilogue fused), so only the transforms differ between variants.
///
/// Backward: dX is the same computation on dY with the kernel flipped and transposed (each variant
/// says how its U represents that kernel); dW goes through `winogradWeightGradients`.
extension Conv2d {
    /// Floats between Winograd V and M planes beyond C·T (O·T), F(2x2) and F(4x4) alike: one
    /// cache line. C·T is often a multiple of 1024 floats, and 16 or 36 streams 4 KB apart share
    /// one L1 set (measured: the F(4x4) input transform 15.2% -> 9.5% of a training profile).
    static let planePadding = 16

    /// True when this convolution on n images of h x w takes Winograd variant `T`.
    func usesWinograd<T: WinogradTransforms>(_: T.Type, n: Int, h: Int, w: Int) -> Bool {
        let m = T.outputTile
        return kernelSize == 3 && stride == 1 && padding == 1 && h % m == 0 && w % m == 0
            && n * (h / m) * (w / m) >= T.minTiles
            && max(inChannels, outChannels) <= T.maxChannels
    }

    /// y (N, O, h, w) = conv3x3(x (N, C, h, w)) + the epilogue through variant `T`: U from the
    /// weight (O, C, 3, 3), then the slab driver.
    func winogradForward<T: WinogradTransforms>(
        _: T.Type, x: UnsafePointer<Float>, n: Int, c: Int, h: Int, w: Int, weight: UnsafePointer<Float>,
        into y: UnsafeMutablePointer<Float>, epilogue ep: Epilogue.Pointers
    ) {
        let u = Workspace.current.floats(.weights, count: T.positions * outChannels * c)  // (α², O, C)
        T.weights(weight, o: outChannels, c: c, flipped: false, into: u)
        Self.winogradConvolve(T.self, x, n: n, inChannels: c, h: h, w: w, u: u, outChannels: outChannels,
                              flipped: false, into: y, bias: ep.bias, channelBias: ep.channelBias, residual: ep.residual)
    }

    /// dX (N, C, h, w) from dY (N, O, h, w) through variant `T`; accumulates dW and db from the
    /// cached input x.
    func winogradBackward<T: WinogradTransforms>(
        _: T.Type, x: UnsafePointer<Float>, dy: UnsafePointer<Float>, n: Int, c: Int, h: Int, w: Int,
        weight: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, dw: UnsafeMutablePointer<Float>,
        db: UnsafeMutablePointer<Float>
    ) {
        Self.winogradWeightGradients(T.self, x: x, dy: dy, n: n, c: c, h: h, w: w, o: outChannels, dw: dw, db: db)
        // forward: y = conv3x3(x) + b;  dX = conv3x3(dY) with the kernel flipped and transposed
        let u = Workspace.current.floats(.weights, count: T.positions * outChannels * c)  // as `kernelPlane` reads it
        T.weights(weight, o: outChannels, c: c, flipped: true, into: u)
        Self.winogradConvolve(T.self, dy, n: n, inChannels: outChannels, h: h, w: w, u: u, outChannels: c,
                              flipped: true, into: dx, bias: nil, channelBias: nil, residual: nil)
    }

    /// y (N, O, h, w) = conv3x3(x (N, C, h, w)) through variant `T` with U from `T.weights`, plus
    /// `bias` (O), `channelBias` (N, O) and `residual` (N, O, h, w) when given. With `flipped`, U
    /// holds the kernel of the input gradient instead (x is dY with O channels, y is dX with C).
    /// No sums across threads: each slab owns its tiles' outputs, so the result does not depend
    /// on the schedule.
    static func winogradConvolve<T: WinogradTransforms>(
        _: T.Type, _ x: UnsafePointer<Float>, n: Int, inChannels c: Int, h: Int, w: Int, u: UnsafePointer<Float>,
        outChannels o: Int, flipped: Bool, into y: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?,
        channelBias: UnsafePointer<Float>?, residual: UnsafePointer<Float>?
    ) {
        let tile = T.outputTile, positions = T.positions, plan = T.plan(images: n, h: h, w: w)
        let tilesPerImage = (h / tile) * (w / tile), inSize = c * h * w, outSize = o * h * w
        ComputePool.shared.parallelFor(plan.count) { t in
            let s = plan.slab(t)
            let tiles = s.images == 1 ? s.rows.count * (w / tile) : s.images * tilesPerImage
            let ws = Workspace.current
            // (α², C, T) and (α², O, T), planes padded by a cache line (see `planePadding`)
            let vps = c * tiles + planePadding, mps = o * tiles + planePadding
            let v = ws.floats(.columns, count: positions * vps)
            let m = ws.floats(.gathered, count: positions * mps)
            // the input transform's rows, then the output transform's (m·α, tiles) — never both at once
            let z = ws.floats(.rowScratch, count: max(T.inputScratch(w: w), T.outputScratch(tiles: s.rows.count * (w / tile))))
            for j in 0..<s.images {
                T.input(x + (s.image + j) * inSize, channels: c, h: h, w: w, tileRows: s.rows,
                        into: v + j * tilesPerImage, ld: tiles, planeStride: vps, z: z)
            }
            for xi in 0..<positions {
                // M_ξ (O, T) = U_ξ (O, C) · V_ξ (C, T), U_ξ stored (C, O) when read transposed
                let uPlane = T.kernelPlane(xi, flipped: flipped)
                gemm(transA: uPlane.transposed, m: o, n: tiles, k: c, a: u + uPlane.plane * o * c,
                     lda: uPlane.transposed ? o : c,
                     b: v + xi * vps, ldb: tiles, beta: 0, c: m + xi * mps, ldc: tiles)
            }
            for j in 0..<s.images {
                let img = s.image + j
                T.output(m + j * tilesPerImage, rows: o, ld: tiles, planeStride: mps, tileRows: s.rows,
                         h: h, w: w, into: y + img * outSize, bias: bias, extra: channelBias.map { $0 + img * o },
                         residual: residual.map { $0 + img * outSize }, scratch: z)
            }
        }
    }
}

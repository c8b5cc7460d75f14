/// Winograd's minimal filtering F(2x2, 3x3) for the UNet's 3x3 / stride 1 / padding 1 convolutions.
///
/// F(4x4, 3x3) (Conv2d+Winograd4.swift) takes over when both sizes are divisible by 4 and the batch
/// has at least 128 tiles of 4x4; this path serves the rest (batch 1 at 32x32, sizes 2 mod 4).
///
/// Each 2x2 block of outputs ("tile") is computed from the 4x4 input patch around it as
/// `Y = Aᵀ [ Σ_c (G g_c Gᵀ) ⊙ (Bᵀ d_c B) ] A` (Lavin & Gray 2016), with
///
///     Bᵀ = | 1  0 -1  0 |     G = | 1    0    0  |     Aᵀ = | 1  1  1  0 |
///          | 0  1  1  0 |         | 1/2  1/2  1/2 |          | 0  1 -1 -1 |
///          | 0 -1  1  0 |         | 1/2 -1/2  1/2 |
///          | 0  1  0 -1 |         | 0    0    1  |
///
/// so the sum over input channels becomes 16 GEMMs `M_ξ (O, T) = U_ξ (O, C) · V_ξ (C, T)`, one
/// per position ξ of the 4x4 transformed tile, over T tiles: 16·C·O multiply-adds per 4 outputs
/// where im2col needs 36·C·O, 2.25x fewer. The transforms only add and halve (errors of a few
/// ulp, inside the tests' tolerances), and the transformed input is 4 floats per output position
/// and channel where im2col's columns are 9.
///
/// Backward: dX is the same computation on dY with the kernel flipped and transposed; for dW,
/// `dU_ξ (O, C) = Σ_T dM_ξ (O, T) · V_ξᵀ` with `dM = A dY_tile Aᵀ`, then `dW = Gᵀ dU G`.
/// Layouts: U (16, O, C), V (16, C, T), M (16, O, T), each ξ-plane row-major. Tiles of a slab
/// are numbered image by image, tile row by tile row.
extension Conv2d {
    typealias V4 = SIMD4<Float>
    typealias V8 = SIMD8<Float>

    /// Tiles per Winograd slab (each of its 16 GEMMs is (O, C)·(C, T) with T about this).
    static let winogradTiles = 128
    /// Fewest tiles in a batch for Winograd: below it, transforming the weights (16·O·C floats per
    /// call) costs more than the 20·O·C multiply-adds it saves per tile.
    static let winogradMinTiles = 128

    /// True when this convolution on n images of h x w takes the Winograd path.
    func usesWinograd(n: Int, h: Int, w: Int) -> Bool {
        kernelSize == 3 && stride == 1 && padding == 1 && h % 2 == 0 && w % 2 == 0
            && n * (h / 2) * (w / 2) >= Self.winogradMinTiles
    }

    /// Where the tiles of a batch go: slabs of tile rows (or of whole images) of about
    /// `winogradTiles` tiles.
    static func winogradPlan(images n: Int, h: Int, w: Int) -> SlabPlan {
        SlabPlan(images: n, rows: h / 2, rowWidth: w / 2, target: winogradTiles, parts: ComputePool.shared.width)
    }

    @inline(__always) static func load4(_ p: UnsafePointer<Float>) -> V4 { UnsafeRawPointer(p).loadUnaligned(as: V4.self) }
    @inline(__always) static func load8(_ p: UnsafePointer<Float>) -> V8 { UnsafeRawPointer(p).loadUnaligned(as: V8.self) }
    @inline(__always) static func store(_ v: V4, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: V4.self) }
    @inline(__always) static func store(_ v: V8, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: V8.self) }
    /// (a0, b0, a1, b1, a2, b2, a3, b3)
    @inline(__always) static func interleave(_ a: V4, _ b: V4) -> V8 { V8(a[0], b[0], a[1], b[1], a[2], b[2], a[3], b[3]) }

    /// U (16, O, C) from W (O, C, 3, 3): U_ξ[o][c] = (G g Gᵀ)[ξ] with g = W[o][c]; `count` = O*C.
    /// Four (o, c) pairs at a time (their kernels are 9 floats apart, the U planes contiguous).
    static func winogradWeights(_ w: UnsafePointer<Float>, count: Int, into u: UnsafeMutablePointer<Float>) {
        ComputePool.shared.parallelRanges((count + 3) / 4, grain: 1024) { range in
            for q in range {
                let k = q * 4
                if k + 4 <= count {
                    let src = w + k * 9
                    weightTransform(
                        { t in V4(src[t], src[9 + t], src[18 + t], src[27 + t]) },
                        { xi, v in store(v, u + xi * count + k) })
                } else {
                    for kk in k..<count {
                        let src = w + kk * 9
                        weightTransform(
                            { t in V4(repeating: src[t]) },
                            { xi, v in u[xi * count + kk] = v[0] })
                    }
                }
            }
        }
    }

    /// G g Gᵀ for four kernels at once: `tap(t)` gives tap t (row-major 3x3) of each, `put(ξ, v)`
    /// receives the 16 results.
    @inline(__always)
    static func weightTransform(_ tap: (Int) -> V4, _ put: (Int, V4) -> Void) {
        // one row of (G g) Gᵀ from one row (t0, t1, t2) of G g: [t0, (t0+t1+t2)/2, (t0-t1+t2)/2, t2]
        @inline(__always) func row(_ a: Int, _ t0: V4, _ t1: V4, _ t2: V4) {
            put(a * 4, t0)
            put(a * 4 + 1, 0.5 * (t0 + t1 + t2))
            put(a * 4 + 2, 0.5 * (t0 - t1 + t2))
            put(a * 4 + 3, t2)
        }
        let g00 = tap(0), g01 = tap(1), g02 = tap(2), g10 = tap(3), g11 = tap(4), g12 = tap(5)
        let g20 = tap(6), g21 = tap(7), g22 = tap(8)
        // G g (4x3): rows [g0, (g0+g1+g2)/2, (g0-g1+g2)/2, g2]
        row(0, g00, g01, g02)
        row(1, 0.5 * (g00 + g10 + g20), 0.5 * (g01 + g11 + g21), 0.5 * (g02 + g12 + g22))
        row(2, 0.5 * (g00 - g10 + g20), 0.5 * (g01 - g11 + g21), 0.5 * (g02 - g12 + g22))
        row(3, g20, g21, g22)
    }

    /// dW (O, C, 3, 3) += Gᵀ dU G for every (o, c); dU (16, O, C), `count` = O*C.
    static func winogradWeightGradient(_ du: UnsafePointer<Float>, count: Int, into dw: UnsafeMutablePointer<Float>) {
        ComputePool.shared.parallelRanges((count + 3) / 4, grain: 1024) { range in
            for q in range {
                let k = q * 4
                if k + 4 <= count {
                    let g = dw + k * 9
                    weightGradientTransform({ xi in load4(du + xi * count + k) }) { t, v in
                        g[t] += v[0]; g[9 + t] += v[1]; g[18 + t] += v[2]; g[27 + t] += v[3]
                    }
                } else {
                    for kk in k..<count {
                        let g = dw + kk * 9
                        weightGradientTransform({ xi in V4(repeating: du[xi * count + kk]) }) { t, v in g[t] += v[0] }
                    }
                }
            }
        }
    }

    /// Gᵀ dU G for four (o, c) pairs at once: `d(ξ)` gives dU's 16 planes, `add(t, v)` receives
    /// the 9 kernel taps (row-major 3x3).
    @inline(__always)
    static func weightGradientTransform(_ d: (Int) -> V4, _ add: (Int, V4) -> Void) {
        // p = Gᵀ dU (3x4), over the first index: [d0 + (d1+d2)/2, (d1-d2)/2, (d1+d2)/2 + d3]
        @inline(__always) func col(_ b: Int) -> (V4, V4, V4) {
            let d0 = d(b), d1 = d(4 + b), d2 = d(8 + b), d3 = d(12 + b)
            return (d0 + 0.5 * (d1 + d2), 0.5 * (d1 - d2), 0.5 * (d1 + d2) + d3)
        }
        let c0 = col(0), c1 = col(1), c2 = col(2), c3 = col(3)
        // dg = p G (3x3), over the second index likewise
        @inline(__always) func row(_ i: Int, _ p0: V4, _ p1: V4, _ p2: V4, _ p3: V4) {
            add(i * 3, p0 + 0.5 * (p1 + p2))
            add(i * 3 + 1, 0.5 * (p1 - p2))
            add(i * 3 + 2, 0.5 * (p1 + p2) + p3)
        }
        row(0, c0.0, c1.0, c2.0, c3.0)
        row(1, c0.1, c1.1, c2.1, c3.1)
        row(2, c0.2, c1.2, c2.2, c3.2)
    }

    /// V tiles of tile rows `tileRows` of one image (C, h, w) into columns starting at `v`:
    /// V_ξ[c][t] = (Bᵀ d B)[ξ] for the 4x4 patch with top-left (2ty-1, 2tx-1), zero outside.
    /// V planes are `planeStride` apart, channel rows `ld` apart. `z` is scratch of 5*(w+2)+8 floats.
    static func winogradInput(
        _ x: UnsafePointer<Float>, channels: Int, h: Int, w: Int, tileRows: Range<Int>,
        into v: UnsafeMutablePointer<Float>, ld: Int, planeStride: Int, z: UnsafeMutablePointer<Float>
    ) {
        let tw = w / 2, wp = w + 2
        let z0 = z, z1 = z + wp, z2 = z + 2 * wp, z3 = z + 3 * wp, zero = z + 4 * wp + 8
        zero.update(repeating: 0, count: w)
        for ci in 0..<channels {
            let plane = x + ci * h * w
            for ty in tileRows {
                let t0 = (ty - tileRows.lowerBound) * tw
                // Bᵀ d over the input rows 2ty-1 ... 2ty+2 (zero outside), into rows padded by one
                // zero column on each side (z[j + 1] is input column j)
                let r0 = 2 * ty - 1
                let p0 = r0 >= 0 ? UnsafePointer(plane + r0 * w) : UnsafePointer(zero)
                let p1 = plane + (r0 + 1) * w, p2 = plane + (r0 + 2) * w
                let p3 = r0 + 3 < h ? UnsafePointer(plane + (r0 + 3) * w) : UnsafePointer(zero)
                z0[0] = 0; z1[0] = 0; z2[0] = 0; z3[0] = 0
                z0[wp - 1] = 0; z1[wp - 1] = 0; z2[wp - 1] = 0; z3[wp - 1] = 0
                var j = 0
                while j + 4 <= w {
                    let a0 = load4(p0 + j), a1 = load4(p1 + j), a2 = load4(p2 + j), a3 = load4(p3 + j)
                    store(a0 - a2, z0 + j + 1)
                    store(a1 + a2, z1 + j + 1)
                    store(a2 - a1, z2 + j + 1)
                    store(a1 - a3, z3 + j + 1)
                    j += 4
                }
                while j < w {
                    let a0 = p0[j], a1 = p1[j], a2 = p2[j], a3 = p3[j]
                    z0[j + 1] = a0 - a2; z1[j + 1] = a1 + a2; z2[j + 1] = a2 - a1; z3[j + 1] = a1 - a3
                    j += 1
                }
                // ... then B along each row: patch columns 2tx-1 ... 2tx+2 are z[2tx ... 2tx+3]
                for a in 0..<4 {
                    let zr = UnsafePointer(z + a * wp)
                    let o0 = v + (a * 4) * planeStride + ci * ld + t0
                    let o1 = o0 + planeStride, o2 = o0 + 2 * planeStride, o3 = o0 + 3 * planeStride
                    var tx = 0
                    while tx + 4 <= tw {
                        // z[2tx ...] deinterleaved: d0 = z[2tx+2i], d1 = z[2tx+2i+1], d2 = z[2tx+2i+2], ...
                        let lo = load8(zr + 2 * tx), hi = load8(zr + 2 * tx + 2)
                        let d0 = lo.evenHalf, d1 = lo.oddHalf, d2 = hi.evenHalf, d3 = hi.oddHalf
                        store(d0 - d2, o0 + tx)
                        store(d1 + d2, o1 + tx)
                        store(d2 - d1, o2 + tx)
                        store(d1 - d3, o3 + tx)
                        tx += 4
                    }
                    while tx < tw {
                        let d0 = zr[2 * tx], d1 = zr[2 * tx + 1], d2 = zr[2 * tx + 2], d3 = zr[2 * tx + 3]
                        o0[tx] = d0 - d2; o1[tx] = d1 + d2; o2[tx] = d2 - d1; o3[tx] = d1 - d3
                        tx += 1
                    }
                }
            }
        }
    }

    /// Floats of `winogradOutput`'s scratch for tile rows `tileRows` of an image `w` wide.
    static func winogradOutputScratch(tileRows: Int, w: Int) -> Int { 8 * tileRows * (w / 2) }

    /// Y = Aᵀ M A for the tiles of tile rows `tileRows` of one image, read from columns starting at
    /// `m` (planes `planeStride` apart, rows `ld` apart), written into the image's (rows, h, w)
    /// output plus `bias[r]` (+ `extra[r]`) (+ `residual`, same layout as the output).
    ///
    /// Two passes per output channel, like the separable transform itself: Aᵀ M over the first
    /// tile index, one column b of the 4x4 tile at a time (4 planes in, 2 rows of `scratch` out,
    /// over all the image's tiles in one run), then A over the second index from the 8 scratch
    /// rows. Reading the 16 planes in one loop needs 16 live addresses, more than the registers
    /// (the compiler rebuilt them in a chain of adds per 4 tiles), and its runs were one tile row.
    /// `scratch` holds `winogradOutputScratch(tileRows:w:)` floats, (8, tiles); the sums are
    /// grouped as in the one-loop form, so results are unchanged bit for bit.
    static func winogradOutput(
        _ m: UnsafePointer<Float>, rows: Int, ld: Int, planeStride: Int, tileRows: Range<Int>, h: Int, w: Int,
        into y: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?, extra: UnsafePointer<Float>?,
        residual: UnsafePointer<Float>?, scratch: UnsafeMutablePointer<Float>
    ) {
        let tw = w / 2, ps = planeStride, nt = tileRows.count * tw
        for r in 0..<rows {
            // pass 1: u_b = m_0b + m_1b + m_2b, v_b = m_1b - m_2b - m_3b (rows b and 4+b of scratch)
            let mr = m + r * ld
            for b in 0..<4 {
                let p0 = mr + b * ps, p1 = p0 + 4 * ps, p2 = p1 + 4 * ps, p3 = p2 + 4 * ps
                let u = scratch + b * nt, v = scratch + (4 + b) * nt
                var t = 0
                while t + 8 <= nt {
                    let m1 = load8(p1 + t), m2 = load8(p2 + t)
                    store(load8(p0 + t) + m1 + m2, u + t)
                    store(m1 - m2 - load8(p3 + t), v + t)
                    t += 8
                }
                while t < nt {
                    u[t] = p0[t] + p1[t] + p2[t]
                    v[t] = p1[t] - p2[t] - p3[t]
                    t += 1
                }
            }
            // pass 2: y00 = u0 + u1 + u2, y01 = u1 - u2 - u3, y10, y11 likewise from v, plus the epilogue
            let b = (bias?[r] ?? 0) + (extra?[r] ?? 0)
            let bv = V8(repeating: b)
            for ty in tileRows {
                let k = (ty - tileRows.lowerBound) * tw
                let u0 = UnsafePointer(scratch + k), u1 = u0 + nt, u2 = u1 + nt, u3 = u2 + nt
                let v0 = u3 + nt, v1 = v0 + nt, v2 = v1 + nt, v3 = v2 + nt
                let y0 = y + r * h * w + (2 * ty) * w, y1 = y0 + w
                let q0 = residual.map { $0 + r * h * w + (2 * ty) * w }
                var tx = 0
                while tx + 4 <= tw {
                    let a1 = load4(u1 + tx), a2 = load4(u2 + tx), c1 = load4(v1 + tx), c2 = load4(v2 + tx)
                    var row0 = interleave(load4(u0 + tx) + a1 + a2, a1 - a2 - load4(u3 + tx)) + bv
                    var row1 = interleave(load4(v0 + tx) + c1 + c2, c1 - c2 - load4(v3 + tx)) + bv
                    if let q0 {
                        row0 += load8(q0 + 2 * tx)
                        row1 += load8(q0 + w + 2 * tx)
                    }
                    store(row0, y0 + 2 * tx)
                    store(row1, y1 + 2 * tx)
                    tx += 4
                }
                while tx < tw {
                    var v00 = u0[tx] + u1[tx] + u2[tx] + b, v01 = u1[tx] - u2[tx] - u3[tx] + b
                    var v10 = v0[tx] + v1[tx] + v2[tx] + b, v11 = v1[tx] - v2[tx] - v3[tx] + b
                    if let q0 {
                        v00 += q0[2 * tx]; v01 += q0[2 * tx + 1]; v10 += q0[w + 2 * tx]; v11 += q0[w + 2 * tx + 1]
                    }
                    y0[2 * tx] = v00; y0[2 * tx + 1] = v01; y1[2 * tx] = v10; y1[2 * tx + 1] = v11
                    tx += 1
                }
            }
        }
    }

    /// dM = A dY_tile Aᵀ (4x4 from each 2x2 block of dY) for tile rows `tileRows` of one image's
    /// (rows, h, w) gradient, into columns starting at `dm` (planes `planeStride` apart, rows `ld`).
    ///
    /// One pass per row a of A: q = (A e)[a] (two values per tile), then q Aᵀ into the four planes
    /// 4a ... 4a+3. Writing all 16 planes in one loop needs 16 live plane addresses, more than
    /// the registers, and measured slower: the compiler rebuilt them in a chain of adds per
    /// iteration. Re-reading the two dY rows four times costs little (they stay in L1).
    static func winogradOutputGradient(
        _ dy: UnsafePointer<Float>, rows: Int, h: Int, w: Int, tileRows: Range<Int>,
        into dm: UnsafeMutablePointer<Float>, ld: Int, planeStride: Int
    ) {
        let tw = w / 2, ps = planeStride
        for r in 0..<rows {
            for ty in tileRows {
                let out = dm + r * ld + (ty - tileRows.lowerBound) * tw
                let e0 = dy + r * h * w + (2 * ty) * w, e1 = e0 + w
                // one plane row a: `rowA(e0 values, e1 values)` is (A e)[a], A = [1 0; 1 1; 1 -1; 0 -1]
                @inline(__always) func pass(_ a: Int, _ rowA: (V4, V4) -> V4, _ rowS: (Float, Float) -> Float) {
                    let p0 = out + (4 * a) * ps, p1 = p0 + ps, p2 = p1 + ps, p3 = p2 + ps
                    var tx = 0
                    while tx + 4 <= tw {
                        let u = load8(e0 + 2 * tx), v = load8(e1 + 2 * tx)
                        let q0 = rowA(u.evenHalf, v.evenHalf), q1 = rowA(u.oddHalf, v.oddHalf)
                        store(q0, p0 + tx)
                        store(q0 + q1, p1 + tx)
                        store(q0 - q1, p2 + tx)
                        store(-q1, p3 + tx)
                        tx += 4
                    }
                    while tx < tw {
                        let q0 = rowS(e0[2 * tx], e1[2 * tx]), q1 = rowS(e0[2 * tx + 1], e1[2 * tx + 1])
                        p0[tx] = q0; p1[tx] = q0 + q1; p2[tx] = q0 - q1; p3[tx] = -q1
                        tx += 1
                    }
                }
                pass(0, { u, _ in u }, { u, _ in u })
                pass(1, { u, v in u + v }, { u, v in u + v })
                pass(2, { u, v in u - v }, { u, v in u - v })
                pass(3, { _, v in -v }, { _, v in -v })
            }
        }
    }

    /// y (N, O, h, w) = conv3x3(x (N, C, h, w)) through Winograd with U (16, O, C), plus `bias` (O),
    /// `channelBias` (N, O) and `residual` (N, O, h, w) when given. With `transposed`, U is used as
    /// the kernel of the input gradient instead: y has C channels, x has O, and plane ξ is
    /// U_{p(ξ)}ᵀ where p swaps tile index 0 and 3 on both axes (G·rot180(g)·Gᵀ = P (G g Gᵀ) Pᵀ).
    static func winogradConvolve(
        _ x: UnsafePointer<Float>, n: Int, inChannels c: Int, h: Int, w: Int, u: UnsafePointer<Float>,
        outChannels o: Int, transposed: Bool, into y: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?,
        channelBias: UnsafePointer<Float>?, residual: UnsafePointer<Float>?
    ) {
        let plan = winogradPlan(images: n, h: h, w: w)
        let tilesPerImage = (h / 2) * (w / 2), inSize = c * h * w, outSize = o * h * w
        ComputePool.shared.parallelFor(plan.count) { t in
            let s = plan.slab(t)
            let tiles = s.images == 1 ? s.rows.count * (w / 2) : s.images * tilesPerImage
            let ws = Workspace.current
            // (16, C, T) and (16, O, T), planes padded by a cache line (see `planePadding`)
            let vps = c * tiles + planePadding, mps = o * tiles + planePadding
            let v = ws.floats(.columns, count: 16 * vps)
            let m = ws.floats(.gathered, count: 16 * mps)
            // the input transform's rows, then the output transform's (8, tiles) — never both at once
            let z = ws.floats(.rowScratch, count: max(5 * (w + 2) + 8, winogradOutputScratch(tileRows: s.rows.count, w: w)))
            for j in 0..<s.images {
                winogradInput(x + (s.image + j) * inSize, channels: c, h: h, w: w, tileRows: s.rows,
                              into: v + j * tilesPerImage, ld: tiles, planeStride: vps, z: z)
            }
            for xi in 0..<16 {
                if transposed {
                    // M_ξ (C', T) = U_{p(ξ)}ᵀ (C', O') · V_ξ (O', T), U planes stored (O', C') = (c, o) here
                    let a = xi / 4, b = xi % 4
                    let pa = a == 0 ? 3 : (a == 3 ? 0 : a), pb = b == 0 ? 3 : (b == 3 ? 0 : b)
                    gemm(transA: true, m: o, n: tiles, k: c, a: u + (pa * 4 + pb) * o * c, lda: o,
                         b: v + xi * vps, ldb: tiles, beta: 0, c: m + xi * mps, ldc: tiles)
                } else {
                    // M_ξ (O, T) = U_ξ (O, C) · V_ξ (C, T)
                    gemm(m: o, n: tiles, k: c, a: u + xi * o * c, lda: c, b: v + xi * vps, ldb: tiles,
                         beta: 0, c: m + xi * mps, ldc: tiles)
                }
            }
            for j in 0..<s.images {
                let img = s.image + j
                winogradOutput(m + j * tilesPerImage, rows: o, ld: tiles, planeStride: mps, tileRows: s.rows,
                               h: h, w: w, into: y + img * outSize, bias: bias, extra: channelBias.map { $0 + img * o },
                               residual: residual.map { $0 + img * outSize }, scratch: z)
            }
        }
    }

    /// dW (O, C, 3, 3) += Σ over the batch through Winograd, and db (O) += Σ dY; x (N, C, h, w) is
    /// the cached input, dy (N, O, h, w).
    static func winogradWeightGradients(
        x: UnsafePointer<Float>, dy: UnsafePointer<Float>, n: Int, c: Int, h: Int, w: Int, o: Int,
        dw: UnsafeMutablePointer<Float>, db: UnsafeMutablePointer<Float>
    ) {
        winogradWeightGradients(
            WinogradGradientKernels(
                outputTile: 2, plan: winogradPlan(images: n, h: h, w: w), rowScratch: 5 * (w + 2) + 8,
                input: winogradInput, outputGradient: winogradOutputGradient, weightGradient: winogradWeightGradient),
            x: x, dy: dy, n: n, c: c, h: h, w: w, o: o, dw: dw, db: db)
    }

    /// What differs between F(2x2) and F(4x4) in the weight gradient: the tile, the slabs and the
    /// three transforms (with the signatures of `winogradInput`, `winogradOutputGradient` and
    /// `winogradWeightGradient`).
    struct WinogradGradientKernels {
        /// Output tile side m: m x m outputs per tile, (m+2)^2 transformed positions.
        let outputTile: Int
        let plan: SlabPlan
        /// Floats of row scratch the input transform needs.
        let rowScratch: Int
        let input: (UnsafePointer<Float>, Int, Int, Int, Range<Int>, UnsafeMutablePointer<Float>, Int, Int, UnsafeMutablePointer<Float>) -> Void
        let outputGradient: (UnsafePointer<Float>, Int, Int, Int, Range<Int>, UnsafeMutablePointer<Float>, Int, Int) -> Void
        let weightGradient: (UnsafePointer<Float>, Int, UnsafeMutablePointer<Float>) -> Void
    }

    /// The weight gradient shared by both tile sizes: per slab V = Bᵀ d B of x and dM of dY, then
    /// dU_ξ (O, C) += dM_ξ (O, T) · V_ξᵀ per position, one dU partial per thread; dW += Gᵀ dU G.
    static func winogradWeightGradients(
        _ k: WinogradGradientKernels,
        x: UnsafePointer<Float>, dy: UnsafePointer<Float>, n: Int, c: Int, h: Int, w: Int, o: Int,
        dw: UnsafeMutablePointer<Float>, db: UnsafeMutablePointer<Float>
    ) {
        let pool = ComputePool.shared
        let threads = pool.width
        let m = k.outputTile, positions = (m + 2) * (m + 2), plan = k.plan
        let tilesPerImage = (h / m) * (w / m), inSize = c * h * w, outSize = o * h * w, l = h * w
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
                let tiles = s.images == 1 ? s.rows.count * (w / m) : s.images * tilesPerImage
                let ws = Workspace.current
                let du = scratch + thread * uCount
                let first = used[thread] == 0
                used[thread] = 1
                // (positions, C, T) and (positions, O, T), planes padded by a cache line (see `planePadding`)
                let vps = c * tiles + planePadding, mps = o * tiles + planePadding
                let v = ws.floats(.columns, count: positions * vps)
                let dm = ws.floats(.gathered, count: positions * mps)
                let z = ws.floats(.rowScratch, count: k.rowScratch)
                for j in 0..<s.images {
                    let img = s.image + j
                    k.input(x + img * inSize, c, h, w, s.rows, v + j * tilesPerImage, tiles, vps, z)
                    k.outputGradient(dy + img * outSize, o, h, w, s.rows, dm + j * tilesPerImage, tiles, mps)
                    // db += Σ dY over this slab's positions
                    let start = s.rows.lowerBound * m * w, count = s.rows.count * m * w
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
        k.weightGradient(scratch, o * c, dw)
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

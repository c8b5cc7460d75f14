/// Winograd F(4x4, 3x3) for the forward of 3x3 / stride 1 / padding 1 convolutions on sizes
/// divisible by 4 (the UNet's 32, 16 and 8), and for the input gradient (the same convolution of
/// dY with the kernel flipped and transposed).
///
/// Each 4x4 tile of outputs comes from the 6x6 input patch around it as
/// `Y = Aᵀ [ Σ_c (G g_c Gᵀ) ⊙ (Bᵀ d_c B) ] A`: 36 GEMMs `M_ξ (O, T) = U_ξ (O, C) · V_ξ (C, T)`,
/// 2.25 multiply-adds per output and channel pair where F(2x2) needs 4 and im2col 9, and 2.25
/// transformed floats per output where F(2x2) moves 4. Interpolation points 0, ±1, ±1/2 and ∞
/// (Toom-Cook): unlike Lavin & Gray's 0, ±1, ±2, every entry of Aᵀ is a power of two of size
/// at most 1 and Bᵀ's largest is 5, so the output transform does not amplify the GEMM's rounding
/// (with ±2 it multiplies by 8) and fp32 stays within the tests' 1e-5. B's rows are scaled to
/// integers and G's by the inverse (G is applied once per call, to the weights):
///
///     Bᵀ = | 1  0 -5  0  4  0 |    G = |  1     0     0   |    Aᵀ = | 1  1  1   1    1   0 |
///          | 0 -1 -1  4  4  0 |        |  1/6   1/6   1/6 |         | 0  1 -1  1/2 -1/2  0 |
///          | 0  1 -1 -4  4  0 |        |  1/6  -1/6   1/6 |         | 0  1  1  1/4  1/4  0 |
///          | 0 -1 -2  1  2  0 |        | -4/3  -2/3  -1/3 |         | 0  1 -1  1/8 -1/8  1 |
///          | 0  1 -2 -1  2  0 |        | -4/3   2/3  -1/3 |
///          | 0  1  0 -5  0  4 |        |  0     0     1/4 |
///
/// Flipping the kernel does not permute these points (it maps p to 1/p, and 2 is not a point), so
/// the input gradient transforms the flipped, transposed kernel itself rather than reading U
/// permuted as F(2x2) does. Checked against the nested-loop reference in LayerConvFastPathTests.
/// Layouts: U (36, O, C), V (36, C, T), M (36, O, T); the weight gradient's transforms are in
/// WinogradF4x4+Gradient.swift.
enum WinogradF4x4: WinogradTransforms {
    static let outputTile = 4
    /// Tiles per slab: V is 36·C·T floats, about the L2 footprint of F(2x2)'s 128 tiles.
    static let slabTiles = 64
    /// Fewest 4x4 tiles in a batch. Not F(2x2)'s 512 outputs: one 32x32 image (64 tiles) would be
    /// a single slab, one thread idle, where F(2x2) has two (measured: sampling at batch 1 3.1 ->
    /// 3.6 ms); with 128 every F(4x4) batch has at least two slabs.
    static let minTiles = 128
    /// Most channels on either side. F(4x4)'s rounding grows with the length of the channel sum
    /// (forward: C, input gradient: O): measured against the nested-loop reference, relative error
    /// 4.7e-6 at 32 channels, 7.9e-6 at 64, 9.8e-6 (dX) at 128, against 2-4e-7 for F(2x2). Wider
    /// layers (the course preset's 256 and 512) stay on F(2x2) so no path exceeds 1e-5.
    static let maxChannels = 128

    /// Six rows of Bᵀ d (one zero column in front, seven behind for the last 16-wide loads) and a
    /// zero row.
    static func inputScratch(w: Int) -> Int { 7 * (w + 8) }

    /// U (36, O, C) = G g Gᵀ for g = W[o][c] (W (O, C, 3, 3)), or with `flipped` for the input
    /// gradient: U (36, C, O) from g = rot180(W[o][c]) at (c, o). Four kernels per step.
    static func weights(_ w: UnsafePointer<Float>, o: Int, c: Int, flipped: Bool, into u: UnsafeMutablePointer<Float>) {
        let count = o * c
        // source kernel of U entry k (row-major (O, C), or (C, O) when flipped), and its tap order
        @inline(__always) func kernel(_ k: Int) -> UnsafePointer<Float> { flipped ? w + ((k % o) * c + k / o) * 9 : w + k * 9 }
        ComputePool.shared.parallelRanges((count + 3) / 4, grain: 512) { range in
            for q in range {
                let k = q * 4, lanes = min(4, count - k)
                let s0 = kernel(k), s1 = kernel(k + min(1, lanes - 1)), s2 = kernel(k + min(2, lanes - 1)), s3 = kernel(k + lanes - 1)
                weightTransform({ t in
                    let i = flipped ? 8 - t : t
                    return V4(s0[i], s1[i], s2[i], s3[i])
                }, { xi, v in
                    let dst = u + xi * count + k
                    if lanes == 4 { store(v, dst) } else { for l in 0..<lanes { dst[l] = v[l] } }
                })
            }
        }
    }

    /// G g Gᵀ for four kernels: `tap(t)` gives tap t (row-major 3x3), `put(ξ, v)` takes the 36.
    @inline(__always)
    static func weightTransform(_ tap: (Int) -> V4, _ put: (Int, V4) -> Void) {
        // G applied to (t0, t1, t2): the six rows of G above
        @inline(__always) func g6(_ t0: V4, _ t1: V4, _ t2: V4) -> (V4, V4, V4, V4, V4, V4) {
            let even = t0 + t2, sixth: Float = 1.0 / 6.0, third: Float = 1.0 / 3.0
            let far = 4 * t0 + t2
            return (t0, sixth * (even + t1), sixth * (even - t1), -third * (far + 2 * t1), -third * (far - 2 * t1), 0.25 * t2)
        }
        let c0 = g6(tap(0), tap(3), tap(6)), c1 = g6(tap(1), tap(4), tap(7)), c2 = g6(tap(2), tap(5), tap(8))
        // (G g) is 6x3 with columns c0, c1, c2; row a times Gᵀ gives U[a][0 ..< 6]
        @inline(__always) func row(_ a: Int, _ t0: V4, _ t1: V4, _ t2: V4) {
            let r = g6(t0, t1, t2)
            put(a * 6, r.0); put(a * 6 + 1, r.1); put(a * 6 + 2, r.2)
            put(a * 6 + 3, r.3); put(a * 6 + 4, r.4); put(a * 6 + 5, r.5)
        }
        row(0, c0.0, c1.0, c2.0); row(1, c0.1, c1.1, c2.1); row(2, c0.2, c1.2, c2.2)
        row(3, c0.3, c1.3, c2.3); row(4, c0.4, c1.4, c2.4); row(5, c0.5, c1.5, c2.5)
    }

    /// Plane ξ as stored: `weights` transforms the flipped, transposed kernel itself.
    static func kernelPlane(_ xi: Int, flipped: Bool) -> (plane: Int, transposed: Bool) { (xi, false) }

    /// Bᵀ d for six values (the matrix above), shared by the column and the row pass.
    @inline(__always)
    static func inputTransform6<T: SIMD>(_ d0: T, _ d1: T, _ d2: T, _ d3: T, _ d4: T, _ d5: T) -> (T, T, T, T, T, T)
    where T.Scalar == Float {
        let a = d3 + d4, b = d4 - d3, e = d4 - d2, f = d3 - d1
        return (d0 - 5 * d2 + 4 * d4, 4 * a - (d1 + d2), 4 * b + (d1 - d2), 2 * e + f, 2 * e - f, d1 - 5 * d3 + 4 * d5)
    }

    /// V (36, C, T) for tile rows `tileRows` of one image (C, h, w), into columns starting at `v`
    /// (planes `planeStride` apart, channel rows `ld` apart): the 6x6 patch of tile (ty, tx) has
    /// top-left (4ty-1, 4tx-1), zero outside. `z` is scratch of 7·(w+8) floats.
    static func input(
        _ x: UnsafePointer<Float>, channels: Int, h: Int, w: Int, tileRows: Range<Int>,
        into v: UnsafeMutablePointer<Float>, ld: Int, planeStride: Int, z: UnsafeMutablePointer<Float>
    ) {
        let tw = w / 4, wp = w + 8
        let zero = z + 6 * wp
        zero.update(repeating: 0, count: w)
        // z rows: index j + 1 is input column j; 0 and w+1 ... w+7 stay zero (padding, and the
        // tail the last 16-wide loads read)
        for a in 0..<6 {
            z[a * wp] = 0
            (z + a * wp + w + 1).update(repeating: 0, count: 7)
        }
        for ci in 0..<channels {
            let plane = x + ci * h * w
            for ty in tileRows {
                let t0 = (ty - tileRows.lowerBound) * tw
                // Bᵀ d over input rows 4ty-1 ... 4ty+4 (the first and last may be padding)
                let r0 = 4 * ty - 1
                let p0 = r0 >= 0 ? UnsafePointer(plane + r0 * w) : UnsafePointer(zero)
                let p1 = plane + (r0 + 1) * w, p2 = p1 + w, p3 = p2 + w, p4 = p3 + w
                let p5 = r0 + 5 < h ? UnsafePointer(plane + (r0 + 5) * w) : UnsafePointer(zero)
                var j = 0
                while j + 4 <= w {
                    let r = inputTransform6(load4(p0 + j), load4(p1 + j), load4(p2 + j), load4(p3 + j), load4(p4 + j), load4(p5 + j))
                    store(r, z + j + 1, stride: wp)
                    j += 4
                }
                // ... then B along each z row: tile tx's patch columns are z[4tx ... 4tx+5]
                for a in 0..<6 {
                    let zr = UnsafePointer(z + a * wp)
                    let o0 = v + (a * 6) * planeStride + ci * ld + t0
                    var tx = 0
                    while tx + 4 <= tw {
                        // four tiles: lane i of d_k is z[4(tx+i) + k] (stride-4 deinterleave)
                        let lo = load16(zr + 4 * tx), hi = load16(zr + 4 * tx + 4)
                        let r = inputTransform6(lo.evenHalf.evenHalf, lo.oddHalf.evenHalf, lo.evenHalf.oddHalf,
                                                lo.oddHalf.oddHalf, hi.evenHalf.evenHalf, hi.oddHalf.evenHalf)
                        store(r, o0 + tx, stride: planeStride)
                        tx += 4
                    }
                    // two tiles (8x8 images have only two per row): lane i of d_k is z[4(tx+i) + k]
                    while tx + 2 <= tw {
                        let lo = load8(zr + 4 * tx), hi = load8(zr + 4 * tx + 4)
                        let r = inputTransform6(lo.evenHalf.evenHalf, lo.oddHalf.evenHalf, lo.evenHalf.oddHalf,
                                                lo.oddHalf.oddHalf, hi.evenHalf.evenHalf, hi.oddHalf.evenHalf)
                        store(r, o0 + tx, stride: planeStride)
                        tx += 2
                    }
                    while tx < tw {
                        let d = zr + 4 * tx
                        let r = inputTransform6(SIMD2(d[0], 0), SIMD2(d[1], 0), SIMD2(d[2], 0), SIMD2(d[3], 0),
                                                SIMD2(d[4], 0), SIMD2(d[5], 0))
                        o0[tx] = r.0[0]; o0[planeStride + tx] = r.1[0]; o0[2 * planeStride + tx] = r.2[0]
                        o0[3 * planeStride + tx] = r.3[0]; o0[4 * planeStride + tx] = r.4[0]; o0[5 * planeStride + tx] = r.5[0]
                        tx += 1
                    }
                }
            }
        }
    }

    /// Aᵀ m for six values: the four outputs of one tile line.
    @inline(__always)
    static func outputTransform6<T: SIMD>(_ m0: T, _ m1: T, _ m2: T, _ m3: T, _ m4: T, _ m5: T) -> (T, T, T, T)
    where T.Scalar == Float {
        let s = m1 + m2, d = m1 - m2, s2 = m3 + m4, d2 = m3 - m4
        return (m0 + s + s2, d + 0.5 * d2, s + 0.25 * s2, d + 0.125 * d2 + m5)
    }

    /// Y = Aᵀ M A for the tiles of tile rows `tileRows` of one image, from columns starting at `m`
    /// (planes `planeStride` apart, rows `ld` apart), into the image's (rows, h, w) output plus
    /// `bias[r]` (+ `extra[r]`) (+ `residual`, laid out as the output). Two passes per output
    /// channel as in F(2x2): Aᵀ over the first tile index for all tiles in one run (6 planes in,
    /// 4 scratch rows out, per column b), then A over the second from the 24 scratch rows.
    static func output(
        _ m: UnsafePointer<Float>, rows: Int, ld: Int, planeStride: Int, tileRows: Range<Int>, h: Int, w: Int,
        into y: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?, extra: UnsafePointer<Float>?,
        residual: UnsafePointer<Float>?, scratch: UnsafeMutablePointer<Float>
    ) {
        let tw = w / 4, ps = planeStride, nt = tileRows.count * tw
        for r in 0..<rows {
            // pass 1: scratch row i*6+b = (Aᵀ M)[i][b] over the slab's tiles
            let mr = m + r * ld
            for b in 0..<6 {
                let p = mr + b * ps
                let s0 = scratch + b * nt, s1 = s0 + 6 * nt, s2 = s1 + 6 * nt, s3 = s2 + 6 * nt
                var t = 0
                while t + 8 <= nt {
                    let q = outputTransform6(load8(p + t), load8(p + 6 * ps + t), load8(p + 12 * ps + t),
                                             load8(p + 18 * ps + t), load8(p + 24 * ps + t), load8(p + 30 * ps + t))
                    store(q.0, s0 + t); store(q.1, s1 + t); store(q.2, s2 + t); store(q.3, s3 + t)
                    t += 8
                }
                while t < nt {
                    let q = outputTransform6(SIMD2(p[t], 0), SIMD2(p[6 * ps + t], 0), SIMD2(p[12 * ps + t], 0),
                                             SIMD2(p[18 * ps + t], 0), SIMD2(p[24 * ps + t], 0), SIMD2(p[30 * ps + t], 0))
                    s0[t] = q.0[0]; s1[t] = q.1[0]; s2[t] = q.2[0]; s3[t] = q.3[0]
                    t += 1
                }
            }
            // pass 2: output row 4ty+i of each tile = (scratch rows i*6 ... i*6+5) A, plus the epilogue
            let bb = (bias?[r] ?? 0) + (extra?[r] ?? 0)
            let bv = V16(repeating: bb)
            for ty in tileRows {
                let k = (ty - tileRows.lowerBound) * tw
                for i in 0..<4 {
                    let s = UnsafePointer(scratch + i * 6 * nt + k)
                    let yr = y + r * h * w + (4 * ty + i) * w
                    let qr = residual.map { $0 + r * h * w + (4 * ty + i) * w }
                    var tx = 0
                    while tx + 4 <= tw {
                        let q = outputTransform6(load4(s + tx), load4(s + nt + tx), load4(s + 2 * nt + tx),
                                                 load4(s + 3 * nt + tx), load4(s + 4 * nt + tx), load4(s + 5 * nt + tx))
                        // (q0[0], q1[0], q2[0], q3[0], q0[1], ...): four tiles' four outputs in a row
                        let even = interleave(q.0, q.2), odd = interleave(q.1, q.3)
                        var out = V16(lowHalf: interleave(even.lowHalf, odd.lowHalf), highHalf: interleave(even.highHalf, odd.highHalf)) + bv
                        if let qr { out += load16(qr + 4 * tx) }
                        store(out, yr + 4 * tx)
                        tx += 4
                    }
                    while tx + 2 <= tw {
                        let q = outputTransform6(load2(s + tx), load2(s + nt + tx), load2(s + 2 * nt + tx),
                                                 load2(s + 3 * nt + tx), load2(s + 4 * nt + tx), load2(s + 5 * nt + tx))
                        var out = V8(q.0[0], q.1[0], q.2[0], q.3[0], q.0[1], q.1[1], q.2[1], q.3[1]) + V8(repeating: bb)
                        if let qr { out += load8(qr + 4 * tx) }
                        store(out, yr + 4 * tx)
                        tx += 2
                    }
                    while tx < tw {
                        let q = outputTransform6(SIMD2(s[tx], 0), SIMD2(s[nt + tx], 0), SIMD2(s[2 * nt + tx], 0),
                                                 SIMD2(s[3 * nt + tx], 0), SIMD2(s[4 * nt + tx], 0), SIMD2(s[5 * nt + tx], 0))
                        var out = V4(q.0[0], q.1[0], q.2[0], q.3[0]) + V4(repeating: bb)
                        if let qr { out += load4(qr + 4 * tx) }
                        store(out, yr + 4 * tx)
                        tx += 1
                    }
                }
            }
        }
    }
}

/// Winograd's minimal filtering F(2x2, 3x3) for the UNet's 3x3 / stride 1 / padding 1 convolutions.
///
/// F(4x4, 3x3) (`WinogradF4x4`) takes over when both sizes are divisible by 4, the batch has at
/// least 128 tiles of 4x4 and no side has more than 128 channels; this variant serves the rest
/// (batch 1 at 32x32, sizes 2 mod 4, the course preset's 256- and 512-channel layers).
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
/// Backward: dX is the same computation on dY with the kernel flipped and transposed, which for
/// these points is U itself read permuted and transposed (`kernelPlane`); for dW,
/// `dU_ξ (O, C) = Σ_T dM_ξ (O, T) · V_ξᵀ` with `dM = A dY_tile Aᵀ`, then `dW = Gᵀ dU G`
/// (WinogradF2x2+Gradient.swift). Layouts: U (16, O, C), V (16, C, T), M (16, O, T).
enum WinogradF2x2: WinogradTransforms {
    static let outputTile = 2
    /// Tiles per slab (each of its 16 GEMMs is (O, C)·(C, T) with T about this).
    static let slabTiles = 128
    /// Below 128 tiles, transforming the weights (16·O·C floats per call) costs more than the
    /// 20·O·C multiply-adds it saves per tile.
    static let minTiles = 128
    /// No limit: the transforms only add and halve (measured against the nested-loop reference:
    /// 2-4e-7 relative error at 32-128 channels, where F(4x4) reaches 4.7e-6 to 9.8e-6).
    static let maxChannels = Int.max

    /// Four rows of Bᵀ d, each padded by a zero column on both sides, and a zero row (8 apart).
    static func inputScratch(w: Int) -> Int { 5 * (w + 2) + 8 }

    /// U (16, O, C) from W (O, C, 3, 3): U_ξ[o][c] = (G g Gᵀ)[ξ] with g = W[o][c], `flipped` or
    /// not: the flipped kernel is this U read differently (`kernelPlane`). Four (o, c) pairs at a
    /// time (their kernels are 9 floats apart, the U planes contiguous).
    static func weights(_ w: UnsafePointer<Float>, o: Int, c: Int, flipped: Bool, into u: UnsafeMutablePointer<Float>) {
        let count = o * c
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

    /// Plane ξ itself, or for the input gradient U_{p(ξ)} read transposed, where p swaps tile
    /// index 0 and 3 on both axes: G·rot180(g)·Gᵀ = P (G g Gᵀ) Pᵀ for these points, so the
    /// flipped, transposed kernel costs no transform of its own. U is (16, O', C') with O', C'
    /// the forward's channels, read as (C', O') planes.
    static func kernelPlane(_ xi: Int, flipped: Bool) -> (plane: Int, transposed: Bool) {
        guard flipped else { return (xi, false) }
        let a = xi / 4, b = xi % 4
        let pa = a == 0 ? 3 : (a == 3 ? 0 : a), pb = b == 0 ? 3 : (b == 3 ? 0 : b)
        return (pa * 4 + pb, true)
    }

    /// V tiles of tile rows `tileRows` of one image (C, h, w) into columns starting at `v`:
    /// V_ξ[c][t] = (Bᵀ d B)[ξ] for the 4x4 patch with top-left (2ty-1, 2tx-1), zero outside.
    /// V planes are `planeStride` apart, channel rows `ld` apart. `z` is scratch of 5*(w+2)+8 floats.
    static func input(
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

    /// Y = Aᵀ M A for the tiles of tile rows `tileRows` of one image, read from columns starting at
    /// `m` (planes `planeStride` apart, rows `ld` apart), written into the image's (rows, h, w)
    /// output plus `bias[r]` (+ `extra[r]`) (+ `residual`, same layout as the output).
    ///
    /// Two passes per output channel, like the separable transform itself: Aᵀ M over the first
    /// tile index, one column b of the 4x4 tile at a time (4 planes in, 2 rows of `scratch` out,
    /// over all the image's tiles in one run), then A over the second index from the 8 scratch
    /// rows. Reading the 16 planes in one loop needs 16 live addresses, more than the registers
    /// (the compiler rebuilt them in a chain of adds per 4 tiles), and its runs were one tile row.
    /// `scratch` holds `outputScratch(tiles:)` floats, (8, tiles); the sums are
    /// grouped as in the one-loop form, so results are unchanged bit for bit.
    static func output(
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
}

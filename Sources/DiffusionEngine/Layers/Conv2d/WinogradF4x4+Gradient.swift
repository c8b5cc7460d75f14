/// The weight gradient through F(4x4, 3x3): with `M = U ⊙ V` per tile and `Y = Aᵀ M A`,
/// `dM = A dY Aᵀ` (6x6 from each 4x4 block of dY), `dU_ξ (O, C) = Σ_T dM_ξ (O, T) · V_ξᵀ` and
/// `dW = Gᵀ dU G`: 36·O·C multiply-adds per 16 outputs where F(2x2) needs 64.
extension WinogradF4x4 {
    /// A applied to a 4-vector (one tile line of dY): the six rows of A = (Aᵀ)ᵀ.
    @inline(__always)
    static func outputGradientTransform4<T: SIMD>(_ e0: T, _ e1: T, _ e2: T, _ e3: T) -> (T, T, T, T, T, T)
    where T.Scalar == Float {
        let s = e0 + e2, d = e1 + e3, s2 = e0 + 0.25 * e2, d2 = 0.5 * e1 + 0.125 * e3
        return (e0, s + d, s - d, s2 + d2, s2 - d2, e3)
    }

    /// dM (36, O, T) = A dY_tile Aᵀ for tile rows `tileRows` of one image's (rows, h, w) gradient,
    /// into columns starting at `dm` (planes `planeStride` apart, rows `ld` apart). One pass per
    /// row k of A (A along the columns of 4 dY rows, then along each tile's 4 columns into planes
    /// 6k ... 6k+5): 6 live plane addresses, not 36; the dY rows stay in L1 across the passes.
    static func outputGradient(
        _ dy: UnsafePointer<Float>, rows: Int, h: Int, w: Int, tileRows: Range<Int>,
        into dm: UnsafeMutablePointer<Float>, ld: Int, planeStride: Int
    ) {
        let tw = w / 4, ps = planeStride
        for r in 0..<rows {
            for ty in tileRows {
                let out = dm + r * ld + (ty - tileRows.lowerBound) * tw
                let e0 = dy + r * h * w + (4 * ty) * w, e1 = e0 + w, e2 = e1 + w, e3 = e2 + w
                for k in 0..<6 {
                    let p = out + (6 * k) * ps
                    // row k of (A e): its lane j is column j of the tile row block
                    @inline(__always) func vertical<T: SIMD>(_ a: T, _ b: T, _ c: T, _ d: T) -> T where T.Scalar == Float {
                        let q = outputGradientTransform4(a, b, c, d)
                        switch k {
                        case 0: return q.0
                        case 1: return q.1
                        case 2: return q.2
                        case 3: return q.3
                        case 4: return q.4
                        default: return q.5
                        }
                    }
                    var tx = 0
                    while tx + 4 <= tw {
                        let ld16 = { (e: UnsafePointer<Float>) in load16(e + 4 * tx) }
                        let q = vertical(ld16(e0), ld16(e1), ld16(e2), ld16(e3))
                        let o = outputGradientTransform4(q.evenHalf.evenHalf, q.oddHalf.evenHalf, q.evenHalf.oddHalf, q.oddHalf.oddHalf)
                        store(o, p + tx, stride: ps)
                        tx += 4
                    }
                    while tx < tw {
                        let q = vertical(load4(e0 + 4 * tx), load4(e1 + 4 * tx), load4(e2 + 4 * tx), load4(e3 + 4 * tx))
                        let o = outputGradientTransform4(V2(q[0], 0), V2(q[1], 0), V2(q[2], 0), V2(q[3], 0))
                        p[tx] = o.0[0]; p[ps + tx] = o.1[0]; p[2 * ps + tx] = o.2[0]
                        p[3 * ps + tx] = o.3[0]; p[4 * ps + tx] = o.4[0]; p[5 * ps + tx] = o.5[0]
                        tx += 1
                    }
                }
            }
        }
    }

    /// dW (O, C, 3, 3) += Gᵀ dU G for every (o, c); dU (36, O, C), `count` = O*C, four at a time.
    static func weightGradient(_ du: UnsafePointer<Float>, count: Int, into dw: UnsafeMutablePointer<Float>) {
        // Gᵀ applied to six values: the three columns of G
        @inline(__always) func gt(_ d0: V4, _ d1: V4, _ d2: V4, _ d3: V4, _ d4: V4, _ d5: V4) -> (V4, V4, V4) {
            let sixth: Float = 1.0 / 6.0, third: Float = 1.0 / 3.0
            let s = d1 + d2, dd = d1 - d2, s2 = d3 + d4, d2_ = d3 - d4
            return (d0 + sixth * s - 4 * third * s2, sixth * dd - 2 * third * d2_, sixth * s - third * s2 + 0.25 * d5)
        }
        ComputePool.shared.parallelRanges((count + 3) / 4, grain: 512) { range in
            for q in range {
                let k = q * 4, lanes = min(4, count - k)
                @inline(__always) func d(_ xi: Int) -> V4 {
                    let src = du + xi * count + k
                    if lanes == 4 { return load4(src) }
                    var v = V4()
                    for l in 0..<lanes { v[l] = src[l] }
                    return v
                }
                // p_b = Gᵀ dU[·][b] over the first index (3 values per column b), then Gᵀ over b
                @inline(__always) func column(_ b: Int) -> (V4, V4, V4) { gt(d(b), d(6 + b), d(12 + b), d(18 + b), d(24 + b), d(30 + b)) }
                let p0 = column(0), p1 = column(1), p2 = column(2), p3 = column(3), p4 = column(4), p5 = column(5)
                let r0 = gt(p0.0, p1.0, p2.0, p3.0, p4.0, p5.0)
                let r1 = gt(p0.1, p1.1, p2.1, p3.1, p4.1, p5.1)
                let r2 = gt(p0.2, p1.2, p2.2, p3.2, p4.2, p5.2)
                for l in 0..<lanes {
                    let g = dw + (k + l) * 9
                    g[0] += r0.0[l]; g[1] += r0.1[l]; g[2] += r0.2[l]
                    g[3] += r1.0[l]; g[4] += r1.1[l]; g[5] += r1.2[l]
                    g[6] += r2.0[l]; g[7] += r2.1[l]; g[8] += r2.2[l]
                }
            }
        }
    }
}

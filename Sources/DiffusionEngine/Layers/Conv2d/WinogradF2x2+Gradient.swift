/// The weight gradient's transforms of F(2x2, 3x3): dM = A dY Aᵀ and dW = Gᵀ dU G.
extension WinogradF2x2 {
    /// dM = A dY_tile Aᵀ (4x4 from each 2x2 block of dY) for tile rows `tileRows` of one image's
    /// (rows, h, w) gradient, into columns starting at `dm` (planes `planeStride` apart, rows `ld`).
    ///
    /// One pass per row a of A: q = (A e)[a] (two values per tile), then q Aᵀ into the four planes
    /// 4a ... 4a+3. Writing all 16 planes in one loop needs 16 live plane addresses, more than
    /// the registers, and measured slower: the compiler rebuilt them in a chain of adds per
    /// iteration. Re-reading the two dY rows four times costs little (they stay in L1).
    static func outputGradient(
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

    /// dW (O, C, 3, 3) += Gᵀ dU G for every (o, c); dU (16, O, C), `count` = O*C.
    static func weightGradient(_ du: UnsafePointer<Float>, count: Int, into dw: UnsafeMutablePointer<Float>) {
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
}

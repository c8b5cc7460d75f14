extension Conv2d {
    /// One convolution's sizes: input (C, H, W), output (Ho, Wo), kernel K, stride S.
    struct Geometry {
        let c: Int, h: Int, w: Int, ho: Int, wo: Int, k: Int, stride: Int
        /// Output positions per image.
        var l: Int { ho * wo }
        /// Rows of the column matrix, C*K*K.
        var ckk: Int { c * k * k }

        init(conv: Conv2d, c: Int, h: Int, w: Int, ho: Int, wo: Int) {
            self.init(c: c, h: h, w: w, ho: ho, wo: wo, k: conv.kernelSize, stride: conv.stride)
        }

        init(c: Int, h: Int, w: Int, ho: Int, wo: Int, k: Int, stride: Int) {
            (self.c, self.h, self.w, self.ho, self.wo, self.k, self.stride) = (c, h, w, ho, wo, k, stride)
        }

        /// The stride-1 lowering of the input gradient (only k and stride are used by im2col).
        var transposed: Geometry { Geometry(c: c, h: h, w: w, ho: ho, wo: wo, k: k, stride: 1) }

        /// Copies the receptive fields of `channels` planes (h, w) into rows of a column matrix.
        ///
        /// Row `(c*K + ki)*K + kj` holds, for every output position in output rows `rows`, the input
        /// pixel under kernel tap (ki, kj) of channel c (0 in the padding) — the order of the
        /// weight's (C, K, K) axes; column `(oh - rows.lowerBound)*wo + ow`. Rows are `ld` apart, so
        /// several images fill one matrix side by side. The in-bounds span of each row is worked out
        /// once per tap, so the inner loop is a plain copy.
        func im2col(
            _ x: UnsafePointer<Float>, channels: Int, h: Int, w: Int, ho: Int, wo: Int, rows: Range<Int>,
            padding p: Int, into cols: UnsafeMutablePointer<Float>, ld: Int
        ) {
            let s = stride, r0 = rows.lowerBound
            for ci in 0..<channels {
                let plane = x + ci * h * w
                for ki in 0..<k {
                    for kj in 0..<k {
                        let dst = cols + ((ci * k + ki) * k + kj) * ld
                        // output columns whose input column iw = ow*s - p + kj is inside the image
                        let owLo = max(0, min(wo, Self.ceilDiv(p - kj, s)))
                        let owHi = max(owLo, min(wo, Self.floorDiv(w - 1 + p - kj, s) + 1))
                        for oh in rows {
                            let row = dst + (oh - r0) * wo
                            let ih = oh * s - p + ki
                            guard ih >= 0 && ih < h else {
                                for ow in 0..<wo { row[ow] = 0 }
                                continue
                            }
                            let src = plane + ih * w - p + kj  // src[ow*s] is the pixel of column ow
                            for ow in 0..<owLo { row[ow] = 0 }
                            if s == 1 {
                                for ow in owLo..<owHi { row[ow] = src[ow] }
                            } else {
                                for ow in owLo..<owHi { row[ow] = src[ow * s] }
                            }
                            for ow in owHi..<wo { row[ow] = 0 }
                        }
                    }
                }
            }
        }

        /// The adjoint of `im2col` for one image: adds every column entry back onto its pixel.
        func col2im(
            _ cols: UnsafePointer<Float>, ld: Int, padding p: Int, into image: UnsafeMutablePointer<Float>
        ) {
            let s = stride
            for ci in 0..<c {
                let plane = image + ci * h * w
                for ki in 0..<k {
                    let ohLo = max(0, Self.ceilDiv(p - ki, s)), ohHi = min(ho, Self.floorDiv(h - 1 + p - ki, s) + 1)
                    for kj in 0..<k {
                        let src = cols + ((ci * k + ki) * k + kj) * ld
                        let owLo = max(0, Self.ceilDiv(p - kj, s)), owHi = min(wo, Self.floorDiv(w - 1 + p - kj, s) + 1)
                        guard owLo < owHi else { continue }
                        var oh = ohLo
                        while oh < ohHi {
                            let row = src + oh * wo
                            let dst = plane + (oh * s - p + ki) * w - p + kj
                            for ow in owLo..<owHi { dst[ow * s] += row[ow] }
                            oh += 1
                        }
                    }
                }
            }
        }

        @inline(__always) static func ceilDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? (a + b - 1) / b : -((-a) / b) }
        @inline(__always) static func floorDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }
    }
}

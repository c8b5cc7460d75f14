/// The memory movement around `Conv2d`'s GEMMs: im2col / col2im, chunk planning, and the passes
/// that move a chunk's (rows, nb*L) matrix to and from NCHW.
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

    /// How the output positions of a batch are cut into slabs of about `target` columns: a few
    /// rows of one image when an image has at least `target` positions, else several whole
    /// images (but no more than leave `parts` slabs for the pool's threads).
    struct SlabPlan {
        let images: Int
        let rows: Int
        let rowsPerSlab: Int
        let slabsPerImage: Int
        let imagesPerSlab: Int
        /// Number of slabs.
        let count: Int

        init(images n: Int, rows ho: Int, rowWidth wo: Int, target: Int, parts: Int) {
            images = n
            rows = ho
            let l = ho * wo
            if l >= target {
                let wanted = max(1, (l + target / 2) / target)
                rowsPerSlab = (ho + wanted - 1) / wanted
                slabsPerImage = (ho + rowsPerSlab - 1) / rowsPerSlab
                imagesPerSlab = 1
                count = n * slabsPerImage
            } else {
                rowsPerSlab = ho
                slabsPerImage = 1
                imagesPerSlab = max(1, min(target / max(1, l), (n + parts - 1) / parts))
                count = (n + imagesPerSlab - 1) / imagesPerSlab
            }
        }

        /// Slab `t`: its first image, how many whole images (1 for a part of one image), and the
        /// output rows it covers (all of them for whole images).
        func slab(_ t: Int) -> (image: Int, images: Int, rows: Range<Int>) {
            if imagesPerSlab == 1 {
                let img = t / slabsPerImage, j = t % slabsPerImage
                return (img, 1, (j * rowsPerSlab)..<min(rows, (j + 1) * rowsPerSlab))
            }
            let first = t * imagesPerSlab
            return (first, min(imagesPerSlab, images - first), 0..<rows)
        }
    }

    /// What the forward adds to W · cols on its way out: the conv bias (O), optionally a bias per
    /// image and channel (N, O) and a residual (N, O, Ho, Wo).
    struct Epilogue {
        let bias: UnsafePointer<Float>
        let channelBias: [Float]?
        let residual: [Float]?

        func withPointers<R>(_ body: (Pointers) -> R) -> R {
            withOptionalPointer(channelBias) { cb in
                withOptionalPointer(residual) { r in body(Pointers(bias: bias, channelBias: cb, residual: r)) }
            }
        }

        struct Pointers {
            let bias: UnsafePointer<Float>
            let channelBias: UnsafePointer<Float>?
            let residual: UnsafePointer<Float>?

            /// Writes the epilogue alone into `columns` of channels `channels` of one image's output
            /// (O, L), ready for a GEMM with beta 1.
            func fill(
                _ yImage: UnsafeMutablePointer<Float>, image: Int, channels: Range<Int>, columns: Range<Int>, l: Int, o: Int
            ) {
                let c0 = columns.lowerBound, cnt = columns.count
                for oc in channels {
                    var b = bias[oc]
                    if let channelBias { b += channelBias[image * o + oc] }
                    let row = yImage + oc * l + c0
                    if let residual {
                        let res = residual + (image * o + oc) * l + c0
                        for i in 0..<cnt { row[i] = res[i] + b }
                    } else {
                        row.update(repeating: b, count: cnt)
                    }
                }
            }

            /// y (O, L) of one image = tmp rows (O, L at stride `ld`) + the epilogue.
            func scatter(from tmp: UnsafePointer<Float>, ld: Int, into yImage: UnsafeMutablePointer<Float>, image: Int, l: Int, o: Int) {
                for oc in 0..<o {
                    var b = bias[oc]
                    if let channelBias { b += channelBias[image * o + oc] }
                    let src = tmp + oc * ld, row = yImage + oc * l
                    if let residual {
                        let res = residual + (image * o + oc) * l
                        for i in 0..<l { row[i] = (src[i] + b) + res[i] }
                    } else {
                        for i in 0..<l { row[i] = src[i] + b }
                    }
                }
            }
        }
    }
}

/// Row copies between an image's (rows, L) block and a chunk matrix (rows, nb*L).
enum Lowering {
    /// dst rows (stride `ld`) = src (rows, count); adds each row's sum into `sums[row]`.
    static func gather(
        _ src: UnsafePointer<Float>, rows: Int, count: Int, into dst: UnsafeMutablePointer<Float>, ld: Int,
        sums: UnsafeMutablePointer<Float>
    ) {
        for r in 0..<rows {
            let s = src + r * count, d = dst + r * ld
            var acc: Float = 0
            for i in 0..<count { let v = s[i]; d[i] = v; acc += v }
            sums[r] += acc
        }
    }

    /// dst (rows, count) = src rows (stride `ld`).
    static func scatter(_ src: UnsafePointer<Float>, rows: Int, count: Int, ld: Int, into dst: UnsafeMutablePointer<Float>) {
        for r in 0..<rows { (dst + r * count).update(from: src + r * ld, count: count) }
    }

    /// sums[r] += Σ_i src[r*ld + i] for r in 0..<rows.
    static func sumRows(_ src: UnsafePointer<Float>, rows: Int, count: Int, ld: Int, into sums: UnsafeMutablePointer<Float>) {
        // 8 interleaved partial sums: a single running sum is a serial chain of dependent adds
        // (measured: 20% of the Winograd weight-gradient pass), the partials vectorise
        for r in 0..<rows { sums[r] += FastMath.sum(src + r * ld, count: count) }
    }
}

/// Calls `body` with the array's base address, or nil for a nil array.
@inline(__always)
func withOptionalPointer<R>(_ array: [Float]?, _ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let array else { return body(nil) }
    return array.withUnsafeBufferPointer { body($0.baseAddress) }
}

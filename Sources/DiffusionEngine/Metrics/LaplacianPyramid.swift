/// The Laplacian pyramid of Karras et al. 2018 (the SWD metric of "Progressive Growing of GANs").
///
///     g     = [1, 4, 6, 4, 1] / 16, used separably (the 5x5 binomial kernel / 256)
///     down  = filter(x, g) then keep every 2nd row and column
///     up    = put x on the even pixels of a 2x grid of zeros, then 4·filter(·, g)
///     level_0 = x,  level_{i+1} = down(level_i),  level_i -= up(level_{i+1})  (all but the last)
///
/// so every level but the last holds one octave of detail and the last is the blurred residual.
/// Borders are mirrored without repeating the edge pixel (d c b | a b c d | c b a), as
/// `scipy.ndimage.convolve(mode="mirror")` in the original code.
public enum LaplacianPyramid {
    static let kernel: [Float] = [1 / 16, 4 / 16, 6 / 16, 4 / 16, 1 / 16]

    /// The pyramid of a batch.
    /// - Parameters:
    ///   - images: (N,C,H,W).
    ///   - levels: number of levels (1 = the image itself); H and W are halved per level.
    /// - Returns: `levels` tensors, level i of shape (N,C,⌈H/2^i⌉,⌈W/2^i⌉).
    public static func build(_ images: Tensor, levels: Int) -> [Tensor] {
        precondition(levels >= 1, "LaplacianPyramid: levels \(levels) must be at least 1")
        var pyramid = [images]
        for _ in 1..<levels { pyramid.append(down(pyramid[pyramid.count - 1])) }
        for i in 0..<(levels - 1) {
            let g = pyramid[i]
            pyramid[i] = g - up(pyramid[i + 1], height: g.shape[2], width: g.shape[3])
        }
        return pyramid
    }

    /// Blur then subsample by 2: (N,C,H,W) -> (N,C,⌈H/2⌉,⌈W/2⌉).
    public static func down(_ x: Tensor) -> Tensor {
        let (n, c, h, w) = x.nchw("LaplacianPyramid.down")
        let blurred = blur(x, gain: 1)
        let h2 = (h + 1) / 2, w2 = (w + 1) / 2
        var out = Tensor(zeros: [n, c, h2, w2])
        for p in 0..<(n * c) {
            for i in 0..<h2 {
                for j in 0..<w2 { out.data[(p * h2 + i) * w2 + j] = blurred.data[(p * h + 2 * i) * w + 2 * j] }
            }
        }
        return out
    }

    /// Zero-insert upsampling by 2 to (height, width), then 4 × blur (the 4 restores the mean).
    public static func up(_ x: Tensor, height: Int, width: Int) -> Tensor {
        let (n, c, h, w) = x.nchw("LaplacianPyramid.up")
        precondition((height + 1) / 2 == h && (width + 1) / 2 == w, "LaplacianPyramid.up: (\(h),\(w)) cannot grow to (\(height),\(width))")
        var z = Tensor(zeros: [n, c, height, width])
        for p in 0..<(n * c) {
            for i in 0..<h {
                for j in 0..<w { z.data[(p * height + 2 * i) * width + 2 * j] = x.data[(p * h + i) * w + j] }
            }
        }
        return blur(z, gain: 4)
    }

    /// gain · (g ⊗ g) * x per channel, with mirrored borders.
    static func blur(_ x: Tensor, gain: Float) -> Tensor {
        let (n, c, h, w) = x.nchw("LaplacianPyramid.blur")
        var tmp = x, out = x
        // Mirror index without repeating the edge: -1 -> 1, size -> size-2.
        func mirror(_ i: Int, _ size: Int) -> Int {
            if size == 1 { return 0 }
            var k = i
            let period = 2 * (size - 1)
            k = ((k % period) + period) % period
            return k < size ? k : period - k
        }
        x.data.withUnsafeBufferPointer { src in
            tmp.data.withUnsafeMutableBufferPointer { t in
                for p in 0..<(n * c) {
                    let base = p * h * w
                    for i in 0..<h {
                        for j in 0..<w {
                            var s: Float = 0
                            for k in -2...2 { s += kernel[k + 2] * src[base + i * w + mirror(j + k, w)] }
                            t[base + i * w + j] = s
                        }
                    }
                }
            }
        }
        tmp.data.withUnsafeBufferPointer { t in
            out.data.withUnsafeMutableBufferPointer { o in
                for p in 0..<(n * c) {
                    let base = p * h * w
                    for i in 0..<h {
                        for j in 0..<w {
                            var s: Float = 0
                            for k in -2...2 { s += kernel[k + 2] * t[base + mirror(i + k, h) * w + j] }
                            o[base + i * w + j] = gain * s
                        }
                    }
                }
            }
        }
        return out
    }
}

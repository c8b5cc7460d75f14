/// Nearest-neighbour 2x upsampling, PyTorch's `F.interpolate(x, scale_factor=2, mode="nearest")`.
///
/// (N, C, H, W) -> (N, C, 2H, 2W) with `y[n,c,2i+a,2j+b] = x[n,c,i,j]` for a, b in {0, 1}.
/// No parameters; backward sums each 2x2 block of the output gradient.
public final class Upsample2x {
    /// The last training input shape (the only thing backward needs).
    private var cachedShape: [Int]?

    public init() {}

    /// (N, C, H, W) -> (N, C, 2H, 2W).
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let (n, c, h, w) = x.nchw("upsample")
        if training { cachedShape = x.shape }
        let w2 = 2 * w
        var y = [Float](repeating: 0, count: n * c * 4 * h * w)  // (N, C, 2H, 2W)
        x.data.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                for plane in 0..<(n * c) {
                    let src = xp.baseAddress! + plane * h * w, dst = yp.baseAddress! + plane * 4 * h * w
                    for i in 0..<h {
                        let row0 = dst + (2 * i) * w2, row1 = row0 + w2
                        for j in 0..<w {
                            let v = src[i * w + j]
                            row0[2 * j] = v; row0[2 * j + 1] = v
                            row1[2 * j] = v; row1[2 * j + 1] = v
                        }
                    }
                }
            }
        }
        return Tensor(shape: [n, c, 2 * h, 2 * w], data: y)
    }

    /// dY (N, C, 2H, 2W) -> dX (N, C, H, W).
    public func backward(_ dy: Tensor) -> Tensor {
        guard let shape = cachedShape else { preconditionFailure("upsample.backward: no training forward to differentiate") }
        let n = shape[0], c = shape[1], h = shape[2], w = shape[3], w2 = 2 * w
        precondition(dy.shape == [n, c, 2 * h, 2 * w], "upsample.backward: dY \(dy.shapeDescription) vs input \(shape)")
        var dx = [Float](repeating: 0, count: n * c * h * w)  // (N, C, H, W)
        dy.data.withUnsafeBufferPointer { gp in
            dx.withUnsafeMutableBufferPointer { dp in
                for plane in 0..<(n * c) {
                    let src = gp.baseAddress! + plane * 4 * h * w, dst = dp.baseAddress! + plane * h * w
                    for i in 0..<h {
                        let row0 = src + (2 * i) * w2, row1 = row0 + w2
                        // forward: every one of the 4 outputs copied x[i,j]
                        for j in 0..<w { dst[i * w + j] = row0[2 * j] + row0[2 * j + 1] + row1[2 * j] + row1[2 * j + 1] }
                    }
                }
            }
        }
        return Tensor(shape: shape, data: dx)
    }
}

/// Concatenation of two NCHW tensors along channels, `torch.cat([a, b], dim=1)`.
///
/// a (N, Ca, H, W), b (N, Cb, H, W) -> (N, Ca+Cb, H, W); backward splits the gradient back.
public final class ChannelConcat {
    /// The channel counts of the last training forward.
    private var cachedSplit: (a: Int, b: Int)?

    public init() {}

    /// a (N, Ca, H, W), b (N, Cb, H, W) -> (N, Ca+Cb, H, W).
    public func forward(_ a: Tensor, _ b: Tensor, training: Bool) -> Tensor {
        let (n, ca, h, w) = a.nchw("concat")
        let (nb, cb, hb, wb) = b.nchw("concat")
        precondition(
            n == nb && h == hb && w == wb,
            "concat: \(a.shapeDescription) and \(b.shapeDescription) differ outside the channel axis")
        if training { cachedSplit = (ca, cb) }
        let hw = h * w, c = ca + cb
        var y = [Float]()  // (N, Ca+Cb, H, W)
        y.reserveCapacity(n * c * hw)
        for img in 0..<n {
            y.append(contentsOf: a.data[(img * ca * hw)..<((img + 1) * ca * hw)])
            y.append(contentsOf: b.data[(img * cb * hw)..<((img + 1) * cb * hw)])
        }
        return Tensor(shape: [n, c, h, w], data: y)
    }

    /// dY (N, Ca+Cb, H, W) -> (dA (N, Ca, H, W), dB (N, Cb, H, W)).
    public func backward(_ dy: Tensor) -> (Tensor, Tensor) {
        guard let (ca, cb) = cachedSplit else { preconditionFailure("concat.backward: no training forward to differentiate") }
        let (n, c, h, w) = dy.nchw("concat.backward")
        precondition(c == ca + cb, "concat.backward: dY \(dy.shapeDescription) does not have \(ca)+\(cb) channels")
        let hw = h * w
        var da = [Float](), db = [Float]()
        da.reserveCapacity(n * ca * hw)
        db.reserveCapacity(n * cb * hw)
        for img in 0..<n {
            let base = img * c * hw
            da.append(contentsOf: dy.data[base..<(base + ca * hw)])
            db.append(contentsOf: dy.data[(base + ca * hw)..<(base + c * hw)])
        }
        return (Tensor(shape: [n, ca, h, w], data: da), Tensor(shape: [n, cb, h, w], data: db))
    }
}

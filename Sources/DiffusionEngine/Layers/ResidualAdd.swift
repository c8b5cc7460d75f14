/// The residual connection `y = a + b` of two same-shaped tensors.
///
/// No parameters and nothing to cache: the gradient flows unchanged into both branches. It is a
/// layer only so the models read as a list of layers with a forward and a backward each. (The
/// UNet's own residual adds are fused into the convolution before them.)
public final class ResidualAdd {
    public init() {}

    /// a, b (any shape, equal) -> a + b.
    public func forward(_ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.shape == b.shape, "residual add: \(a.shapeDescription) vs \(b.shapeDescription)")
        var y = a
        addInPlace(&y, b)
        return y
    }

    /// dY -> (dA, dB) = (dY, dY).
    public func backward(_ dy: Tensor) -> (Tensor, Tensor) { (dy, dy) }
}

/// a += b element-wise over the `ComputePool` (gradient accumulation of large tensors).
func addInPlace(_ a: inout Tensor, _ b: Tensor) {
    precondition(a.shape == b.shape, "add: \(a.shapeDescription) vs \(b.shapeDescription)")
    a.data.withUnsafeMutableBufferPointer { ap in
        b.data.withUnsafeBufferPointer { bp in
            guard let x = ap.baseAddress, let y = bp.baseAddress else { return }
            ComputePool.shared.parallelRanges(ap.count, grain: 1 << 16) { r in
                for i in r { x[i] += y[i] }
            }
        }
    }
}

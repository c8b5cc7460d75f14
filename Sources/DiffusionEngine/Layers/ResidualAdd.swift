/// The residual connection `y = a + b` of two same-shaped tensors.
///
/// No parameters and nothing to cache: the gradient flows unchanged into both branches. It is a
/// layer only so the models read as a list of layers with a forward and a backward each.
public final class ResidualAdd {
    public init() {}

    /// a, b (any shape, equal) -> a + b.
    public func forward(_ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.shape == b.shape, "residual add: \(a.shapeDescription) vs \(b.shapeDescription)")
        return a + b
    }

    /// dY -> (dA, dB) = (dY, dY).
    public func backward(_ dy: Tensor) -> (Tensor, Tensor) { (dy, dy) }
}

/// A network that maps a noisy batch and its timesteps to a prediction of the same shape
/// (ε, x0 or v, depending on the objective). The UNet is one; tests use small stand-ins.
public protocol Denoiser: AnyObject {
    /// The parameters (and gradients) of the network.
    var store: ParameterStore { get }
    /// - Parameters:
    ///   - x: (N,C,H,W) noisy images.
    ///   - timesteps: N timesteps (as floats, so fractional t works for DDIM-style schedules).
    ///   - training: when true, layers keep what `backward` needs; when false, nothing is kept.
    /// - Returns: (N,C,H,W).
    func forward(_ x: Tensor, timesteps: [Float], training: Bool) -> Tensor
    /// Accumulates (`+=`) parameter gradients into `store.grads` for the last training forward
    /// and returns the gradient with respect to its input `x`.
    @discardableResult
    func backward(_ dOut: Tensor) -> Tensor
}

import DiffusionEngine

/// A denoiser that returns its previous output when called again with exactly the same input and
/// timesteps — the Compare screen's B chain, while it is still bit-identical to A, then costs no
/// model call. The model is deterministic, so the result is the very tensor a second call would
/// give: the measurement stays exact, and identical chains (the common case) run twice as fast.
final class ReusingDenoiser: Denoiser {
    let base: UNet
    private var last: (x: Tensor, timesteps: [Float], out: Tensor)?
    /// Model evaluations actually made.
    private(set) var calls = 0

    init(_ base: UNet) { self.base = base }

    var store: ParameterStore { base.store }

    func forward(_ x: Tensor, timesteps: [Float], training: Bool) -> Tensor {
        if !training, let last, last.timesteps == timesteps, last.x == x { return last.out }
        let out = base.forward(x, timesteps: timesteps, training: training)
        calls += 1
        last = training ? nil : (x, timesteps, out)
        return out
    }

    func backward(_ dOut: Tensor) -> Tensor { base.backward(dOut) }
}

/// A convolutional variational autoencoder (Kingma & Welling 2014) built from the UNet's layers;
/// the architecture and parameter names are `VAEConfig`'s doc comment.
///
///     μ, log σ² = encoder(x)           x (N, C, S, S) -> each (N, latentShape...)
///     z         = μ + σ ⊙ ε            the reparameterisation; ε comes from the caller
///     x̂         = decoder(z)           (N, C, S, S)
///
/// Parameters are registered encoder first, then decoder, in forward order, into one
/// `ParameterStore` (so Adam, EMA, clipping and checkpoints work on it as on the UNet's).
/// The loss lives in `Training/` (`VAELoss`); this type is the network only.
public final class VAE {
    public let config: VAEConfig
    public let store: ParameterStore
    public let encoder: VAEEncoder
    let reparameterize = Reparameterize()
    public let decoder: VAEDecoder

    /// Builds the network with PyTorch's default initialisation drawn from `seed`.
    /// - Throws: `EngineError` when the config is not buildable (`VAEConfig.validate`).
    public init(config: VAEConfig, seed: UInt64) throws {
        try config.validate()
        self.config = config
        let store = ParameterStore()
        self.store = store
        var rng = RandomGenerator(seed: seed)
        encoder = VAEEncoder(config: config, store: store, rng: &rng)
        decoder = VAEDecoder(config: config, store: store, rng: &rng)
    }

    /// What one forward computed.
    public struct Pass: Sendable {
        /// (N, latentShape...) each.
        public var mu: Tensor
        public var logvar: Tensor
        public var z: Tensor
        /// (N, C, S, S)
        public var reconstruction: Tensor

        public init(mu: Tensor, logvar: Tensor, z: Tensor, reconstruction: Tensor) {
            self.mu = mu
            self.logvar = logvar
            self.z = z
            self.reconstruction = reconstruction
        }
    }

    /// x (N, C, S, S) and ε (N, latentShape...) -> μ, log σ², z and x̂.
    public func forward(_ x: Tensor, eps: Tensor, training: Bool) -> Pass {
        let (mu, logvar) = encoder.forward(x, training: training)
        let z = reparameterize.forward(mu: mu, logvar: logvar, eps: eps, training: training)
        return Pass(mu: mu, logvar: logvar, z: z, reconstruction: decoder.forward(z, training: training))
    }

    /// Accumulates every parameter gradient for the last training forward and returns dX.
    /// - Parameters:
    ///   - dReconstruction: dL/dx̂ (N, C, S, S).
    ///   - dMu, dLogvar: dL/dμ and dL/dlog σ² from terms that read them directly (the KL), added
    ///     to what flows back through z.
    @discardableResult
    public func backward(dReconstruction: Tensor, dMu: Tensor, dLogvar: Tensor) -> Tensor {
        // forward: x̂ = decoder(z), z = μ + σ ε
        let dz = decoder.backward(dReconstruction)
        var (dm, dlv) = reparameterize.backward(dz)
        dm.addInPlace(dMu)
        dlv.addInPlace(dLogvar)
        return encoder.backward(dMu: dm, dLogvar: dlv)
    }

    /// The shape of `count` latents: [count] + latentShape.
    public func latentShape(count: Int) -> [Int] { [count] + config.latentShape }
}

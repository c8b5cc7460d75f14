/// What the commands and the workbench do with a trained VAE; every forward here is
/// `training: false` (nothing cached), and reconstructions use z = μ (the posterior's mean, no noise).
extension VAE {
    /// x (N, C, S, S) -> x̂ = decoder(μ(x)), (N, C, S, S).
    public func reconstruct(_ x: Tensor) -> Tensor {
        decoder.forward(encoder.forward(x, training: false).mu, training: false)
    }

    /// z (N, latentShape...) -> images (N, C, S, S).
    public func decode(_ z: Tensor) -> Tensor { decoder.forward(z, training: false) }

    /// `count` images decoded from the prior, z ~ N(0, I) drawn from `rng`.
    public func samplePrior(count: Int, rng: inout RandomGenerator) -> Tensor {
        decode(rng.normalTensor(latentShape(count: count)))
    }

    /// A row of `steps` images between two: decoder((1-α) μ(a) + α μ(b)) for α = 0, 1/(steps-1), …, 1.
    /// - Parameters:
    ///   - a, b: (1, C, S, S) each.
    ///   - steps: at least 2.
    /// - Returns: (steps, C, S, S); the first and last are the reconstructions of a and b.
    public func interpolate(_ a: Tensor, _ b: Tensor, steps: Int) -> Tensor {
        precondition(steps >= 2, "vae.interpolate: needs at least 2 steps, got \(steps)")
        precondition(a.shape == b.shape && a.shape.first == 1, "vae.interpolate: a \(a.shapeDescription) and b \(b.shapeDescription) must be one image each")
        let both = Tensor(shape: [2] + Array(a.shape.dropFirst()), data: a.data + b.data)
        let mu = encoder.forward(both, training: false).mu
        let per = mu.count / 2
        var z = [Float](repeating: 0, count: steps * per)
        for k in 0..<steps {
            let alpha = Float(k) / Float(steps - 1)
            for i in 0..<per { z[k * per + i] = (1 - alpha) * mu.data[i] + alpha * mu.data[per + i] }
        }
        return decode(Tensor(shape: latentShape(count: steps), data: z))
    }

    /// KL(q(z|x) ‖ N(0, I)) per latent unit, mean over the images of x: a map's channels (each
    /// summed over its s·s positions) or a vector's entries. A unit whose KL stays near 0 for every
    /// image carries no information about x (the decoder ignores it): it is inactive.
    /// - Returns: `config.latentUnits` values in nats.
    public func klPerUnit(_ x: Tensor) -> [Float] {
        let (mu, logvar) = encoder.forward(x, training: false)
        let n = mu.shape[0], units = config.latentUnits, per = mu.count / max(n, 1), span = per / units
        var out = [Double](repeating: 0, count: units)
        for img in 0..<n {
            for u in 0..<units {
                for i in (img * per + u * span)..<(img * per + (u + 1) * span) {
                    out[u] += Double(VAELoss.klElement(mu: mu.data[i], logvar: logvar.data[i]))
                }
            }
        }
        return out.map { Float($0 / Double(max(n, 1))) }
    }

    /// How many units of `klPerUnit` carry more than `threshold` nats.
    public static func activeUnits(_ klPerUnit: [Float], threshold: Float = activeThreshold) -> Int {
        klPerUnit.filter { $0 > threshold }.count
    }

    /// The KL (nats, per unit) above which a latent unit counts as active.
    public static let activeThreshold: Float = 0.01
}

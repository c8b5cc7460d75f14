/// The VAE's encoder: an image batch to the mean and log-variance of q(z | x). Architecture and
/// parameter names (`encoder.*`) are `VAEConfig`'s doc comment.
///
/// Shapes: x (N, channels, S, S) -> μ, log σ² each (N, zc, s, s) for a map latent, (N, zd) for a
/// vector. Every layer object runs once per forward and keeps its own training cache.
public final class VAEEncoder {
    public let config: VAEConfig
    let initConv: Conv2d
    /// [level][block]
    let blocks: [[ResBlock]]
    /// One per level; nil on the last.
    let downs: [Conv2d?]
    let finalNorm: GroupNormSiLU
    /// The statistics layer: a 3x3 conv for a map latent, a linear layer for a vector.
    let toStatsConv: Conv2d?
    let toStatsLinear: Linear?
    /// The batch size of the last training forward (for the vector path's reshape in backward).
    private var trainingBatch = 0

    /// Registers `encoder.*` in forward order.
    init(config c: VAEConfig, store: ParameterStore, rng: inout RandomGenerator) {
        config = c
        let g = c.groups
        initConv = Conv2d(store: store, name: "encoder.init_conv", inChannels: c.channels, outChannels: c.dim,
                          kernelSize: 3, padding: 1, rng: &rng)
        var ch = c.dim
        var blocks: [[ResBlock]] = [], downs: [Conv2d?] = []
        for i in 0..<c.levels {
            let out = c.dim * c.channelMults[i]
            blocks.append((0..<c.resBlocks).map { j in
                defer { ch = out }
                return ResBlock(store: store, name: "encoder.downs.\(i).blocks.\(j)", inChannels: ch, outChannels: out,
                                timeDim: nil, groups: g, rng: &rng)
            })
            downs.append(i < c.levels - 1
                ? Conv2d(store: store, name: "encoder.downs.\(i).down", inChannels: out, outChannels: out,
                         kernelSize: 3, stride: 2, padding: 1, rng: &rng)
                : nil)
        }
        self.blocks = blocks
        self.downs = downs
        finalNorm = GroupNormSiLU(store: store, name: "encoder.final_norm", groups: g, channels: ch)
        let s = c.bottomSide
        if c.isSpatialLatent {
            toStatsConv = Conv2d(store: store, name: "encoder.to_stats", inChannels: ch, outChannels: 2 * c.latentShape[0],
                                 kernelSize: 3, padding: 1, rng: &rng)
            toStatsLinear = nil
        } else {
            toStatsConv = nil
            toStatsLinear = Linear(store: store, name: "encoder.to_stats", inFeatures: ch * s * s,
                                   outFeatures: 2 * c.latentShape[0], rng: &rng)
        }
    }

    /// x (N, channels, S, S) -> (μ, log σ²), each (N, latentShape...).
    public func forward(_ x: Tensor, training: Bool) -> (mu: Tensor, logvar: Tensor) {
        let (n, c, h, w) = x.nchw("vae encoder")
        precondition(c == config.channels && h == config.imageSize && w == config.imageSize,
                     "vae encoder: input \(x.shapeDescription) does not match (N,\(config.channels),\(config.imageSize),\(config.imageSize))")
        if training { trainingBatch = n }
        var hcur = initConv.forward(x, training: training)
        for (i, level) in blocks.enumerated() {
            for block in level { hcur = block.forward(hcur, training: training) }
            if let down = downs[i] { hcur = down.forward(hcur, training: training) }
        }
        hcur = finalNorm.forward(hcur, training: training)  // (N, cb, s, s)
        let stats: Tensor  // (N, 2zc, s, s) or (N, 2zd)
        if let toStatsConv {
            stats = toStatsConv.forward(hcur, training: training)
        } else {
            stats = toStatsLinear!.forward(hcur.reshaped([n, hcur.count / n]), training: training)
        }
        return LatentHalves.split(stats)
    }

    /// (dμ, dlogvar) -> dX (N, channels, S, S).
    public func backward(dMu: Tensor, dLogvar: Tensor) -> Tensor {
        // forward: μ, logvar = split(stats)
        let dStats = LatentHalves.join(dMu, dLogvar)
        var dh: Tensor
        if let toStatsConv {
            dh = toStatsConv.backward(dStats)
        } else {
            let s = config.bottomSide
            dh = toStatsLinear!.backward(dStats).reshaped([trainingBatch, config.bottomChannels, s, s])
        }
        dh = finalNorm.backward(dh)
        for i in blocks.indices.reversed() {
            if let down = downs[i] { dh = down.backward(dh) }
            for block in blocks[i].reversed() { dh = block.backward(dh).dx }
        }
        return initConv.backward(dh)
    }
}

/// μ and log σ² side by side in one tensor: the first half of each image's values is μ, the second
/// log σ² — channels for a map (N, 2zc, s, s), entries for a vector (N, 2zd).
enum LatentHalves {
    /// (N, 2k, ...) -> two (N, k, ...).
    static func split(_ t: Tensor) -> (Tensor, Tensor) {
        let n = t.shape[0], per = t.count / max(n, 1), half = per / 2
        var shape = t.shape
        shape[1] /= 2
        var a = [Float](), b = [Float]()
        a.reserveCapacity(n * half)
        b.reserveCapacity(n * half)
        for img in 0..<n {
            a.append(contentsOf: t.data[(img * per)..<(img * per + half)])
            b.append(contentsOf: t.data[(img * per + half)..<((img + 1) * per)])
        }
        return (Tensor(shape: shape, data: a), Tensor(shape: shape, data: b))
    }

    /// Two (N, k, ...) -> (N, 2k, ...), the inverse of `split`.
    static func join(_ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.shape == b.shape, "latent halves: \(a.shapeDescription) vs \(b.shapeDescription)")
        let n = a.shape[0], half = a.count / max(n, 1)
        var shape = a.shape
        shape[1] *= 2
        var out = [Float]()
        out.reserveCapacity(2 * a.count)
        for img in 0..<n {
            out.append(contentsOf: a.data[(img * half)..<((img + 1) * half)])
            out.append(contentsOf: b.data[(img * half)..<((img + 1) * half)])
        }
        return Tensor(shape: shape, data: out)
    }
}

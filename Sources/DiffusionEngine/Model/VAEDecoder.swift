/// The VAE's decoder: a latent batch to images. Architecture and parameter names (`decoder.*`)
/// are `VAEConfig`'s doc comment.
///
/// Shapes: z (N, zc, s, s) for a map latent or (N, zd) for a vector -> x̂ (N, channels, S, S).
public final class VAEDecoder {
    public let config: VAEConfig
    /// The latent's entry: a 3x3 conv for a map, a linear layer (then a reshape) for a vector.
    let fromLatentConv: Conv2d?
    let fromLatentLinear: Linear?
    /// [k][block], k = 0 at the bottom (level L-1).
    let blocks: [[ResBlock]]
    /// Nearest 2x + 3x3 conv after level k; nil on the last (level 0).
    let ups: [(upsample: Upsample2x, conv: Conv2d)?]
    let finalNorm: GroupNormSiLU
    let finalConv: Conv2d
    private var trainingBatch = 0

    /// Registers `decoder.*` in forward order.
    init(config c: VAEConfig, store: ParameterStore, rng: inout RandomGenerator) {
        config = c
        let g = c.groups, s = c.bottomSide
        var ch = c.bottomChannels
        if c.isSpatialLatent {
            fromLatentConv = Conv2d(store: store, name: "decoder.from_latent", inChannels: c.latentShape[0], outChannels: ch,
                                    kernelSize: 3, padding: 1, rng: &rng)
            fromLatentLinear = nil
        } else {
            fromLatentConv = nil
            fromLatentLinear = Linear(store: store, name: "decoder.from_latent", inFeatures: c.latentShape[0],
                                      outFeatures: ch * s * s, rng: &rng)
        }
        var blocks: [[ResBlock]] = [], ups: [(Upsample2x, Conv2d)?] = []
        for k in 0..<c.levels {
            let i = c.levels - 1 - k, out = c.dim * c.channelMults[i]
            blocks.append((0..<c.resBlocks).map { j in
                defer { ch = out }
                return ResBlock(store: store, name: "decoder.ups.\(k).blocks.\(j)", inChannels: ch, outChannels: out,
                                timeDim: nil, groups: g, rng: &rng)
            })
            ups.append(i > 0
                ? (Upsample2x(), Conv2d(store: store, name: "decoder.ups.\(k).up", inChannels: out, outChannels: out,
                                        kernelSize: 3, padding: 1, rng: &rng))
                : nil)
        }
        self.blocks = blocks
        self.ups = ups
        finalNorm = GroupNormSiLU(store: store, name: "decoder.final_norm", groups: g, channels: ch)
        finalConv = Conv2d(store: store, name: "decoder.final_conv", inChannels: ch, outChannels: c.channels,
                           kernelSize: 3, padding: 1, rng: &rng)
    }

    /// z (N, latentShape...) -> x̂ (N, channels, S, S).
    public func forward(_ z: Tensor, training: Bool) -> Tensor {
        precondition(Array(z.shape.dropFirst()) == config.latentShape,
                     "vae decoder: latent \(z.shapeDescription) does not match (N,\(config.latentDescription.replacingOccurrences(of: "x", with: ",")))")
        let n = z.shape[0], s = config.bottomSide
        if training { trainingBatch = n }
        var h: Tensor  // (N, cb, s, s)
        if let fromLatentConv {
            h = fromLatentConv.forward(z, training: training)
        } else {
            h = fromLatentLinear!.forward(z, training: training).reshaped([n, config.bottomChannels, s, s])
        }
        for (k, level) in blocks.enumerated() {
            for block in level { h = block.forward(h, training: training) }
            if let up = ups[k] { h = up.conv.forward(up.upsample.forward(h, training: training), training: training) }
        }
        return finalConv.forward(finalNorm.forward(h, training: training), training: training)
    }

    /// dX̂ (N, channels, S, S) -> dz (N, latentShape...).
    public func backward(_ dy: Tensor) -> Tensor {
        // forward: x̂ = final_conv(silu(final_norm(h)))
        var dh = finalNorm.backward(finalConv.backward(dy))
        for k in blocks.indices.reversed() {
            if let up = ups[k] { dh = up.upsample.backward(up.conv.backward(dh)) }
            for block in blocks[k].reversed() { dh = block.backward(dh).dx }
        }
        if let fromLatentConv { return fromLatentConv.backward(dh) }
        // forward: h = reshape(from_latent(z))
        return fromLatentLinear!.backward(dh.reshaped([trainingBatch, dh.count / max(trainingBatch, 1)]))
    }
}

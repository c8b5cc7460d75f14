/// The DDPM-family UNet denoiser; the architecture and parameter names are `UNetConfig`'s doc comment.
///
/// Parameters are registered in forward order: `time_mlp`, `init_conv`, `downs.*`, `mid.*`,
/// `ups.*`, `final_norm`, `final_conv` (within a level: block j, then its attention, then the
/// down/up conv). Every layer object runs once per forward, so each keeps its own training cache;
/// `training: false` keeps nothing, which is what sampling uses.
public final class UNet: Denoiser {
    public let config: UNetConfig
    public let store: ParameterStore

    /// One resolution level of the encoder.
    final class DownLevel {
        var blocks: [ResBlock] = []
        var attns: [AttentionBlock?] = []
        var down: Conv2d?
    }

    /// One resolution level of the decoder.
    final class UpLevel {
        var concats: [ChannelConcat] = []
        var blocks: [ResBlock] = []
        var attns: [AttentionBlock?] = []
        var upsample: Upsample2x?
        var up: Conv2d?
    }

    let timeEmbedding: SinusoidalTimeEmbedding
    let timeLin1: Linear
    let timeAct = SiLU()
    let timeLin2: Linear
    let initConv: Conv2d
    let downs: [DownLevel]
    let midBlock1: ResBlock
    let midAttn: AttentionBlock
    let midBlock2: ResBlock
    let ups: [UpLevel]
    let finalNorm: GroupNormSiLU
    let finalConv: Conv2d

    /// The batch size of the last training forward (for the backward's time-gradient buffer).
    private var trainingBatch: Int?

    /// Builds the network with PyTorch's default initialisation drawn from `seed`.
    /// - Throws: `EngineError` when the config is not buildable (`UNetConfig.validate`).
    public init(config: UNetConfig, seed: UInt64) throws {
        try config.validate()
        self.config = config
        let store = ParameterStore()
        self.store = store
        var rng = RandomGenerator(seed: seed)
        let c = config, tdim = c.timeEmbeddingDim, g = c.groups
        let heads = c.attentionHeads, headDim = c.attentionHeadDim

        timeEmbedding = SinusoidalTimeEmbedding(dim: c.dim)
        timeLin1 = Linear(store: store, name: "time_mlp.lin1", inFeatures: c.dim, outFeatures: tdim, rng: &rng)
        timeLin2 = Linear(store: store, name: "time_mlp.lin2", inFeatures: tdim, outFeatures: tdim, rng: &rng)
        initConv = Conv2d(store: store, name: "init_conv", inChannels: c.channels, outChannels: c.dim,
                          kernelSize: 3, padding: 1, rng: &rng)

        var ch = c.dim
        var skipChannels: [Int] = []
        var downs: [DownLevel] = []
        for i in 0..<c.levels {
            let level = DownLevel(), out = c.dim * c.channelMults[i], res = c.imageSize >> i
            let attend = c.attentionResolutions.contains(res)
            for j in 0..<c.resBlocks {
                level.blocks.append(ResBlock(store: store, name: "downs.\(i).blocks.\(j)", inChannels: ch,
                                             outChannels: out, timeDim: tdim, groups: g, rng: &rng))
                ch = out
                level.attns.append(attend ? AttentionBlock(store: store, name: "downs.\(i).attns.\(j)", channels: out,
                                                           heads: heads, headDim: headDim, groups: g, rng: &rng) : nil)
                skipChannels.append(out)
            }
            if i < c.levels - 1 {
                level.down = Conv2d(store: store, name: "downs.\(i).down", inChannels: out, outChannels: out,
                                    kernelSize: 3, stride: 2, padding: 1, rng: &rng)
            }
            downs.append(level)
        }
        self.downs = downs

        midBlock1 = ResBlock(store: store, name: "mid.block1", inChannels: ch, outChannels: ch, timeDim: tdim,
                             groups: g, rng: &rng)
        midAttn = AttentionBlock(store: store, name: "mid.attn", channels: ch, heads: heads, headDim: headDim,
                                 groups: g, rng: &rng)
        midBlock2 = ResBlock(store: store, name: "mid.block2", inChannels: ch, outChannels: ch, timeDim: tdim,
                             groups: g, rng: &rng)

        var ups: [UpLevel] = []
        for k in 0..<c.levels {
            let i = c.levels - 1 - k
            let level = UpLevel(), out = c.dim * c.channelMults[i], res = c.imageSize >> i
            let attend = c.attentionResolutions.contains(res)
            for j in 0..<c.resBlocks {
                let skip = skipChannels.removeLast()
                level.concats.append(ChannelConcat())
                level.blocks.append(ResBlock(store: store, name: "ups.\(k).blocks.\(j)", inChannels: ch + skip,
                                             outChannels: out, timeDim: tdim, groups: g, rng: &rng))
                ch = out
                level.attns.append(attend ? AttentionBlock(store: store, name: "ups.\(k).attns.\(j)", channels: out,
                                                           heads: heads, headDim: headDim, groups: g, rng: &rng) : nil)
            }
            if i > 0 {
                level.upsample = Upsample2x()
                level.up = Conv2d(store: store, name: "ups.\(k).up", inChannels: out, outChannels: out,
                                  kernelSize: 3, padding: 1, rng: &rng)
            }
            ups.append(level)
        }
        self.ups = ups

        finalNorm = GroupNormSiLU(store: store, name: "final_norm", groups: g, channels: ch)
        finalConv = Conv2d(store: store, name: "final_conv", inChannels: ch, outChannels: c.channels,
                           kernelSize: 3, padding: 1, rng: &rng)
    }

    /// x (N, channels, S, S), N timesteps -> (N, channels, S, S).
    public func forward(_ x: Tensor, timesteps: [Float], training: Bool) -> Tensor {
        let (n, c, h, w) = x.nchw("unet")
        precondition(
            c == config.channels && h == config.imageSize && w == config.imageSize,
            "unet: input \(x.shapeDescription) does not match (N,\(config.channels),\(config.imageSize),\(config.imageSize))")
        precondition(timesteps.count == n, "unet: \(timesteps.count) timesteps for a batch of \(n)")
        if training { trainingBatch = n }

        // temb = lin2(silu(lin1(sinusoidal(t))))   (N, 4*dim)
        let emb = timeEmbedding.forward(timesteps)
        let temb = timeLin2.forward(timeAct.forward(timeLin1.forward(emb, training: training), training: training),
                                    training: training)

        var hcur = initConv.forward(x, training: training)
        var skips: [Tensor] = []
        for level in downs {
            for j in level.blocks.indices {
                hcur = level.blocks[j].forward(hcur, temb: temb, training: training)
                if let attn = level.attns[j] { hcur = attn.forward(hcur, training: training) }
                skips.append(hcur)
            }
            if let down = level.down { hcur = down.forward(hcur, training: training) }
        }

        hcur = midBlock1.forward(hcur, temb: temb, training: training)
        hcur = midAttn.forward(hcur, training: training)
        hcur = midBlock2.forward(hcur, temb: temb, training: training)

        for level in ups {
            for j in level.blocks.indices {
                hcur = level.concats[j].forward(hcur, skips.removeLast(), training: training)
                hcur = level.blocks[j].forward(hcur, temb: temb, training: training)
                if let attn = level.attns[j] { hcur = attn.forward(hcur, training: training) }
            }
            if let up = level.up, let upsample = level.upsample {
                hcur = up.forward(upsample.forward(hcur, training: training), training: training)
            }
        }

        return finalConv.forward(finalNorm.forward(hcur, training: training), training: training)
    }

    /// dOut (N, channels, S, S) -> dX (N, channels, S, S); accumulates every parameter gradient.
    @discardableResult
    public func backward(_ dOut: Tensor) -> Tensor {
        guard let n = trainingBatch else { preconditionFailure("unet.backward: no training forward to differentiate") }
        // forward: out = final_conv(silu(final_norm(h)))
        var dh = finalNorm.backward(finalConv.backward(dOut))
        var dTemb = Tensor(zeros: [n, config.timeEmbeddingDim])
        // The decoder popped the skips last-pushed-first; walking it backwards meets them
        // first-pushed-first, so dSkips fills in push order and the encoder pops from the end.
        var dSkips: [Tensor] = []
        for level in ups.reversed() {
            if let up = level.up, let upsample = level.upsample { dh = upsample.backward(up.backward(dh)) }
            for j in level.blocks.indices.reversed() {
                if let attn = level.attns[j] { dh = attn.backward(dh) }
                let (dIn, dt) = level.blocks[j].backward(dh)
                dTemb.addInPlace(dt!)
                let (dPrev, dSkip) = level.concats[j].backward(dIn)
                dh = dPrev
                dSkips.append(dSkip)
            }
        }

        // forward: h = block2(attn(block1(h)))
        let mid2 = midBlock2.backward(dh)
        dTemb.addInPlace(mid2.dTemb!)
        let mid1 = midBlock1.backward(midAttn.backward(mid2.dx))
        dTemb.addInPlace(mid1.dTemb!)
        dh = mid1.dx

        for level in downs.reversed() {
            if let down = level.down { dh = down.backward(dh) }
            for j in level.blocks.indices.reversed() {
                // forward: skips.push(h) — the skip's gradient joins the main path's
                addInPlace(&dh, dSkips.removeLast())
                if let attn = level.attns[j] { dh = attn.backward(dh) }
                let (dIn, dt) = level.blocks[j].backward(dh)
                dTemb.addInPlace(dt!)
                dh = dIn
            }
        }
        let dx = initConv.backward(dh)

        // forward: temb = lin2(silu(lin1(emb))); emb has no parameters, so its gradient is dropped
        _ = timeLin1.backward(timeAct.backward(timeLin2.backward(dTemb)))
        return dx
    }
}

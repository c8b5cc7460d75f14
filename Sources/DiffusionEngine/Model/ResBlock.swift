/// The residual block of the UNet (with a time-embedding projection) and of the VAE (without),
/// `in -> out` channels.
///
///     h = conv1(silu(norm1(x)))                           norm1 GroupNorm(groups, in), conv1 3x3 in -> out
///     h = h + time_proj(silu(temb))[:, :, None, None]     time_proj Linear(timeDim, out); only with a timeDim
///     h = conv2(silu(norm2(h)))                           norm2 GroupNorm(groups, out), conv2 3x3 out -> out
///     return h + (skip(x) if in != out else x)            skip 1x1 conv in -> out
///
/// Parameters (registered in this order): `name.norm1`, `name.conv1`, `name.time_proj` (only with
/// a timeDim), `name.norm2`, `name.conv2`, and `name.skip` only when in != out.
///
/// Without a timeDim the block has no time projection at all rather than one fed zeros: a zero
/// input would leave `time_proj.weight` a dead parameter (gradient always 0) and its bias a second
/// copy of conv1's, tensors a checkpoint would carry and the twin would have to mirror for nothing.
///
/// The GroupNorm+SiLU pairs are fused (`GroupNormSiLU`), the time projection is added by conv1's
/// output pass and the shortcut by conv2's (`Conv2d.forward(_:training:channelBias:residual:)`),
/// so no pass over the activations exists only to add something.
public final class ResBlock {
    public let inChannels: Int
    public let outChannels: Int
    let norm1: GroupNormSiLU
    let conv1: Conv2d
    let timeAct = SiLU()
    /// nil for a block without a time input (the VAE's).
    let timeProj: Linear?
    let norm2: GroupNormSiLU
    let conv2: Conv2d
    let skip: Conv2d?

    public init(
        store: ParameterStore, name: String, inChannels: Int, outChannels: Int, timeDim: Int?, groups: Int,
        rng: inout RandomGenerator
    ) {
        self.inChannels = inChannels
        self.outChannels = outChannels
        norm1 = GroupNormSiLU(store: store, name: name + ".norm1", groups: groups, channels: inChannels)
        conv1 = Conv2d(store: store, name: name + ".conv1", inChannels: inChannels, outChannels: outChannels,
                       kernelSize: 3, padding: 1, rng: &rng)
        timeProj = timeDim.map {
            Linear(store: store, name: name + ".time_proj", inFeatures: $0, outFeatures: outChannels, rng: &rng)
        }
        norm2 = GroupNormSiLU(store: store, name: name + ".norm2", groups: groups, channels: outChannels)
        conv2 = Conv2d(store: store, name: name + ".conv2", inChannels: outChannels, outChannels: outChannels,
                       kernelSize: 3, padding: 1, rng: &rng)
        skip = inChannels == outChannels ? nil
            : Conv2d(store: store, name: name + ".skip", inChannels: inChannels, outChannels: outChannels,
                     kernelSize: 1, rng: &rng)
    }

    /// x (N, in, H, W), temb (N, timeDim) -> (N, out, H, W). `temb` is nil exactly when the block
    /// was built without a timeDim.
    public func forward(_ x: Tensor, temb: Tensor?, training: Bool) -> Tensor {
        precondition((temb == nil) == (timeProj == nil), "resblock: a time embedding goes with a timeDim, and only then")
        var tp: Tensor?  // (N, out)
        if let temb, let timeProj {
            tp = timeProj.forward(timeAct.forward(temb, training: training), training: training)
        }
        // h1 = conv1(silu(norm1(x))) + tp[:, :, None, None]
        let h1 = conv1.forward(norm1.forward(x, training: training), training: training, channelBias: tp, residual: nil)
        let shortcut = skip?.forward(x, training: training) ?? x
        // y = conv2(silu(norm2(h1))) + shortcut
        return conv2.forward(norm2.forward(h1, training: training), training: training, channelBias: nil, residual: shortcut)
    }

    /// x (N, in, H, W) -> (N, out, H, W), for a block without a time input.
    public func forward(_ x: Tensor, training: Bool) -> Tensor { forward(x, temb: nil, training: training) }

    /// dY (N, out, H, W) -> (dX (N, in, H, W), dTemb (N, timeDim), nil without a time input).
    public func backward(_ dy: Tensor) -> (dx: Tensor, dTemb: Tensor?) {
        // forward: y = conv2(silu(norm2(h1))) + shortcut(x)
        let dShortcut = skip?.backward(dy) ?? dy
        let dh1 = norm2.backward(conv2.backward(dy))
        // forward: h1 = conv1(silu(norm1(x))) + tp[:, :, None, None];  dtp = Σ_HW dh1
        let dTemb = timeProj.map { timeAct.backward($0.backward(Self.sumPerChannel(dh1))) }
        var dx = norm1.backward(conv1.backward(dh1))
        addInPlace(&dx, dShortcut)
        return (dx, dTemb)
    }

    /// Σ over H, W: (N, C, H, W) -> (N, C).
    static func sumPerChannel(_ g: Tensor) -> Tensor {
        let (n, c, hh, ww) = g.nchw("resblock time grad")
        let hw = hh * ww
        return makeTensor([n, c]) { out in
            g.data.withUnsafeBufferPointer { p in
                let base = p.baseAddress!
                ComputePool.shared.parallelRanges(n * c, grain: max(1, 16384 / hw)) { r in
                    (out + r.lowerBound).update(repeating: 0, count: r.count)
                    Lowering.sumRows(base + r.lowerBound * hw, rows: r.count, count: hw, ld: hw, into: out + r.lowerBound)
                }
            }
        }
    }
}

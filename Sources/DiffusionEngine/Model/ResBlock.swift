/// The UNet's residual block with a time-embedding projection, `in -> out` channels.
///
///     h = conv1(silu(norm1(x)))                           norm1 GroupNorm(groups, in), conv1 3x3 in -> out
///     h = h + time_proj(silu(temb))[:, :, None, None]     time_proj Linear(timeDim, out)
///     h = conv2(silu(norm2(h)))                           norm2 GroupNorm(groups, out), conv2 3x3 out -> out
///     return h + (skip(x) if in != out else x)            skip 1x1 conv in -> out
///
/// Parameters (registered in this order): `name.norm1`, `name.conv1`, `name.time_proj`,
/// `name.norm2`, `name.conv2`, and `name.skip` only when in != out.
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
    let timeProj: Linear
    let norm2: GroupNormSiLU
    let conv2: Conv2d
    let skip: Conv2d?

    public init(
        store: ParameterStore, name: String, inChannels: Int, outChannels: Int, timeDim: Int, groups: Int,
        rng: inout RandomGenerator
    ) {
        self.inChannels = inChannels
        self.outChannels = outChannels
        norm1 = GroupNormSiLU(store: store, name: name + ".norm1", groups: groups, channels: inChannels)
        conv1 = Conv2d(store: store, name: name + ".conv1", inChannels: inChannels, outChannels: outChannels,
                       kernelSize: 3, padding: 1, rng: &rng)
        timeProj = Linear(store: store, name: name + ".time_proj", inFeatures: timeDim, outFeatures: outChannels, rng: &rng)
        norm2 = GroupNormSiLU(store: store, name: name + ".norm2", groups: groups, channels: outChannels)
        conv2 = Conv2d(store: store, name: name + ".conv2", inChannels: outChannels, outChannels: outChannels,
                       kernelSize: 3, padding: 1, rng: &rng)
        skip = inChannels == outChannels ? nil
            : Conv2d(store: store, name: name + ".skip", inChannels: inChannels, outChannels: outChannels,
                     kernelSize: 1, rng: &rng)
    }

    /// x (N, in, H, W), temb (N, timeDim) -> (N, out, H, W).
    public func forward(_ x: Tensor, temb: Tensor, training: Bool) -> Tensor {
        let tp = timeProj.forward(timeAct.forward(temb, training: training), training: training)  // (N, out)
        // h1 = conv1(silu(norm1(x))) + tp[:, :, None, None]
        let h1 = conv1.forward(norm1.forward(x, training: training), training: training, channelBias: tp, residual: nil)
        let shortcut = skip?.forward(x, training: training) ?? x
        // y = conv2(silu(norm2(h1))) + shortcut
        return conv2.forward(norm2.forward(h1, training: training), training: training, channelBias: nil, residual: shortcut)
    }

    /// dY (N, out, H, W) -> (dX (N, in, H, W), dTemb (N, timeDim)).
    public func backward(_ dy: Tensor) -> (dx: Tensor, dTemb: Tensor) {
        // forward: y = conv2(silu(norm2(h1))) + shortcut(x)
        let dShortcut = skip?.backward(dy) ?? dy
        let dh1 = norm2.backward(conv2.backward(dy))
        // forward: h1 = conv1(silu(norm1(x))) + tp[:, :, None, None];  dtp = Σ_HW dh1
        let dtp = Self.sumPerChannel(dh1)
        let dTemb = timeAct.backward(timeProj.backward(dtp))
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

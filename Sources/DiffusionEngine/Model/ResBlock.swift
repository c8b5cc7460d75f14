/// The UNet's residual block with a time-embedding projection, `in -> out` channels.
///
///     h = conv1(silu(norm1(x)))                           norm1 GroupNorm(groups, in), conv1 3x3 in -> out
///     h = h + time_proj(silu(temb))[:, :, None, None]     time_proj Linear(timeDim, out)
///     h = conv2(silu(norm2(h)))                           norm2 GroupNorm(groups, out), conv2 3x3 out -> out
///     return h + (skip(x) if in != out else x)            skip 1x1 conv in -> out
///
/// Parameters (registered in this order): `name.norm1`, `name.conv1`, `name.time_proj`,
/// `name.norm2`, `name.conv2`, and `name.skip` only when in != out.
public final class ResBlock {
    public let inChannels: Int
    public let outChannels: Int
    let norm1: GroupNorm
    let act1 = SiLU()
    let conv1: Conv2d
    let timeAct = SiLU()
    let timeProj: Linear
    let norm2: GroupNorm
    let act2 = SiLU()
    let conv2: Conv2d
    let skip: Conv2d?
    let residual = ResidualAdd()

    public init(
        store: ParameterStore, name: String, inChannels: Int, outChannels: Int, timeDim: Int, groups: Int,
        rng: inout RandomGenerator
    ) {
        self.inChannels = inChannels
        self.outChannels = outChannels
        norm1 = GroupNorm(store: store, name: name + ".norm1", groups: groups, channels: inChannels)
        conv1 = Conv2d(store: store, name: name + ".conv1", inChannels: inChannels, outChannels: outChannels,
                       kernelSize: 3, padding: 1, rng: &rng)
        timeProj = Linear(store: store, name: name + ".time_proj", inFeatures: timeDim, outFeatures: outChannels, rng: &rng)
        norm2 = GroupNorm(store: store, name: name + ".norm2", groups: groups, channels: outChannels)
        conv2 = Conv2d(store: store, name: name + ".conv2", inChannels: outChannels, outChannels: outChannels,
                       kernelSize: 3, padding: 1, rng: &rng)
        skip = inChannels == outChannels ? nil
            : Conv2d(store: store, name: name + ".skip", inChannels: inChannels, outChannels: outChannels,
                     kernelSize: 1, rng: &rng)
    }

    /// x (N, in, H, W), temb (N, timeDim) -> (N, out, H, W).
    public func forward(_ x: Tensor, temb: Tensor, training: Bool) -> Tensor {
        var h = conv1.forward(act1.forward(norm1.forward(x, training: training), training: training), training: training)
        let tp = timeProj.forward(timeAct.forward(temb, training: training), training: training)  // (N, out)
        Self.addPerChannel(&h, tp)
        h = conv2.forward(act2.forward(norm2.forward(h, training: training), training: training), training: training)
        let shortcut = skip?.forward(x, training: training) ?? x
        return residual.forward(h, shortcut)
    }

    /// dY (N, out, H, W) -> (dX (N, in, H, W), dTemb (N, timeDim)).
    public func backward(_ dy: Tensor) -> (dx: Tensor, dTemb: Tensor) {
        // forward: y = h + shortcut(x)
        let (dh, dShortcut) = residual.backward(dy)
        var dx = skip?.backward(dShortcut) ?? dShortcut
        // forward: h = conv2(silu(norm2(h1)))
        let dh1 = norm2.backward(act2.backward(conv2.backward(dh)))
        // forward: h1 = h0 + tp[:, :, None, None];  dtp = Σ_HW dh1
        let dtp = Self.sumPerChannel(dh1)
        let dTemb = timeAct.backward(timeProj.backward(dtp))
        // forward: h0 = conv1(silu(norm1(x)))
        dx.addInPlace(norm1.backward(act1.backward(conv1.backward(dh1))))
        return (dx, dTemb)
    }

    /// h (N, C, H, W) += v (N, C) broadcast over H, W.
    static func addPerChannel(_ h: inout Tensor, _ v: Tensor) {
        let (n, c, hh, ww) = h.nchw("resblock time add")
        precondition(v.shape == [n, c], "resblock: time projection \(v.shapeDescription) vs \(h.shapeDescription)")
        let hw = hh * ww
        h.data.withUnsafeMutableBufferPointer { p in
            for i in 0..<(n * c) {
                let b = v.data[i]
                for j in 0..<hw { p[i * hw + j] += b }
            }
        }
    }

    /// Σ over H, W: (N, C, H, W) -> (N, C).
    static func sumPerChannel(_ g: Tensor) -> Tensor {
        let (n, c, hh, ww) = g.nchw("resblock time grad")
        let hw = hh * ww
        var out = [Float](repeating: 0, count: n * c)
        g.data.withUnsafeBufferPointer { p in
            for i in 0..<(n * c) {
                var s: Float = 0
                for j in 0..<hw { s += p[i * hw + j] }
                out[i] = s
            }
        }
        return Tensor(shape: [n, c], data: out)
    }
}

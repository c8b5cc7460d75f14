/// Group normalisation with a per-channel affine transform, PyTorch's `nn.GroupNorm` (eps 1e-5).
///
/// Shapes: input (N, C, H, W), weight γ (C), bias β (C), output (N, C, H, W). The C channels are
/// split into G consecutive groups; each (image, group) is normalised over its C/G * H * W values
/// with the biased variance: `y = (x - μ) / √(σ² + eps) · γ[c] + β[c]`. Statistics are summed in
/// Double (two passes) so the result does not depend on the summation order.
public final class GroupNorm {
    public let groups: Int
    public let channels: Int
    public let eps: Float
    /// γ, (C)
    public let weight: ParameterRef
    /// β, (C)
    public let bias: ParameterRef
    let store: ParameterStore
    /// The last training forward: x̂ (N, C, H, W) and 1/√(σ²+eps) per (N, G).
    private var cachedNormalised: Tensor?
    private var cachedRstd: [Float] = []

    /// Registers `name.weight` (ones) and `name.bias` (zeros), both (C).
    public init(store: ParameterStore, name: String, groups: Int, channels: Int, eps: Float = 1e-5) {
        precondition(
            groups > 0 && channels > 0 && channels % groups == 0,
            "groupnorm \(name): channels \(channels) not divisible by groups \(groups)")
        self.groups = groups
        self.channels = channels
        self.eps = eps
        self.store = store
        weight = store.register(name + ".weight", shape: [channels], initial: [Float](repeating: 1, count: channels))
        bias = store.register(name + ".bias", shape: [channels], initial: [Float](repeating: 0, count: channels))
    }

    /// (N, C, H, W) -> (N, C, H, W).
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let (n, c, h, w) = x.nchw("groupnorm")
        precondition(c == channels, "groupnorm: input \(x.shapeDescription) does not match C=\(channels)")
        let cpg = c / groups, hw = h * w, m = cpg * hw
        var y = [Float](repeating: 0, count: x.count)  // (N, C, H, W)
        var xhat = training ? [Float](repeating: 0, count: x.count) : []  // (N, C, H, W)
        var rstds = [Float](repeating: 0, count: n * groups)  // (N, G)
        x.data.withUnsafeBufferPointer { xp in
            store.values.withUnsafeBufferPointer { vp in
                let gamma = vp.baseAddress! + weight.offset, beta = vp.baseAddress! + bias.offset
                for img in 0..<n {
                    for g in 0..<groups {
                        let base = (img * c + g * cpg) * hw  // the group's m values are contiguous
                        var s = 0.0
                        for i in 0..<m { s += Double(xp[base + i]) }
                        let mean = s / Double(m)
                        var v = 0.0
                        for i in 0..<m { let d = Double(xp[base + i]) - mean; v += d * d }
                        let rstd = Float(1 / (v / Double(m) + Double(eps)).squareRoot())
                        let meanF = Float(mean)
                        rstds[img * groups + g] = rstd
                        for cc in 0..<cpg {
                            let ch = g * cpg + cc, off = base + cc * hw
                            let ga = gamma[ch], be = beta[ch]
                            for i in 0..<hw {
                                let nx = (xp[off + i] - meanF) * rstd
                                y[off + i] = nx * ga + be
                                if training { xhat[off + i] = nx }
                            }
                        }
                    }
                }
            }
        }
        if training {
            cachedNormalised = Tensor(shape: x.shape, data: xhat)
            cachedRstd = rstds
        }
        return Tensor(shape: x.shape, data: y)
    }

    /// dY (N, C, H, W) -> dX (N, C, H, W); accumulates dγ and dβ.
    public func backward(_ dy: Tensor) -> Tensor {
        guard let xhat = cachedNormalised else {
            preconditionFailure("groupnorm.backward: no training forward to differentiate")
        }
        precondition(dy.shape == xhat.shape, "groupnorm.backward: dY \(dy.shapeDescription) vs \(xhat.shapeDescription)")
        let (n, c, h, w) = xhat.nchw("groupnorm.backward")
        let cpg = c / groups, hw = h * w, m = cpg * hw
        var dx = [Float](repeating: 0, count: dy.count)  // (N, C, H, W)
        dy.data.withUnsafeBufferPointer { dyp in
            xhat.data.withUnsafeBufferPointer { xh in
                store.values.withUnsafeBufferPointer { vp in
                    store.grads.withUnsafeMutableBufferPointer { gp in
                        let gamma = vp.baseAddress! + weight.offset
                        let dgamma = gp.baseAddress! + weight.offset, dbeta = gp.baseAddress! + bias.offset
                        for img in 0..<n {
                            for g in 0..<groups {
                                let base = (img * c + g * cpg) * hw
                                // forward: y = x̂ γ + β, x̂ = (x - μ) rstd
                                // dx̂ = dy γ;  dx = rstd (dx̂ - mean(dx̂) - x̂ mean(dx̂ x̂)) over the group
                                var sumD = 0.0, sumDX = 0.0
                                for cc in 0..<cpg {
                                    let ch = g * cpg + cc, off = base + cc * hw
                                    var dgs: Float = 0, dbs: Float = 0
                                    for i in 0..<hw {
                                        let d = dyp[off + i], xv = xh[off + i]
                                        dgs += d * xv
                                        dbs += d
                                        let dxh = Double(d * gamma[ch])
                                        sumD += dxh
                                        sumDX += dxh * Double(xv)
                                    }
                                    dgamma[ch] += dgs
                                    dbeta[ch] += dbs
                                }
                                let meanD = Float(sumD / Double(m)), meanDX = Float(sumDX / Double(m))
                                let rstd = cachedRstd[img * groups + g]
                                for cc in 0..<cpg {
                                    let ch = g * cpg + cc, off = base + cc * hw
                                    let ga = gamma[ch]
                                    for i in 0..<hw {
                                        dx[off + i] = rstd * (dyp[off + i] * ga - meanD - xh[off + i] * meanDX)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return Tensor(shape: dy.shape, data: dx)
    }
}

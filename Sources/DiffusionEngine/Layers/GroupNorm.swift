/// Group normalisation with a per-channel affine transform, PyTorch's `nn.GroupNorm` (eps 1e-5).
///
/// Shapes: input (N, C, H, W), weight γ (C), bias β (C), output (N, C, H, W). The C channels are
/// split into G consecutive groups; each (image, group) is normalised over its C/G * H * W values
/// with the biased variance: `y = (x - μ) / √(σ² + eps) · γ[c] + β[c]`. Statistics take two passes
/// (mean, then squared deviations), each summed in Float blocks of 512 values whose totals add up
/// in Double: accurate, vectorised, and in a fixed order (results do not depend on threads).
///
/// The work is spread over the `ComputePool` by group (each task owns its groups' channels, so
/// dγ and dβ need no reduction). Training caches the input itself (a reference, no copy) and
/// μ, 1/σ per (N, G); backward recomputes x̂ from them.
public final class GroupNorm {
    public let groups: Int
    public let channels: Int
    public let eps: Float
    /// γ, (C)
    public let weight: ParameterRef
    /// β, (C)
    public let bias: ParameterRef
    let store: ParameterStore
    /// Whether SiLU follows the affine transform inside this layer (`GroupNormSiLU`).
    let fusedSiLU: Bool
    /// The last training forward: the input (N, C, H, W) and μ, 1/√(σ²+eps) per (N, G).
    private var cachedInput: Tensor?
    private var cachedMean: [Float] = []
    private var cachedRstd: [Float] = []

    /// Registers `name.weight` (ones) and `name.bias` (zeros), both (C).
    public convenience init(store: ParameterStore, name: String, groups: Int, channels: Int, eps: Float = 1e-5) {
        self.init(store: store, name: name, groups: groups, channels: channels, eps: eps, fusedSiLU: false)
    }

    init(store: ParameterStore, name: String, groups: Int, channels: Int, eps: Float, fusedSiLU: Bool) {
        precondition(
            groups > 0 && channels > 0 && channels % groups == 0,
            "groupnorm \(name): channels \(channels) not divisible by groups \(groups)")
        self.groups = groups
        self.channels = channels
        self.eps = eps
        self.store = store
        self.fusedSiLU = fusedSiLU
        weight = store.register(name + ".weight", shape: [channels], initial: [Float](repeating: 1, count: channels))
        bias = store.register(name + ".bias", shape: [channels], initial: [Float](repeating: 0, count: channels))
    }

    /// (N, C, H, W) -> (N, C, H, W).
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let (n, c, h, w) = x.nchw("groupnorm")
        precondition(c == channels, "groupnorm: input \(x.shapeDescription) does not match C=\(channels)")
        let cpg = c / groups, hw = h * w, m = cpg * hw
        var means = [Float](repeating: 0, count: n * groups)  // (N, G)
        var rstds = [Float](repeating: 0, count: n * groups)  // (N, G)
        let silu = fusedSiLU, eps = Double(eps)
        let y = makeTensor(x.shape) { yp in
            x.data.withUnsafeBufferPointer { xb in
                store.values.withUnsafeBufferPointer { vp in
                    means.withUnsafeMutableBufferPointer { mp in
                        rstds.withUnsafeMutableBufferPointer { rp in
                            let xp = xb.baseAddress!, mean = mp.baseAddress!, rstd = rp.baseAddress!
                            let gamma = vp.baseAddress! + weight.offset, beta = vp.baseAddress! + bias.offset
                            ComputePool.shared.parallelFor(groups) { g in
                                for img in 0..<n {
                                    let base = (img * c + g * cpg) * hw  // the group's m values are contiguous
                                    let (mu, r) = Self.statistics(xp + base, count: m, eps: eps)
                                    mean[img * groups + g] = mu
                                    rstd[img * groups + g] = r
                                    for cc in 0..<cpg {
                                        let ch = g * cpg + cc, off = base + cc * hw
                                        Self.normalise(xp + off, yp + off, count: hw, mean: mu, rstd: r,
                                                       gamma: gamma[ch], beta: beta[ch], silu: silu)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if training {
            cachedInput = x
            cachedMean = means
            cachedRstd = rstds
        }
        return y
    }

    /// dY (N, C, H, W) -> dX (N, C, H, W); accumulates dγ and dβ.
    public func backward(_ dy: Tensor) -> Tensor {
        guard let x = cachedInput else {
            preconditionFailure("groupnorm.backward: no training forward to differentiate")
        }
        precondition(dy.shape == x.shape, "groupnorm.backward: dY \(dy.shapeDescription) vs \(x.shapeDescription)")
        let (n, c, h, w) = x.nchw("groupnorm.backward")
        let cpg = c / groups, hw = h * w, m = cpg * hw
        let silu = fusedSiLU
        return makeTensor(dy.shape) { dxp in
            dy.data.withUnsafeBufferPointer { dyb in
                x.data.withUnsafeBufferPointer { xb in
                    cachedMean.withUnsafeBufferPointer { mb in
                        cachedRstd.withUnsafeBufferPointer { rb in
                            store.values.withUnsafeBufferPointer { vp in
                                store.grads.withUnsafeMutableBufferPointer { gp in
                                    let dyp = dyb.baseAddress!, xp = xb.baseAddress!
                                    let mean = mb.baseAddress!, rstd = rb.baseAddress!
                                    let gamma = vp.baseAddress! + weight.offset
                                    let beta = vp.baseAddress! + bias.offset
                                    let dgamma = gp.baseAddress! + weight.offset, dbeta = gp.baseAddress! + bias.offset
                                    ComputePool.shared.parallelFor(groups) { g in
                                        for img in 0..<n {
                                            let base = (img * c + g * cpg) * hw
                                            let mu = mean[img * groups + g], r = rstd[img * groups + g]
                                            // pass 1: dŷ (the gradient at the affine output, through SiLU when
                                            // fused) into dX, and the sums the normalisation's gradient needs
                                            var sumD = 0.0, sumDX = 0.0
                                            for cc in 0..<cpg {
                                                let ch = g * cpg + cc, off = base + cc * hw
                                                let s = Self.affineGradient(
                                                    xp + off, dyp + off, dxp + off, count: hw, mean: mu, rstd: r,
                                                    gamma: gamma[ch], beta: beta[ch], silu: silu)
                                                dgamma[ch] += Float(s.dGamma)
                                                dbeta[ch] += Float(s.dBeta)
                                                sumD += s.dBeta * Double(gamma[ch])
                                                sumDX += s.dGamma * Double(gamma[ch])
                                            }
                                            // forward: ŷ = x̂ γ + β, x̂ = (x - μ) rstd
                                            // dx̂ = dŷ γ;  dx = rstd (dx̂ - mean(dx̂) - x̂ mean(dx̂ x̂)) over the group
                                            let meanD = Float(sumD / Double(m)), meanDX = Float(sumDX / Double(m))
                                            for cc in 0..<cpg {
                                                let ch = g * cpg + cc, off = base + cc * hw
                                                Self.inputGradient(xp + off, dxp + off, count: hw, mean: mu, rstd: r,
                                                                   gamma: gamma[ch], meanD: meanD, meanDX: meanDX)
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

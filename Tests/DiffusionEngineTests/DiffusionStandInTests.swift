import Foundation
import Testing
import DiffusionEngine

// Small deterministic denoisers for the diffusion tests (the UNet is built elsewhere; these code
// only against the `Denoiser` protocol), and the tests that show the stand-ins themselves are right.

/// A 1x1-conv "model" with parameters in a ParameterStore:
///
///     out[n,o,h,w] = Σ_c weight[o,c]·x[n,c,h,w] + bias[o] + tscale[o]·t[n]/100
///
/// Enough to check that pLosses hands the right gradient to `backward`.
final class LinearDenoiser: Denoiser {
    let store = ParameterStore()
    let channels: Int
    let weight: ParameterRef   // (C, C)
    let bias: ParameterRef     // (C,)
    let tscale: ParameterRef   // (C,)
    private var cachedX: Tensor?        // (N,C,H,W)
    private var cachedT: [Float] = []   // (N,)

    init(channels: Int, seed: UInt64 = 1) {
        self.channels = channels
        var g = RandomGenerator(seed: seed)
        weight = store.register("weight", shape: [channels, channels], initial: (0..<channels * channels).map { _ in g.normal() * 0.5 })
        bias = store.register("bias", shape: [channels], initial: (0..<channels).map { _ in g.normal() * 0.1 })
        tscale = store.register("tscale", shape: [channels], initial: (0..<channels).map { _ in g.normal() * 0.1 })
    }

    func forward(_ x: Tensor, timesteps: [Float], training: Bool) -> Tensor {
        let (n, c, h, w) = x.nchw("LinearDenoiser")
        precondition(c == channels && timesteps.count == n)
        let W = store.tensor(weight).data, b = store.tensor(bias).data, s = store.tensor(tscale).data
        var out = Tensor(zeros: x.shape)
        let L = h * w
        for i in 0..<n {
            for o in 0..<c {
                for p in 0..<L {
                    var acc = b[o] + s[o] * timesteps[i] / 100
                    for ci in 0..<c { acc += W[o * c + ci] * x.data[(i * c + ci) * L + p] }
                    out.data[(i * c + o) * L + p] = acc
                }
            }
        }
        if training { cachedX = x; cachedT = timesteps }
        return out
    }

    func backward(_ dOut: Tensor) -> Tensor {
        guard let x = cachedX else { preconditionFailure("LinearDenoiser.backward without a training forward") }
        let (n, c, h, w) = x.nchw("LinearDenoiser.backward")
        let W = store.tensor(weight).data
        let L = h * w
        var dx = Tensor(zeros: x.shape)
        for i in 0..<n {
            for o in 0..<c {
                for p in 0..<L {
                    // forward: out = Σ_c W[o,c] x[c] + b[o] + s[o] t/100
                    let g = dOut.data[(i * c + o) * L + p]
                    store.grads[bias.offset + o] += g
                    store.grads[tscale.offset + o] += g * cachedT[i] / 100
                    for ci in 0..<c {
                        store.grads[weight.offset + o * c + ci] += g * x.data[(i * c + ci) * L + p]
                        dx.data[(i * c + ci) * L + p] += g * W[o * c + ci]
                    }
                }
            }
        }
        return dx
    }
}

/// The exact denoiser for data that is always one image x0*: q(x_0 | x_t) is a point mass, so the
/// ideal predictions are ε = (x_t - √ᾱ x0*)/√(1-ᾱ), x0 = x0*, v = √ᾱ ε - √(1-ᾱ) x0*.
final class PointMassDenoiser: Denoiser {
    let store = ParameterStore()
    let target: Tensor            // (C,H,W)
    let schedule: NoiseSchedule
    let objective: Objective

    init(target: Tensor, schedule: NoiseSchedule, objective: Objective = .epsilon) {
        self.target = target
        self.schedule = schedule
        self.objective = objective
    }

    func forward(_ x: Tensor, timesteps: [Float], training: Bool) -> Tensor {
        let n = x.nchw("PointMassDenoiser").n
        let per = target.count
        precondition(x.count == n * per)
        var out = x
        for i in 0..<n {
            let t = Int(timesteps[i])
            let a = Double(schedule.sqrtAlphasCumprod[t]), b = Double(schedule.sqrtOneMinusAlphasCumprod[t])
            for k in 0..<per {
                let x0 = Double(target.data[k]), xt = Double(x.data[i * per + k])
                let eps = (xt - a * x0) / b
                switch objective {
                case .epsilon: out.data[i * per + k] = Float(eps)
                case .x0: out.data[i * per + k] = Float(x0)
                case .v: out.data[i * per + k] = Float(a * eps - b * x0)
                }
            }
        }
        return out
    }

    func backward(_ dOut: Tensor) -> Tensor { Tensor(zeros: dOut.shape) }
}

/// Predicts ε̂ = -k·x_t: x_recon = (1 + k√(1-ᾱ)) x_t / √ᾱ leaves [-1, 1] quickly, so clipping bites.
final class OvershootDenoiser: Denoiser {
    let store = ParameterStore()
    let k: Float
    init(k: Float = 2) { self.k = k }
    func forward(_ x: Tensor, timesteps: [Float], training: Bool) -> Tensor {
        var out = x
        for i in 0..<out.count { out.data[i] = -k * x.data[i] }
        return out
    }
    func backward(_ dOut: Tensor) -> Tensor { Tensor(zeros: dOut.shape) }
}

/// Wraps a denoiser and records what each forward call was given.
final class RecordingDenoiser: Denoiser {
    let inner: Denoiser
    var inputs: [Tensor] = []
    var timesteps: [[Float]] = []
    init(_ inner: Denoiser) { self.inner = inner }
    var store: ParameterStore { inner.store }
    func forward(_ x: Tensor, timesteps t: [Float], training: Bool) -> Tensor {
        inputs.append(x)
        timesteps.append(t)
        return inner.forward(x, timesteps: t, training: training)
    }
    func backward(_ dOut: Tensor) -> Tensor { inner.backward(dOut) }
}

/// A smooth test image batch in [-1, 1]: per sample and channel a tilted plane plus a bump.
func smoothImages(n: Int, c: Int = 3, h: Int = 8, w: Int = 8, seed: UInt64 = 3) -> Tensor {
    var g = RandomGenerator(seed: seed)
    var x = Tensor(zeros: [n, c, h, w])
    for i in 0..<n {
        for ch in 0..<c {
            let ax = g.uniform() - 0.5, ay = g.uniform() - 0.5, cx = g.uniform() * Float(w), cy = g.uniform() * Float(h)
            for y in 0..<h {
                for xx in 0..<w {
                    let dx = Float(xx) - cx, dy = Float(y) - cy
                    let v = ax * Float(xx) / Float(w) + ay * Float(y) / Float(h) + 0.8 * Float(Foundation.exp(Double(-(dx * dx + dy * dy) / 6))) - 0.3
                    x.data[((i * c + ch) * h + y) * w + xx] = max(-1, min(1, v))
                }
            }
        }
    }
    return x
}

@Suite struct DiffusionStandInTests {
    @Test func linearDenoiserBackwardMatchesFiniteDifferences() {
        let m = LinearDenoiser(channels: 2)
        var g = RandomGenerator(seed: 5)
        let x = g.normalTensor([2, 2, 2, 2]), t: [Float] = [3, 40]
        let upstream = g.normalTensor([2, 2, 2, 2])
        func objective() -> Double {
            let o = m.forward(x, timesteps: t, training: false)
            return zip(o.data, upstream.data).reduce(0.0) { $0 + Double($1.0 * $1.1) }
        }
        m.store.zeroGrads()
        _ = m.forward(x, timesteps: t, training: true)
        _ = m.backward(upstream)
        for i in 0..<m.store.count {
            let old = m.store.values[i]
            m.store.values[i] = old + 1e-2
            let up = objective()
            m.store.values[i] = old - 1e-2
            let down = objective()
            m.store.values[i] = old
            let numeric = (up - down) / 2e-2
            #expect(abs(numeric - Double(m.store.grads[i])) < 1e-3 * max(1, abs(numeric)), "parameter \(i)")
        }
    }

    @Test func pointMassDenoiserIsExact() throws {
        let s = try NoiseSchedule(.linear, timesteps: 50)
        let x0 = smoothImages(n: 1, h: 4, w: 4)
        let target = x0.reshaped([3, 4, 4])
        var g = RandomGenerator(seed: 2)
        let eps = g.normalTensor(x0.shape)
        let d = GaussianDiffusion(schedule: s)
        let xt = d.qSample(x0, t: [30], noise: eps)
        let out = PointMassDenoiser(target: target, schedule: s).forward(xt, timesteps: [30], training: false)
        #expect(out.maxAbsDifference(eps) < 1e-4)
    }
}

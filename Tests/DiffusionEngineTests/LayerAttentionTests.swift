import DiffusionEngine
import Foundation
import Testing

/// Multi-head spatial self-attention: values against a Double loop over the documented layout,
/// gradients against finite differences.
@Suite struct LayerAttentionTests {
    /// o[n, h*d + c, i] = Σ_j softmax_j(Σ_e q[e,i] k[e,j] / √d) v[c,j], with the [q | k | v] channel blocks.
    static func reference(_ qkv: Tensor, heads: Int, headDim d: Int) -> Tensor {
        let (n, _, h, w) = qkv.nchw("reference attention")
        let l = h * w, hid = heads * d
        var out = Tensor(zeros: [n, hid, h, w])
        func at(_ img: Int, _ ch: Int, _ pos: Int) -> Double { Double(qkv.data[(img * 3 * hid + ch) * l + pos]) }
        for img in 0..<n {
            for hd in 0..<heads {
                for i in 0..<l {
                    var scores = [Double](repeating: 0, count: l)
                    for j in 0..<l {
                        for e in 0..<d { scores[j] += at(img, hd * d + e, i) * at(img, hid + hd * d + e, j) }
                        scores[j] /= Double(d).squareRoot()
                    }
                    let mx = scores.max()!
                    let ex = scores.map { exp($0 - mx) }
                    let z = ex.reduce(0, +)
                    for c in 0..<d {
                        var s = 0.0
                        for j in 0..<l { s += ex[j] / z * at(img, 2 * hid + hd * d + c, j) }
                        out.data[(img * hid + hd * d + c) * l + i] = Float(s)
                    }
                }
            }
        }
        return out
    }

    @Test func matchesReferenceLayout() {
        var rng = RandomGenerator(seed: 21)
        let attn = SpatialSelfAttention(heads: 2, headDim: 3)
        let qkv = rng.normalTensor([2, 18, 3, 5])
        let o = attn.forward(qkv, training: false)
        #expect(o.shape == [2, 6, 3, 5])
        let ref = Self.reference(qkv, heads: 2, headDim: 3)
        #expect(relativeError(o, ref) < 1e-5, "max|Δ| \(o.maxAbsDifference(ref))")
    }

    @Test(arguments: [(2, 3, 3, 5), (1, 4, 2, 2), (3, 2, 1, 1)])
    func gradients(_ geometry: (Int, Int, Int, Int)) {
        let (heads, d, h, w) = geometry
        var rng = RandomGenerator(seed: 22)
        let attn = SpatialSelfAttention(heads: heads, headDim: d)
        let check = GradientCheck(
            inputs: [rng.normalTensor([2, 3 * heads * d, h, w])], store: nil,
            forward: { attn.forward($0[0], training: $1) }, backward: { [attn.backward($0)] })
        check.eps = 1e-3
        check.samples = 10
        check.run()
    }
}

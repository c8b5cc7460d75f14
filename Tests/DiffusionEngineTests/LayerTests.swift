import DiffusionEngine
import Foundation
import Testing

/// The small layers: values against their formulas and gradients against finite differences.
@Suite struct LayerTests {
    @Test func linearMatchesFormulaAndGradients() {
        var rng = RandomGenerator(seed: 11)
        let store = ParameterStore()
        let lin = Linear(store: store, name: "lin", inFeatures: 5, outFeatures: 3, rng: &rng)
        #expect(store.entries.map(\.shape) == [[3, 5], [3]])
        let x = rng.normalTensor([4, 5])
        let y = lin.forward(x, training: false)
        // y[n,o] = b[o] + Σ_i W[o,i] x[n,i]   (W is (out, in), PyTorch's layout)
        let w = store.tensor(lin.weight), b = store.tensor(lin.bias)
        for n in 0..<4 {
            for o in 0..<3 {
                var s = b.data[o]
                for i in 0..<5 { s += w.data[o * 5 + i] * x.data[n * 5 + i] }
                #expect(abs(y.data[n * 3 + o] - s) < 1e-5)
            }
        }
        GradientCheck(
            inputs: [x], store: store,
            forward: { lin.forward($0[0], training: $1) }, backward: { [lin.backward($0)] }
        ).run()
    }

    @Test func groupNormNormalisesEachGroup() {
        var rng = RandomGenerator(seed: 12)
        let store = ParameterStore()
        let gn = GroupNorm(store: store, name: "gn", groups: 2, channels: 6)
        #expect(store.entries.map(\.name) == ["gn.weight", "gn.bias"])
        #expect(store.values == [1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0])
        var x = rng.normalTensor([2, 6, 3, 5])
        for i in 0..<x.count { x.data[i] = 3 * x.data[i] + 2 }
        let y = gn.forward(x, training: false)
        for img in 0..<2 {
            for g in 0..<2 {
                let group = y.data[(img * 6 + g * 3) * 15..<(img * 6 + g * 3 + 3) * 15].map(Double.init)
                let mean = group.reduce(0, +) / 45
                let variance = group.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 45
                #expect(abs(mean) < 1e-5)
                #expect(abs(variance - 1) < 1e-3)  // biased variance; eps 1e-5 is negligible at σ≈3
            }
        }
    }

    @Test(arguments: [(2, 6, 3, 5), (1, 4, 4, 4), (3, 3, 1, 3)])
    func groupNormGradients(_ geometry: (Int, Int, Int, Int)) {
        let (n, c, h, w) = geometry
        var rng = RandomGenerator(seed: 13)
        let store = ParameterStore()
        let gn = GroupNorm(store: store, name: "gn", groups: c == 3 ? 3 : 2, channels: c)
        // non-trivial affine parameters so dx depends on them
        for i in 0..<store.count { store.values[i] += 0.5 * rng.normal() }
        let check = GradientCheck(
            inputs: [rng.normalTensor([n, c, h, w])], store: store,
            forward: { gn.forward($0[0], training: $1) }, backward: { [gn.backward($0)] })
        check.eps = 1e-3
        check.tolerance = 5e-3
        check.run()
    }

    @Test func siluValuesAndGradients() {
        let act = SiLU()
        let x = Tensor(shape: [5], data: [-3, -0.5, 0, 0.5, 3])
        let y = act.forward(x, training: false)
        for i in 0..<5 {
            let v = Double(x.data[i])
            #expect(abs(Double(y.data[i]) - v / (1 + exp(-v))) < 1e-6)
        }
        var rng = RandomGenerator(seed: 14)
        GradientCheck(
            inputs: [rng.normalTensor([2, 3, 3, 2])], store: nil,
            forward: { act.forward($0[0], training: $1) }, backward: { [act.backward($0)] }
        ).run()
    }

    @Test func upsampleRepeatsPixelsAndSumsGradients() {
        let up = Upsample2x()
        let x = Tensor(shape: [1, 1, 2, 3], data: [1, 2, 3, 4, 5, 6])
        let y = up.forward(x, training: false)
        #expect(y.shape == [1, 1, 4, 6])
        #expect(y.data == [1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 4, 4, 5, 5, 6, 6])
        var rng = RandomGenerator(seed: 15)
        GradientCheck(
            inputs: [rng.normalTensor([2, 3, 3, 5])], store: nil,
            forward: { up.forward($0[0], training: $1) }, backward: { [up.backward($0)] }
        ).run()
    }

    @Test func concatStacksChannelsAndSplitsGradients() {
        let cat = ChannelConcat()
        let a = Tensor(shape: [2, 1, 1, 2], data: [1, 2, 3, 4])
        let b = Tensor(shape: [2, 2, 1, 2], data: [5, 6, 7, 8, 9, 10, 11, 12])
        let y = cat.forward(a, b, training: false)
        #expect(y.shape == [2, 3, 1, 2])
        #expect(y.data == [1, 2, 5, 6, 7, 8, 3, 4, 9, 10, 11, 12])
        var rng = RandomGenerator(seed: 16)
        GradientCheck(
            inputs: [rng.normalTensor([2, 3, 3, 5]), rng.normalTensor([2, 2, 3, 5])], store: nil,
            forward: { cat.forward($0[0], $0[1], training: $1) },
            backward: { let (da, db) = cat.backward($0); return [da, db] }
        ).run()
    }

    @Test func residualAddPassesGradientToBoth() {
        let add = ResidualAdd()
        var rng = RandomGenerator(seed: 17)
        GradientCheck(
            inputs: [rng.normalTensor([2, 2, 3, 3]), rng.normalTensor([2, 2, 3, 3])], store: nil,
            forward: { i, _ in add.forward(i[0], i[1]) },
            backward: { let (da, db) = add.backward($0); return [da, db] }
        ).run()
    }

    @Test func timeEmbeddingMatchesFormula() {
        let emb = SinusoidalTimeEmbedding(dim: 8)
        let t: [Float] = [0, 1, 37.5, 999]
        let y = emb.forward(t)
        #expect(y.shape == [4, 8])
        let half = 4
        for (n, tv) in t.enumerated() {
            for k in 0..<half {
                // f_k = exp(-ln(10000) k / (half - 1))
                let f = exp(-log(10000.0) * Double(k) / Double(half - 1))
                let tolerance = 1e-6 + 2e-7 * Double(tv)  // Float rounding of t·f grows with t
                #expect(abs(Double(y.data[n * 8 + k]) - sin(Double(tv) * f)) < tolerance)
                #expect(abs(Double(y.data[n * 8 + half + k]) - cos(Double(tv) * f)) < tolerance)
            }
        }
        #expect(emb.frequencies.first == 1)
        #expect(abs(emb.frequencies.last! - 1e-4) < 1e-9)
    }
}

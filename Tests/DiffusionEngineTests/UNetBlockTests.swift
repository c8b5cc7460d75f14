import DiffusionEngine
import Testing

/// The UNet's composite blocks: parameter names and finite-difference gradients.
@Suite struct UNetBlockTests {
    @Test(arguments: [(4, 6), (4, 4)])
    func resBlockGradients(_ channels: (Int, Int)) {
        let (cin, cout) = channels
        var rng = RandomGenerator(seed: 31)
        let store = ParameterStore()
        let block = ResBlock(store: store, name: "b", inChannels: cin, outChannels: cout, timeDim: 5, groups: 2, rng: &rng)
        var names = ["norm1", "conv1", "time_proj", "norm2", "conv2"]
        if cin != cout { names.append("skip") }
        #expect(store.entries.map(\.name) == names.flatMap { ["b.\($0).weight", "b.\($0).bias"] })
        for i in 0..<store.count { store.values[i] += 0.2 * rng.normal() }  // GroupNorm affine away from 1/0
        let check = GradientCheck(
            inputs: [rng.normalTensor([2, cin, 5, 3]), rng.normalTensor([2, 5])], store: store,
            forward: { block.forward($0[0], temb: $0[1], training: $1) },
            backward: { let g = block.backward($0); return [g.dx, g.dTemb!] })
        check.eps = 2e-3
        check.tolerance = 5e-3
        check.run()
    }

    @Test func attentionBlockGradients() {
        var rng = RandomGenerator(seed: 32)
        let store = ParameterStore()
        let block = AttentionBlock(store: store, name: "a", channels: 4, heads: 2, headDim: 3, groups: 2, rng: &rng)
        #expect(store.entries.map(\.name) == ["a.norm.weight", "a.norm.bias", "a.qkv.weight", "a.qkv.bias",
                                              "a.proj.weight", "a.proj.bias"])
        #expect(store.entries.map(\.shape) == [[4], [4], [18, 4, 1, 1], [18], [4, 6, 1, 1], [4]])
        for i in 0..<store.count { store.values[i] += 0.2 * rng.normal() }
        let check = GradientCheck(
            inputs: [rng.normalTensor([2, 4, 3, 3])], store: store,
            forward: { block.forward($0[0], training: $1) }, backward: { [block.backward($0)] })
        check.eps = 2e-3
        check.tolerance = 5e-3
        check.run()
    }
}

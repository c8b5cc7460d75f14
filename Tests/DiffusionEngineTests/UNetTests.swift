import DiffusionEngine
import Testing

/// The UNet: parameter names and shapes (the PyTorch twin's), shapes through the presets,
/// finite-difference gradients on the fixture config, and the inference path keeping no state.
@Suite struct UNetTests {
    /// Every parameter of `UNetConfig.fixture` in registration (forward) order, written out by hand
    /// from the architecture in `UNetConfig`'s doc comment.
    static let fixtureParameters: [(String, [Int])] = {
        var p: [(String, [Int])] = []
        func add(_ name: String, _ weight: [Int]) {
            p.append((name + ".weight", weight))
            p.append((name + ".bias", [weight[0]]))
        }
        func norm(_ name: String, _ c: Int) { add(name, [c]) }
        func res(_ name: String, _ cin: Int, _ cout: Int) {
            norm(name + ".norm1", cin)
            add(name + ".conv1", [cout, cin, 3, 3])
            add(name + ".time_proj", [cout, 32])
            norm(name + ".norm2", cout)
            add(name + ".conv2", [cout, cout, 3, 3])
            if cin != cout { add(name + ".skip", [cout, cin, 1, 1]) }
        }
        func attn(_ name: String, _ c: Int) {  // heads 2 x headDim 4 = hidden 8
            norm(name + ".norm", c)
            add(name + ".qkv", [24, c, 1, 1])
            add(name + ".proj", [c, 8, 1, 1])
        }
        add("time_mlp.lin1", [32, 8])
        add("time_mlp.lin2", [32, 32])
        add("init_conv", [8, 3, 3, 3])
        res("downs.0.blocks.0", 8, 8)  // level 0: 8x8, 8 channels, no attention
        add("downs.0.down", [8, 8, 3, 3])
        res("downs.1.blocks.0", 8, 16)  // level 1: 4x4, 16 channels, attention
        attn("downs.1.attns.0", 16)
        res("mid.block1", 16, 16)
        attn("mid.attn", 16)
        res("mid.block2", 16, 16)
        res("ups.0.blocks.0", 32, 16)  // level 1: h 16 + skip 16
        attn("ups.0.attns.0", 16)
        add("ups.0.up", [16, 16, 3, 3])
        res("ups.1.blocks.0", 24, 8)  // level 0: h 16 + skip 8
        norm("final_norm", 8)
        add("final_conv", [3, 8, 3, 3])
        return p
    }()

    @Test func fixtureParameterNamesAndShapes() throws {
        let model = try UNet(config: .fixture, seed: 0)
        let got = model.store.entries.map { "\($0.name) \($0.shape)" }
        let want = Self.fixtureParameters.map { "\($0.0) \($0.1)" }
        #expect(got == want)
        #expect(model.store.count == Self.fixtureParameters.reduce(0) { $0 + $1.1.reduce(1, *) })
    }

    @Test func sameSeedSameParameters() throws {
        let a = try UNet(config: .fixture, seed: 7), b = try UNet(config: .fixture, seed: 7)
        let c = try UNet(config: .fixture, seed: 8)
        #expect(a.store.values == b.store.values)
        #expect(a.store.values != c.store.values)
    }

    @Test func invalidConfigThrows() {
        var config = UNetConfig.fixture
        config.groups = 3
        #expect(throws: EngineError.self) { _ = try UNet(config: config, seed: 0) }
    }

    @Test func presetsKeepTheImageShape() throws {
        for (config, batch) in [(UNetConfig.tiny, 2), (UNetConfig.course, 1)] {
            let model = try UNet(config: config, seed: 1)
            var rng = RandomGenerator(seed: 2)
            let x = rng.normalTensor([batch, config.channels, config.imageSize, config.imageSize])
            let y = model.forward(x, timesteps: (0..<batch).map { Float(100 * $0 + 5) }, training: false)
            #expect(y.shape == x.shape)
            #expect(y.data.allSatisfy { $0.isFinite })
        }
    }

    @Test func inferenceForwardKeepsNoState() throws {
        // a training forward, then an inference forward on other data, then backward: the
        // gradients must be those of the training forward alone
        var rng = RandomGenerator(seed: 3)
        let x = rng.normalTensor([2, 3, 8, 8]), other = rng.normalTensor([1, 3, 8, 8])
        let dy = rng.normalTensor([2, 3, 8, 8])
        let model = try UNet(config: .fixture, seed: 4)
        _ = model.forward(x, timesteps: [10, 500], training: true)
        let dxAlone = model.backward(dy)
        let gradsAlone = model.store.grads
        model.store.zeroGrads()
        _ = model.forward(x, timesteps: [10, 500], training: true)
        _ = model.forward(other, timesteps: [999], training: false)
        let dx = model.backward(dy)
        #expect(dx == dxAlone)
        #expect(model.store.grads == gradsAlone)
    }

    @Test func gradientsMatchFiniteDifferences() throws {
        let model = try UNet(config: .fixture, seed: 5)
        var rng = RandomGenerator(seed: 6)
        // move GroupNorm affines away from 1/0 so their gradients are exercised in general position
        for e in model.store.entries where e.name.contains("norm") {
            for i in e.offset..<e.offset + e.count { model.store.values[i] += 0.2 * rng.normal() }
        }
        let t: [Float] = [3, 517]
        let check = GradientCheck(
            inputs: [rng.normalTensor([2, 3, 8, 8])], store: model.store,
            forward: { model.forward($0[0], timesteps: t, training: $1) }, backward: { [model.backward($0)] })
        check.eps = 2e-3
        check.samples = 2
        check.tolerance = 1e-2
        let errors = check.run()
        #expect(errors.count == model.store.entries.count + 1)
    }
}

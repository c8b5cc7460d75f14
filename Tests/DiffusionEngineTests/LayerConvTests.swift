import DiffusionEngine
import Testing

/// (N, C, H, W, O, K, stride, padding) of a convolution test.
typealias ConvGeometry = (n: Int, c: Int, h: Int, w: Int, o: Int, k: Int, s: Int, p: Int)

/// Conv2d on `g` against the nested-loop reference: forward (training and inference alike), input,
/// weight and bias gradients within 1e-5 relative error, and a second backward doubling the
/// parameter gradients (backward accumulates).
func expectConvMatchesReference(_ g: ConvGeometry, seed: UInt64) {
    var rng = RandomGenerator(seed: seed)
    let store = ParameterStore()
    let conv = Conv2d(store: store, name: "conv", inChannels: g.c, outChannels: g.o, kernelSize: g.k,
                      stride: g.s, padding: g.p, rng: &rng)
    let x = rng.normalTensor([g.n, g.c, g.h, g.w])
    let weight = store.tensor(conv.weight), bias = store.tensor(conv.bias)

    let y = conv.forward(x, training: true)
    let yRef = Conv2dReference.forward(x, weight: weight, bias: bias, stride: g.s, padding: g.p)
    #expect(y.shape == yRef.shape)
    #expect(relativeError(y, yRef) < 1e-5, "forward max|Δ| \(y.maxAbsDifference(yRef))")
    #expect(conv.forward(x, training: false) == y, "training and inference forwards differ")

    let dy = rng.normalTensor(y.shape)
    store.zeroGrads()
    let dx = conv.backward(dy)
    let ref = Conv2dReference.backward(dy, x: x, weight: weight, stride: g.s, padding: g.p)
    #expect(relativeError(dx, ref.dx) < 1e-5, "dx max|Δ| \(dx.maxAbsDifference(ref.dx))")
    #expect(relativeError(store.gradTensor(conv.weight), ref.dWeight) < 1e-5)
    #expect(relativeError(store.gradTensor(conv.bias), ref.dBias) < 1e-5)

    _ = conv.backward(dy)
    let doubled = Tensor(shape: weight.shape, data: ref.dWeight.data.map { 2 * $0 })
    #expect(relativeError(store.gradTensor(conv.weight), doubled) < 1e-5)
}

/// Conv2d: the im2col + GEMM path against the nested-loop reference, and finite differences.
@Suite struct LayerConvTests {
    /// (N, C, H, W, O, K, stride, padding): odd sizes, stride 2, padding 0/1/2, 1x1/3x3/5x5 kernels.
    static let geometries: [ConvGeometry] = [
        (2, 3, 7, 5, 4, 3, 1, 1),
        (2, 3, 7, 7, 5, 3, 2, 1),
        (1, 4, 6, 5, 3, 3, 2, 0),
        (2, 5, 4, 3, 6, 1, 1, 0),  // pointwise fast path (no im2col)
        (2, 3, 5, 5, 2, 1, 2, 0),  // 1x1 stride 2 goes through im2col
        (1, 2, 9, 8, 3, 5, 1, 2),
        (3, 1, 3, 3, 2, 3, 1, 0),  // output 1x1
    ]

    @Test(arguments: geometries.indices)
    func fastMatchesReference(_ index: Int) {
        expectConvMatchesReference(Self.geometries[index], seed: UInt64(100 + index))
    }

    @Test func outputSizeFollowsPyTorch() {
        var rng = RandomGenerator(seed: 1)
        let store = ParameterStore()
        let down = Conv2d(store: store, name: "down", inChannels: 2, outChannels: 2, kernelSize: 3, stride: 2,
                          padding: 1, rng: &rng)
        #expect(down.forward(Tensor(zeros: [1, 2, 7, 8]), training: false).shape == [1, 2, 4, 4])
        #expect(store.entries.map(\.name) == ["down.weight", "down.bias"])
        #expect(store.entries.map(\.shape) == [[2, 2, 3, 3], [2]])
        // PyTorch's default init: U(-1/√fan_in, 1/√fan_in), fan_in = 2*3*3
        let bound = 1 / Float(18).squareRoot()
        #expect(store.values.allSatisfy { abs($0) <= bound })
        #expect(store.values.contains { abs($0) > bound / 2 })
    }

    @Test(arguments: [0, 1, 2, 4, 5])
    func gradientsMatchFiniteDifferences(_ index: Int) {
        let g = Self.geometries[index]
        var rng = RandomGenerator(seed: UInt64(200 + index))
        let store = ParameterStore()
        let conv = Conv2d(store: store, name: "conv", inChannels: g.c, outChannels: g.o, kernelSize: g.k,
                          stride: g.s, padding: g.p, rng: &rng)
        let check = GradientCheck(
            inputs: [rng.normalTensor([g.n, g.c, g.h, g.w])], store: store,
            forward: { conv.forward($0[0], training: $1) }, backward: { [conv.backward($0)] })
        check.run()
    }

    @Test func referenceBackwardMatchesFiniteDifferences() {
        // the reference is the yardstick, so it is itself checked against the definition
        var rng = RandomGenerator(seed: 5)
        let x = rng.normalTensor([2, 2, 5, 4]), w = rng.normalTensor([3, 2, 3, 3]), b = rng.normalTensor([3])
        let check = GradientCheck(
            inputs: [x, w, b], store: nil,
            forward: { i, _ in Conv2dReference.forward(i[0], weight: i[1], bias: i[2], stride: 2, padding: 1) },
            backward: { dy in
                let g = Conv2dReference.backward(dy, x: x, weight: w, stride: 2, padding: 1)
                return [g.dx, g.dWeight, g.dBias]
            })
        check.run()
    }
}

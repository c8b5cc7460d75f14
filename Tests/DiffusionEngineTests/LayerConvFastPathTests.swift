import DiffusionEngine
import Testing

/// Conv2d's fast paths the geometries of `LayerConvTests` do not reach: Winograd F(4x4, 3x3)
/// (3x3, stride 1, padding 1, sizes divisible by 4, at least 128 tiles of 4x4 in the batch) and
/// F(2x2, 3x3) (even sizes, at least 128 tiles of 2x2), slabs that cut an image into row ranges,
/// slabs of several whole images, and batch 1 — each against the nested-loop reference.
@Suite struct LayerConvFastPathTests {
    /// (N, C, H, W, O, K, stride, padding)
    static let geometries: [ConvGeometry] = [
        (32, 3, 8, 8, 5, 3, 1, 1),  // F(4x4): 2x2 tiles per image, 16 whole images per slab
        (1, 4, 48, 48, 3, 3, 1, 1),  // F(4x4), batch 1, 2 slabs of 6 tile rows of 12
        (1, 4, 32, 32, 3, 3, 1, 1),  // F(2x2): 64 tiles of 4x4 are too few, 256 of 2x2 are enough
        (2, 5, 40, 40, 7, 3, 1, 1),  // F(4x4), each image cut into 2 slabs of 5 tile rows of 10
        (1, 9, 44, 48, 6, 3, 1, 1),  // F(4x4), slabs of 6 and 5 tile rows of 12, odd channels
        (8, 6, 16, 16, 10, 3, 1, 1),  // F(4x4), 16x16: 4 images per slab
        (22, 3, 8, 12, 5, 3, 1, 1),  // F(4x4), 8x12: 6 tiles per image, slabs of 10, 10 and 2 images
        (7, 17, 16, 20, 3, 3, 1, 1),  // F(4x4), more channels than a 16-lane group, a 5-tile row
        (2, 2, 32, 34, 3, 3, 1, 1),  // F(2x2) (34 is not divisible by 4), an image cut into tile-row slabs
        (130, 2, 2, 2, 2, 3, 1, 1),  // F(2x2), a single tile per image
        (2, 3, 8, 6, 5, 3, 1, 1),  // too few tiles for Winograd: im2col
        (2, 3, 24, 24, 4, 3, 1, 0),  // im2col, row slabs, transposed-kernel input gradient (padding 2)
        (1, 3, 20, 20, 2, 1, 1, 0),  // pointwise, batch 1 row slabs
        (2, 3, 17, 17, 2, 3, 2, 1),  // stride 2, col2im
    ]

    @Test(arguments: geometries.indices)
    func fastMatchesReference(_ index: Int) {
        expectConvMatchesReference(Self.geometries[index], seed: UInt64(300 + index))
    }

    /// The fast paths split the batch into slabs over the pool's threads; the weight gradient sums
    /// one partial per thread. Which thread computes which slab must not change the bits (exact
    /// resume depends on it), so repeated backwards on the same data are identical — on geometries
    /// with many slabs (both Winograd paths and im2col), where dynamic claiming used to reorder the sums.
    @Test(arguments: [(16, 8, 16, 16), (24, 8, 12, 12), (6, 4, 32, 32), (32, 5, 8, 8), (4, 3, 34, 34)])
    func repeatedBackwardsAreBitIdentical(_ g: (n: Int, c: Int, h: Int, w: Int)) {
        var rng = RandomGenerator(seed: 77)
        let store = ParameterStore()
        let conv = Conv2d(store: store, name: "conv", inChannels: g.c, outChannels: 8, kernelSize: 3,
                          stride: 1, padding: 1, rng: &rng)
        let x = rng.normalTensor([g.n, g.c, g.h, g.w])
        let y = conv.forward(x, training: true)
        let dy = rng.normalTensor(y.shape)
        var first: (dx: Tensor, dw: Tensor)?
        for _ in 0..<6 {
            store.zeroGrads()
            _ = conv.forward(x, training: true)
            let dx = conv.backward(dy)
            let dw = store.gradTensor(conv.weight)
            if let first {
                #expect(dx == first.dx && dw == first.dw, "backward differs between identical calls")
            } else {
                first = (dx, dw)
            }
            #expect(conv.forward(x, training: false) == y, "forward differs between identical calls")
        }
    }
}

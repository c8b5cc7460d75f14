/// A 2-D convolution over NCHW tensors with bias, PyTorch's `nn.Conv2d` (square kernel).
///
/// Shapes: input (N, C, H, W), weight (O, C, K, K), bias (O), output (N, O, Ho, Wo) with
/// `Ho = (H + 2P - K) / S + 1` (likewise Wo).
///
/// Lowering (im2col + GEMM) one SLAB at a time: a slab is a few hundred output positions — some
/// rows of one image, or several whole small images — unfolded into a (C*K*K, slab) column
/// matrix that stays in L2, then multiplied by the weight viewed as (O, C*K*K) in one
/// single-threaded `cblas_sgemm`. Measured on the target machine, OpenBLAS runs these shapes at
/// 85-95 GFLOP/s per core with ~256 columns and at 45-65 with thousands (the column matrix no
/// longer fits the cache), and one image at 4x4 would be 16 columns. Slabs inside one image
/// are written straight into the output (rows `ld = Ho*Wo` apart, bias pre-filled); slabs of
/// several images go through a small matrix and a scatter. The `ComputePool` runs slabs in
/// parallel, so im2col and the epilogue use both cores too.
///
/// Backward, per slab: dW += dY · colsᵀ (columns rebuilt from the cached input: caching them
/// would cost C*K*K times the activations) into per-thread partials, db += Σ dY. For stride 1
/// the input gradient is itself a convolution — of dY with the kernel flipped and transposed,
/// padding K-1-P — lowered the same way, slab by slab of input positions, straight into dX.
/// Other strides use dcols = Wᵀ · dY and col2im, image by image (Conv2d+Lowering.swift).
///
/// 3x3 / stride 1 / padding 1 on large enough batches goes through Winograd instead, forward and
/// backward: `WinogradF4x4` or `WinogradF2x2` in one generic driver (Conv2d+Winograd.swift).
/// `Conv2dReference` is the plain-loop twin the tests compare with.
public final class Conv2d {
    public let inChannels: Int
    public let outChannels: Int
    public let kernelSize: Int
    public let stride: Int
    public let padding: Int
    /// (O, C, K, K)
    public let weight: ParameterRef
    /// (O)
    public let bias: ParameterRef
    let store: ParameterStore
    /// The last training input, (N, C, H, W).
    private var cachedInput: Tensor?

    /// Output positions per slab: the GEMM width at which OpenBLAS is fastest here (see above).
    static let slabColumns = 256

    /// Registers `name.weight` (O, C, K, K) and `name.bias` (O) with PyTorch's default init.
    public init(
        store: ParameterStore, name: String, inChannels: Int, outChannels: Int,
        kernelSize: Int, stride: Int = 1, padding: Int = 0, rng: inout RandomGenerator
    ) {
        precondition(
            inChannels > 0 && outChannels > 0 && kernelSize > 0 && stride > 0 && padding >= 0,
            "conv2d \(name): bad geometry C=\(inChannels) O=\(outChannels) K=\(kernelSize) S=\(stride) P=\(padding)")
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.store = store
        let fanIn = inChannels * kernelSize * kernelSize
        weight = store.register(
            name + ".weight", shape: [outChannels, inChannels, kernelSize, kernelSize],
            initial: uniformInit(count: outChannels * fanIn, fanIn: fanIn, rng: &rng))
        bias = store.register(
            name + ".bias", shape: [outChannels], initial: uniformInit(count: outChannels, fanIn: fanIn, rng: &rng))
    }

    /// Output spatial size for an input of `h` x `w`.
    public func outputSize(h: Int, w: Int) -> (h: Int, w: Int) {
        ((h + 2 * padding - kernelSize) / stride + 1, (w + 2 * padding - kernelSize) / stride + 1)
    }

    /// True when the image is its own column matrix (1x1, stride 1, no padding).
    var isPointwise: Bool { kernelSize == 1 && stride == 1 && padding == 0 }

    /// True when the input gradient is a stride-1 convolution of dY (needs padding K-1-P >= 0).
    var hasTransposedLowering: Bool { stride == 1 && padding <= kernelSize - 1 }

    /// (N, C, H, W) -> (N, O, Ho, Wo).
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        forward(x, training: training, channelBias: nil, residual: nil)
    }

    /// (N, C, H, W) -> (N, O, Ho, Wo), with two additions fused into the output pass:
    /// `y[n,o,:,:] += channelBias[n,o]` (N, O) and `y += residual` (N, O, Ho, Wo).
    ///
    /// Their gradients are the caller's business (Σ_HW dY and dY): backward only covers the conv.
    func forward(_ x: Tensor, training: Bool, channelBias: Tensor?, residual: Tensor?) -> Tensor {
        let (n, c, h, w) = x.nchw("conv2d")
        precondition(
            c == inChannels,
            "conv2d: input (N,C,H,W)=\(x.shapeDescription) does not match weight C=\(inChannels)")
        let (ho, wo) = outputSize(h: h, w: w)
        precondition(ho > 0 && wo > 0, "conv2d: input \(x.shapeDescription) is smaller than kernel \(kernelSize)")
        if let channelBias {
            precondition(channelBias.shape == [n, outChannels], "conv2d: channel bias \(channelBias.shapeDescription) vs (\(n),\(outChannels))")
        }
        if let residual {
            precondition(residual.shape == [n, outChannels, ho, wo], "conv2d: residual \(residual.shapeDescription) vs (\(n),\(outChannels),\(ho),\(wo))")
        }
        if training { cachedInput = x }
        let g = Geometry(conv: self, c: c, h: h, w: w, ho: ho, wo: wo)
        let plan = SlabPlan(images: n, rows: ho, rowWidth: wo, target: Self.slabColumns, parts: ComputePool.shared.width)
        return makeTensor([n, outChannels, ho, wo]) { yp in
            x.data.withUnsafeBufferPointer { xp in
                store.values.withUnsafeBufferPointer { vp in
                    let epilogue = Epilogue(
                        bias: vp.baseAddress! + bias.offset, channelBias: channelBias?.data, residual: residual?.data)
                    epilogue.withPointers { ep in
                        let wp = vp.baseAddress! + weight.offset  // (O, CKK)
                        if usesWinograd(WinogradF4x4.self, n: n, h: h, w: w) {
                            winogradForward(WinogradF4x4.self, x: xp.baseAddress!, n: n, c: c, h: h, w: w, weight: wp,
                                            into: yp, epilogue: ep)
                        } else if usesWinograd(WinogradF2x2.self, n: n, h: h, w: w) {
                            winogradForward(WinogradF2x2.self, x: xp.baseAddress!, n: n, c: c, h: h, w: w, weight: wp,
                                            into: yp, epilogue: ep)
                        } else if plan.count < ComputePool.shared.width && n == 1 {
                            forwardSplit(g, x: xp.baseAddress!, w: wp, y: yp, epilogue: ep)
                        } else {
                            forwardSlabs(g, plan: plan, x: xp.baseAddress!, w: wp, y: yp, epilogue: ep)
                        }
                    }
                }
            }
        }
    }

    /// dY (N, O, Ho, Wo) -> dX (N, C, H, W); accumulates dW and db.
    public func backward(_ dy: Tensor) -> Tensor {
        guard let x = cachedInput else { preconditionFailure("conv2d.backward: no training forward to differentiate") }
        let (n, c, h, w) = x.nchw("conv2d.backward")
        let (ho, wo) = outputSize(h: h, w: w)
        precondition(
            dy.shape == [n, outChannels, ho, wo],
            "conv2d.backward: dY \(dy.shapeDescription) does not match output (\(n),\(outChannels),\(ho),\(wo))")
        let g = Geometry(conv: self, c: c, h: h, w: w, ho: ho, wo: wo)
        return makeTensor([n, c, h, w]) { dxp in
            x.data.withUnsafeBufferPointer { xp in
                dy.data.withUnsafeBufferPointer { dyp in
                    store.values.withUnsafeBufferPointer { vp in
                        store.grads.withUnsafeMutableBufferPointer { gp in
                            let wp = vp.baseAddress! + weight.offset
                            let dw = gp.baseAddress! + weight.offset, db = gp.baseAddress! + bias.offset
                            if usesWinograd(WinogradF4x4.self, n: n, h: h, w: w) {
                                winogradBackward(WinogradF4x4.self, x: xp.baseAddress!, dy: dyp.baseAddress!, n: n, c: c,
                                                 h: h, w: w, weight: wp, dx: dxp, dw: dw, db: db)
                            } else if usesWinograd(WinogradF2x2.self, n: n, h: h, w: w) {
                                winogradBackward(WinogradF2x2.self, x: xp.baseAddress!, dy: dyp.baseAddress!, n: n, c: c,
                                                 h: h, w: w, weight: wp, dx: dxp, dw: dw, db: db)
                            } else {
                                weightGradients(g, n: n, x: xp.baseAddress!, dy: dyp.baseAddress!, dw: dw, db: db)
                                inputGradient(g, n: n, dy: dyp.baseAddress!, w: wp, dx: dxp)
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A 2-D convolution over NCHW tensors with bias, PyTorch's `nn.Conv2d` (square kernel).
///
/// Shapes: input (N, C, H, W), weight (O, C, K, K), bias (O), output (N, O, Ho, Wo) with
/// `Ho = (H + 2P - K) / S + 1` (likewise Wo).
///
/// Each image is lowered to columns (im2col, (C*K*K, Ho*Wo)) and multiplied by the weight viewed
/// as (O, C*K*K) with `cblas_sgemm`. The columns are NOT cached: keeping them for every conv of a
/// UNet would cost C*K*K times the activations, so backward rebuilds them from the cached input
/// (one cheap copy next to two GEMMs). A 1x1 stride-1 unpadded conv skips im2col: the image
/// already is its column matrix. `Conv2dReference` is the plain-loop twin the tests compare with.
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
    private var isPointwise: Bool { kernelSize == 1 && stride == 1 && padding == 0 }

    /// (N, C, H, W) -> (N, O, Ho, Wo).
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let (n, c, h, w) = x.nchw("conv2d")
        precondition(
            c == inChannels,
            "conv2d: input (N,C,H,W)=\(x.shapeDescription) does not match weight C=\(inChannels)")
        let (ho, wo) = outputSize(h: h, w: w)
        precondition(ho > 0 && wo > 0, "conv2d: input \(x.shapeDescription) is smaller than kernel \(kernelSize)")
        if training { cachedInput = x }
        let o = outChannels, ckk = c * kernelSize * kernelSize, l = ho * wo
        var out = [Float](repeating: 0, count: n * o * l)  // (N, O, Ho, Wo)
        let pointwise = isPointwise
        let cols = UnsafeMutablePointer<Float>.allocate(capacity: pointwise ? 1 : ckk * l)  // (C*K*K, L)
        defer { cols.deallocate() }
        x.data.withUnsafeBufferPointer { xp in
            store.values.withUnsafeBufferPointer { vp in
                out.withUnsafeMutableBufferPointer { yp in
                    let wp = vp.baseAddress! + weight.offset  // (O, C*K*K)
                    let bp = vp.baseAddress! + bias.offset  // (O)
                    for img in 0..<n {
                        let xi = xp.baseAddress! + img * c * h * w
                        let yi = yp.baseAddress! + img * o * l  // (O, L)
                        // y starts as the bias so the GEMM can accumulate (beta 1)
                        for oc in 0..<o { (yi + oc * l).update(repeating: bp[oc], count: l) }
                        let colsP: UnsafePointer<Float>
                        if pointwise {
                            colsP = xi
                        } else {
                            Self.im2col(xi, c: c, h: h, w: w, k: kernelSize, stride: stride, padding: padding,
                                        ho: ho, wo: wo, cols: cols)
                            colsP = UnsafePointer(cols)
                        }
                        // y (O, L) += W (O, CKK) · cols (CKK, L)
                        gemm(m: o, n: l, k: ckk, a: wp, lda: ckk, b: colsP, ldb: l, beta: 1, c: yi, ldc: l)
                    }
                }
            }
        }
        return Tensor(shape: [n, o, ho, wo], data: out)
    }

    /// dY (N, O, Ho, Wo) -> dX (N, C, H, W); accumulates dW and db.
    public func backward(_ dy: Tensor) -> Tensor {
        guard let x = cachedInput else { preconditionFailure("conv2d.backward: no training forward to differentiate") }
        let (n, c, h, w) = x.nchw("conv2d.backward")
        let (ho, wo) = outputSize(h: h, w: w)
        precondition(
            dy.shape == [n, outChannels, ho, wo],
            "conv2d.backward: dY \(dy.shapeDescription) does not match output (\(n),\(outChannels),\(ho),\(wo))")
        let o = outChannels, ckk = c * kernelSize * kernelSize, l = ho * wo
        var dx = [Float](repeating: 0, count: n * c * h * w)  // (N, C, H, W)
        let pointwise = isPointwise
        let cols = UnsafeMutablePointer<Float>.allocate(capacity: pointwise ? 1 : ckk * l)  // (CKK, L)
        let dcols = UnsafeMutablePointer<Float>.allocate(capacity: pointwise ? 1 : ckk * l)  // (CKK, L)
        defer { cols.deallocate(); dcols.deallocate() }
        x.data.withUnsafeBufferPointer { xp in
            dy.data.withUnsafeBufferPointer { dyp in
                store.values.withUnsafeBufferPointer { vp in
                    store.grads.withUnsafeMutableBufferPointer { gp in
                        dx.withUnsafeMutableBufferPointer { dxp in
                            let wp = vp.baseAddress! + weight.offset  // (O, CKK)
                            let dwp = gp.baseAddress! + weight.offset  // (O, CKK)
                            let dbp = gp.baseAddress! + bias.offset  // (O)
                            for img in 0..<n {
                                let xi = xp.baseAddress! + img * c * h * w
                                let dyi = dyp.baseAddress! + img * o * l  // (O, L)
                                let dxi = dxp.baseAddress! + img * c * h * w
                                // forward: y = W · cols + b
                                for oc in 0..<o {
                                    var s: Float = 0
                                    let row = dyi + oc * l
                                    for i in 0..<l { s += row[i] }
                                    dbp[oc] += s  // db += Σ_L dY
                                }
                                let colsP: UnsafePointer<Float>
                                if pointwise {
                                    colsP = xi
                                } else {
                                    Self.im2col(xi, c: c, h: h, w: w, k: kernelSize, stride: stride, padding: padding,
                                                ho: ho, wo: wo, cols: cols)
                                    colsP = UnsafePointer(cols)
                                }
                                // dW (O, CKK) += dY (O, L) · colsᵀ (L, CKK)
                                gemm(transB: true, m: o, n: ckk, k: l, a: dyi, lda: l, b: colsP, ldb: l,
                                     beta: 1, c: dwp, ldc: ckk)
                                // dcols (CKK, L) = Wᵀ (CKK, O) · dY (O, L), then scatter back to the image
                                let target = pointwise ? dxi : dcols
                                gemm(transA: true, m: ckk, n: l, k: o, a: wp, lda: ckk, b: dyi, ldb: l,
                                     beta: 0, c: target, ldc: l)
                                if !pointwise {
                                    Self.col2im(dcols, c: c, h: h, w: w, k: kernelSize, stride: stride,
                                                padding: padding, ho: ho, wo: wo, image: dxi)
                                }
                            }
                        }
                    }
                }
            }
        }
        return Tensor(shape: [n, c, h, w], data: dx)
    }

    /// Copies the receptive fields of one image (C, H, W) into columns (C*K*K, Ho*Wo).
    ///
    /// Row `(c*K + ki)*K + kj` holds, for every output position, the input pixel under kernel tap
    /// (ki, kj) of channel c (0 in the padding) — the order of the weight's (C, K, K) axes.
    static func im2col(
        _ x: UnsafePointer<Float>, c: Int, h: Int, w: Int, k: Int, stride: Int, padding: Int,
        ho: Int, wo: Int, cols: UnsafeMutablePointer<Float>
    ) {
        for ci in 0..<c {
            let plane = x + ci * h * w
            for ki in 0..<k {
                for kj in 0..<k {
                    let dst = cols + ((ci * k + ki) * k + kj) * ho * wo
                    for oh in 0..<ho {
                        let ih = oh * stride - padding + ki
                        let row = dst + oh * wo
                        guard ih >= 0 && ih < h else { row.update(repeating: 0, count: wo); continue }
                        let src = plane + ih * w
                        for ow in 0..<wo {
                            let iw = ow * stride - padding + kj
                            row[ow] = (iw >= 0 && iw < w) ? src[iw] : 0
                        }
                    }
                }
            }
        }
    }

    /// The adjoint of `im2col`: adds every column entry back onto the pixel it was copied from.
    static func col2im(
        _ cols: UnsafePointer<Float>, c: Int, h: Int, w: Int, k: Int, stride: Int, padding: Int,
        ho: Int, wo: Int, image: UnsafeMutablePointer<Float>
    ) {
        for ci in 0..<c {
            let plane = image + ci * h * w
            for ki in 0..<k {
                for kj in 0..<k {
                    let src = cols + ((ci * k + ki) * k + kj) * ho * wo
                    for oh in 0..<ho {
                        let ih = oh * stride - padding + ki
                        guard ih >= 0 && ih < h else { continue }
                        let dst = plane + ih * w
                        let row = src + oh * wo
                        for ow in 0..<wo {
                            let iw = ow * stride - padding + kj
                            if iw >= 0 && iw < w { dst[iw] += row[ow] }
                        }
                    }
                }
            }
        }
    }
}

/// The plain nested-loop convolution: the definition `Conv2d`'s im2col + GEMM path is tested against.
///
/// Slow on purpose and written straight from the formula
/// `y[n,o,i,j] = b[o] + Σ_{c,ki,kj} w[o,c,ki,kj] · x[n,c, i*S - P + ki, j*S - P + kj]`
/// (taps that fall into the padding read 0). Sums are kept in Double so the reference is the more
/// accurate side of every comparison.
public enum Conv2dReference {
    /// x (N, C, H, W), weight (O, C, K, K), bias (O) -> (N, O, Ho, Wo).
    public static func forward(_ x: Tensor, weight: Tensor, bias: Tensor, stride: Int, padding: Int) -> Tensor {
        let (n, c, h, w) = x.nchw("conv2d reference")
        let (o, wc, k, k2) = weight.nchw("conv2d reference weight")
        precondition(wc == c && k == k2, "conv2d reference: input \(x.shapeDescription) vs weight \(weight.shapeDescription)")
        precondition(bias.shape == [o], "conv2d reference: bias \(bias.shapeDescription) vs O=\(o)")
        let ho = (h + 2 * padding - k) / stride + 1, wo = (w + 2 * padding - k) / stride + 1
        var y = Tensor(zeros: [n, o, ho, wo])
        for img in 0..<n {
            for oc in 0..<o {
                for i in 0..<ho {
                    for j in 0..<wo {
                        var s = Double(bias.data[oc])
                        for ci in 0..<c {
                            for ki in 0..<k {
                                for kj in 0..<k {
                                    let ih = i * stride - padding + ki, iw = j * stride - padding + kj
                                    guard ih >= 0 && ih < h && iw >= 0 && iw < w else { continue }
                                    s += Double(weight.data[((oc * c + ci) * k + ki) * k + kj])
                                        * Double(x.data[((img * c + ci) * h + ih) * w + iw])
                                }
                            }
                        }
                        y.data[((img * o + oc) * ho + i) * wo + j] = Float(s)
                    }
                }
            }
        }
        return y
    }

    /// The gradients of `forward` for output gradient dy (N, O, Ho, Wo):
    /// dx (N, C, H, W), dWeight (O, C, K, K), dBias (O). Fresh tensors, nothing accumulated.
    public static func backward(
        _ dy: Tensor, x: Tensor, weight: Tensor, stride: Int, padding: Int
    ) -> (dx: Tensor, dWeight: Tensor, dBias: Tensor) {
        let (n, c, h, w) = x.nchw("conv2d reference backward")
        let (o, _, k, _) = weight.nchw("conv2d reference backward weight")
        let ho = (h + 2 * padding - k) / stride + 1, wo = (w + 2 * padding - k) / stride + 1
        precondition(dy.shape == [n, o, ho, wo], "conv2d reference backward: dY \(dy.shapeDescription)")
        var dx = [Double](repeating: 0, count: x.count)
        var dw = [Double](repeating: 0, count: weight.count)
        var db = [Double](repeating: 0, count: o)
        for img in 0..<n {
            for oc in 0..<o {
                for i in 0..<ho {
                    for j in 0..<wo {
                        // forward: y[img,oc,i,j] = b[oc] + Σ w[oc,ci,ki,kj] · x[img,ci,ih,iw]
                        let g = Double(dy.data[((img * o + oc) * ho + i) * wo + j])
                        db[oc] += g
                        for ci in 0..<c {
                            for ki in 0..<k {
                                for kj in 0..<k {
                                    let ih = i * stride - padding + ki, iw = j * stride - padding + kj
                                    guard ih >= 0 && ih < h && iw >= 0 && iw < w else { continue }
                                    let wi = ((oc * c + ci) * k + ki) * k + kj
                                    let xi = ((img * c + ci) * h + ih) * w + iw
                                    dw[wi] += g * Double(x.data[xi])
                                    dx[xi] += g * Double(weight.data[wi])
                                }
                            }
                        }
                    }
                }
            }
        }
        return (Tensor(shape: x.shape, data: dx.map(Float.init)),
                Tensor(shape: weight.shape, data: dw.map(Float.init)),
                Tensor(shape: [o], data: db.map(Float.init)))
    }
}

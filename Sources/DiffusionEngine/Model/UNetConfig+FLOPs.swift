/// Analytic size and cost of the UNet a config describes (the same formulas as
/// `analytic_counts` in `reference/unet.py`, which checks them against PyTorch).
///
/// FLOPs count a multiply-add as 2 in convolutions, linears and the two attention matmuls
/// (qᵀk and the weighted sum of v). Elementwise work — biases, GroupNorm, SiLU, softmax, the
/// residual adds — is ignored: it is a few percent here, and leaving it out matches the usual
/// convention (and PyTorch's `FlopCounterMode`), so GFLOP/s figures compare across tools.
extension UNetConfig {
    /// Number of trainable scalars.
    public var parameterCount: Int { Int(tally(batch: 1).parameters) }

    /// FLOPs of one forward pass over `batch` images (a training step is about 3x this).
    public func forwardFLOPs(batch: Int) -> Double { tally(batch: batch).flops }

    /// Walks the architecture in forward order, summing parameters and FLOPs.
    private func tally(batch n: Int) -> (parameters: Double, flops: Double) {
        var params = 0.0, flops = 0.0
        let nd = Double(n), td = timeEmbeddingDim, heads = attentionHeads, hd = attentionHeadDim

        func conv(_ cin: Int, _ cout: Int, _ k: Int, outSide: Int) {
            let macs = Double(cout * cin * k * k)
            params += macs + Double(cout)
            flops += 2 * nd * macs * Double(outSide * outSide)
        }
        func linear(_ cin: Int, _ cout: Int) {
            params += Double(cout * cin + cout)
            flops += 2 * nd * Double(cin * cout)
        }
        func groupNorm(_ c: Int) { params += Double(2 * c) }
        func resBlock(_ cin: Int, _ cout: Int, side: Int) {
            groupNorm(cin)
            conv(cin, cout, 3, outSide: side)
            linear(td, cout)
            groupNorm(cout)
            conv(cout, cout, 3, outSide: side)
            if cin != cout { conv(cin, cout, 1, outSide: side) }
        }
        func attention(_ c: Int, side: Int) {
            let hidden = heads * hd, l = Double(side * side)
            groupNorm(c)
            conv(c, 3 * hidden, 1, outSide: side)
            conv(hidden, c, 1, outSide: side)
            flops += 2 * (2 * nd * Double(heads) * l * l * Double(hd))  // qᵀk, then a·v
        }
        func hasAttention(level i: Int) -> Bool { attentionResolutions.contains(imageSize >> i) }

        linear(dim, td)
        linear(td, td)
        conv(channels, dim, 3, outSide: imageSize)
        var ch = dim
        for i in 0..<levels {
            let out = dim * channelMults[i], side = imageSize >> i
            for _ in 0..<resBlocks {
                resBlock(ch, out, side: side)
                ch = out
                if hasAttention(level: i) { attention(out, side: side) }
            }
            if i != levels - 1 { conv(out, out, 3, outSide: side / 2) }
        }
        let bottom = imageSize >> (levels - 1)
        resBlock(ch, ch, side: bottom)
        attention(ch, side: bottom)
        resBlock(ch, ch, side: bottom)
        for k in 0..<levels {
            let i = levels - 1 - k
            let out = dim * channelMults[i], side = imageSize >> i
            for _ in 0..<resBlocks {
                resBlock(ch + out, out, side: side)
                ch = out
                if hasAttention(level: i) { attention(out, side: side) }
            }
            if i != 0 { conv(out, out, 3, outSide: side * 2) }
        }
        groupNorm(ch)
        conv(ch, channels, 3, outSide: imageSize)
        return (params, flops)
    }
}

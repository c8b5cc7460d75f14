import Foundation

/// The reconstruction filter of a resize.
public enum ResizeFilter: String, Sendable, CaseIterable {
    /// Triangle filter widened by the shrink factor when downscaling (antialiased, like PIL's
    /// BILINEAR and torchvision's `Resize(antialias=True)`); plain bilinear with half-pixel
    /// centres (`align_corners=False`) when upscaling. The default.
    case bilinear
    /// Exact area averaging: each output pixel is the mean of the input area it covers (partial
    /// pixels weighted by coverage). A 2x shrink averages 2x2 blocks exactly.
    case box
}

extension RGBImage {
    /// This image resampled to `width` x `height` (separable: rows first, then columns).
    ///
    /// Edges clamp: taps that would fall outside the image are dropped and the remaining
    /// weights renormalised, so a constant image stays constant at every size.
    public func resized(width: Int, height: Int, filter: ResizeFilter = .bilinear) -> RGBImage {
        precondition(width > 0 && height > 0, "resized: target size \(width)x\(height) must be positive")
        if width == self.width && height == self.height { return self }
        let across = ResampleTaps(from: self.width, to: width, filter: filter)
        let down = ResampleTaps(from: self.height, to: height, filter: filter)
        var wide = [Float](repeating: 0, count: 3 * self.height * width)   // (3, H, width)
        var out = [Float](repeating: 0, count: 3 * height * width)         // (3, height, width)
        let srcW = self.width, srcH = self.height
        pixels.withUnsafeBufferPointer { src in
            wide.withUnsafeMutableBufferPointer { mid in
                across.weights.withUnsafeBufferPointer { weights in
                    // Horizontal pass: each output column is a weighted sum of a run of input
                    // columns. Eight rows at a time: eight independent sums, each in the same order
                    // as a row alone (the same result, without waiting on one chain of adds).
                    let rows = 3 * srcH
                    var row = 0
                    while row < rows {
                        let block = min(8, rows - row)
                        let s = row * srcW, d = row * width
                        for x in 0..<width {
                            let first = s + across.start[x], w0 = x * across.stride, n = across.count[x]
                            if block == 8 {
                                var a = SIMD8<Float>(repeating: 0)
                                for t in 0..<n {
                                    let k = first + t
                                    let v = SIMD8<Float>(src[k], src[k + srcW], src[k + 2 * srcW], src[k + 3 * srcW],
                                                         src[k + 4 * srcW], src[k + 5 * srcW], src[k + 6 * srcW], src[k + 7 * srcW])
                                    a += weights[w0 + t] * v
                                }
                                for r in 0..<8 { mid[d + r * width + x] = a[r] }
                            } else {
                                for r in 0..<block {
                                    var acc: Float = 0
                                    for t in 0..<n { acc += weights[w0 + t] * src[first + r * srcW + t] }
                                    mid[d + r * width + x] = acc
                                }
                            }
                        }
                        row += block
                    }
                }
            }
        }
        wide.withUnsafeBufferPointer { mid in
            out.withUnsafeMutableBufferPointer { dst in
                // Vertical pass: whole rows at a time (contiguous, vectorises).
                for c in 0..<3 {
                    for y in 0..<height {
                        let d = (c * height + y) * width
                        let first = down.start[y], w0 = y * down.stride
                        for t in 0..<down.count[y] {
                            let weight = down.weights[w0 + t]
                            let s = (c * srcH + first + t) * width
                            for x in 0..<width { dst[d + x] += weight * mid[s + x] }
                        }
                    }
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: out)
    }

    /// This image scaled (aspect kept) so its shorter side is `side` pixels.
    ///
    /// The longer side becomes `round(longer · side / shorter)`, at least 1.
    public func resized(shorterSide side: Int, filter: ResizeFilter = .bilinear) -> RGBImage {
        precondition(side > 0, "resized: shorter side \(side) must be positive")
        if width <= height {
            let h = max(1, Int((Double(height) * Double(side) / Double(width)).rounded()))
            return resized(width: side, height: h, filter: filter)
        } else {
            let w = max(1, Int((Double(width) * Double(side) / Double(height)).rounded()))
            return resized(width: w, height: side, filter: filter)
        }
    }
}

/// For one axis: which input samples each output sample reads, and with what weights.
///
/// Output sample i covers the input interval centred at (i + 0.5)·scale, scale = in/out.
struct ResampleTaps {
    /// First input index per output index.
    var start: [Int]
    /// Number of taps per output index.
    var count: [Int]
    /// Weights, `stride` slots per output index (the first `count[i]` used), each row summing to 1.
    var weights: [Float]
    var stride: Int

    init(from inSize: Int, to outSize: Int, filter: ResizeFilter) {
        let scale = Double(inSize) / Double(outSize)
        // Filter half-width in input pixels: widened by the shrink factor so every input pixel
        // contributes when downscaling (antialiasing), 1 (bilinear) or 0.5 (box) when enlarging.
        let support: Double
        switch filter {
        case .bilinear: support = max(scale, 1)
        case .box: support = scale / 2 + 1
        }
        stride = Int(ceil(support)) * 2 + 2
        start = [Int](repeating: 0, count: outSize)
        count = [Int](repeating: 0, count: outSize)
        weights = [Float](repeating: 0, count: outSize * stride)
        var taps = [Double](repeating: 0, count: stride)
        for i in 0..<outSize {
            let centre = (Double(i) + 0.5) * scale
            let lo = max(0, Int(floor(centre - support)))
            let hi = min(inSize, Int(ceil(centre + support)) + 1)
            var n = 0, sum = 0.0, first = -1
            for j in lo..<hi {
                let w: Double
                switch filter {
                case .bilinear:
                    // Triangle of half-width `support`, evaluated at input pixel j's centre.
                    w = max(0, 1 - abs(Double(j) + 0.5 - centre) / support)
                case .box:
                    // Overlap of input pixel [j, j+1) with the output pixel's footprint.
                    let a = centre - scale / 2, b = centre + scale / 2
                    w = max(0, min(b, Double(j + 1)) - max(a, Double(j)))
                }
                if w <= 0 {
                    if first >= 0 { break } else { continue }
                }
                if first < 0 { first = j }
                taps[n] = w
                n += 1
                sum += w
            }
            if n == 0 {
                // Cannot happen for in, out >= 1, but keep the nearest pixel rather than black.
                first = min(inSize - 1, max(0, Int(centre)))
                taps[0] = 1
                n = 1
                sum = 1
            }
            start[i] = first
            count[i] = n
            for t in 0..<n { weights[i * stride + t] = Float(taps[t] / sum) }
        }
    }
}
